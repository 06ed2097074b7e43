'use strict';
// Starting and stopping the demo's Node services. Each is a separate process started exactly the way
// a user starts an app: `node --require @org/trace-register services/<name>.js`. The runner keeps the
// pid of every process it started and ends only those.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const SERVICES_DIR = path.join(__dirname, '..', 'services');

class ServiceProcess {
  constructor(name, { env, logFile }) {
    this.name = name;
    this.log = fs.createWriteStream(logFile, { flags: 'a' });
    this.logFile = logFile;
    this.proc = spawn(process.execPath, ['--require', '@org/trace-register', path.join(SERVICES_DIR, `${name}.js`)], {
      cwd: path.join(__dirname, '..'),
      env,
      // stdin ignored; stdout/stderr to the log file; an IPC channel for scenario phases (and so the
      // service notices when the runner is gone).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.output = '';
    const onData = (d) => {
      this.log.write(d);
      if (this.output.length < 64 * 1024) this.output += d;
    };
    this.proc.stdout.setEncoding('utf8').on('data', onData);
    this.proc.stderr.setEncoding('utf8').on('data', onData);
    this.exit = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.exited = false;
    this.exit.then(() => (this.exited = true));
    this.proc.on('error', () => {}); // reported through `exit`
  }

  /** Resolves the port the service printed ("<name> LISTENING <port>"). */
  ready(timeoutMs = 20_000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = /LISTENING (\d+)/.exec(this.output);
        if (m) {
          cleanup();
          this.port = Number(m[1]);
          this.url = `http://127.0.0.1:${this.port}`;
          resolve(this);
        }
      };
      const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
      const fail = (why) => {
        cleanup();
        reject(new Error(`${this.name} ${why}; its output (${this.logFile}):\n${this.output.slice(-2000)}`));
      };
      const onExit = ({ code, signal }) => fail(`exited (${code ?? signal}) before listening`);
      const cleanup = () => {
        clearTimeout(timer);
        this.proc.stdout.off('data', check);
        this.proc.stderr.off('data', check);
      };
      this.proc.stdout.on('data', check);
      this.proc.stderr.on('data', check);
      this.exit.then(onExit);
      check();
    });
  }

  /** Sends scenario overrides over IPC (ignored if the service is gone). */
  send(message) {
    if (!this.exited && this.proc.connected) this.proc.send(message, () => {});
  }

  /**
   * SIGTERM: @org/trace-register flushes the spans still queued, then exits (143). A process still
   * running after `graceMs` is killed (SIGKILL), by its pid.
   */
  async stop(graceMs = 5000) {
    if (!this.exited) {
      try {
        this.proc.kill('SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        if (!this.exited) this.proc.kill('SIGKILL');
      }, graceMs);
      await this.exit;
      clearTimeout(timer);
    }
    await new Promise((resolve) => this.log.end(resolve));
    return this.exit;
  }
}

module.exports = { ServiceProcess };
