'use strict';
// Reads another process's CPU time and memory from /proc, so a server is measured from outside:
// nothing in the server changes between variants but the tracing setup itself.
const fs = require('fs');

const TICKS_PER_SECOND = 100; // USER_HZ on Linux; /proc/<pid>/stat counts in these ticks

/** user + system CPU seconds of the process (all threads: GC and libuv workers count too). */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Current and peak resident set size in MiB. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm')) || [])[1]);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

module.exports = { cpuSeconds, memory };
