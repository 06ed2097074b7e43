'use strict';
// Child-process plumbing shared by the benchmarks: core pinning, "listening <port>" handshakes,
// bounded waits, and stopping exactly the processes we started (by pid, never by name).
const { spawn, spawnSync } = require('child_process');
const http = require('http');

let tasksetOk;
/** Is `taskset` usable here? Without it runs are unpinned, and the results say so. */
function hasTaskset() {
  if (tasksetOk === undefined) {
    const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetOk = r.status === 0;
  }
  return tasksetOk;
}

/** Prefixes a command with `taskset -c <cpu>` when pinning is possible and wanted. */
function pinned(cpu, cmd, args) {
  if (cpu === undefined || cpu === null || !hasTaskset()) return [cmd, args];
  return ['taskset', ['-c', String(cpu), cmd, ...args]];
}

/**
 * Starts a long-running child (a server) and resolves once it prints "listening <port>".
 * Rejects if it exits first or after `timeoutMs`; the child is killed in that case.
 */
function startListening(cmd, args, { env, cpu, timeoutMs = 20000, cwd } = {}) {
  const [c, a] = pinned(cpu, cmd, args);
  const child = spawn(c, a, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${cmd} ${args.join(' ')}: no "listening" line within ${timeoutMs} ms\n${err}`)), timeoutMs);
    const fail = (e) => {
      clearTimeout(timer);
      stop(child);
      reject(e);
    };
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, port: Number(m[1]), stderr: () => err });
      }
    });
    child.stderr.on('data', (d) => {
      if (err.length < 64 * 1024) err += d;
    });
    child.on('exit', (code, sig) => fail(new Error(`${cmd} ${args.join(' ')} exited (${code ?? sig}) before listening\n${err}`)));
  });
}

/** Kills a child we started, by pid, and waits (bounded) for it to be gone. */
function stop(child, signal = 'SIGKILL', timeoutMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, signal);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Runs a command to completion; resolves { code, stdout, stderr, wallMs }. Killed at timeoutMs. */
function run(cmd, args, { env, cpu, timeoutMs = 60000, cwd, input } = {}) {
  const [c, a] = pinned(cpu, cmd, args);
  const t0 = process.hrtime.bigint();
  const child = spawn(c, a, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    if (stderr.length < 256 * 1024) stderr += d;
  });
  if (input !== undefined) child.stdin.end(input);
  return new Promise((resolve) => {
    const timer = setTimeout(() => stop(child), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, wallMs: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
  });
}

/** GET/POST on loopback returning the parsed JSON body. */
function requestJson(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body || '{}'));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.setTimeout(10000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { hasTaskset, pinned, startListening, stop, run, requestJson, sleep };
