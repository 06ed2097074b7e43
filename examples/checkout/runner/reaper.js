'use strict';
// Watchdog for the embedded PostgreSQL. The runner starts it with an IPC channel; if that channel
// closes without a "done" message — the runner was killed with SIGKILL, or crashed before its own
// cleanup — this process stops the server (SIGINT = PostgreSQL's fast shutdown, then SIGKILL if it
// lingers) and deletes its temporary directory. It touches only the pid and directory it was given.
//   node runner/reaper.js <postmaster pid> <directory>
const fs = require('node:fs');

const pid = Number(process.argv[2]);
const dir = process.argv[3];
let released = false;

process.on('message', (msg) => {
  if (msg === 'done') {
    released = true;
    process.disconnect();
  }
});

process.on('disconnect', () => {
  if (released) return;
  // Still our server? (On Linux the pid's command line names our directory: a recycled pid is left alone.)
  const alive = () => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
    } catch {
      return process.platform !== 'linux';
    }
  };
  if (alive()) process.kill(pid, 'SIGINT');
  const started = Date.now();
  const timer = setInterval(() => {
    if (alive() && Date.now() - started < 10_000) return;
    clearInterval(timer);
    if (alive()) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }, 100);
});

// Ignore the terminal's Ctrl-C: the runner handles it and releases us; if it dies instead, the
// closed channel is our signal.
process.on('SIGINT', () => {});
