// Runs the real nginx (Debian package) on a loopback port with the project's trace snippets
// (examples/nginx/trace-context.conf, trace-proxy.conf) in front of an app, and reads its access log.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const NGINX_DIR = join(REPO_ROOT, 'examples', 'nginx');

/** nginx from ORG_TRACE_NGINX_BIN, PATH or Debian's /usr/sbin; a clear failure when absent. */
export function nginxBinary(): string {
  const candidates = [process.env.ORG_TRACE_NGINX_BIN, ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'nginx')), '/usr/sbin/nginx'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('nginx is not installed. Run: tools/ci/install-system-deps.sh (Debian package nginx), or set ORG_TRACE_NGINX_BIN.');
}

export interface NginxOptions {
  port: number;
  appPort: number;
  /** A loopback port nobody listens on, for the "app is down" location. */
  deadPort: number;
}

export class RunningNginx {
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(
    readonly proc: ChildProcess,
    readonly dir: string,
  ) {
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  accessLog(): string[] {
    const p = join(this.dir, 'access.log');
    return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
  }

  jsonLog(): Record<string, unknown>[] {
    const p = join(this.dir, 'access.json');
    return existsSync(p)
      ? readFileSync(p, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  }

  /** nginx writes the log line when the request is finalised, a moment after the response. */
  async waitForLogLines(n: number, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.accessLog().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} access log lines, got:\n${this.accessLog().join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.accessLog();
  }

  errorLog(): string {
    const p = join(this.dir, 'error.log');
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  /** Graceful stop of the master we started (SIGQUIT), SIGKILL after 5 s; removes its files. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGQUIT');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The test server: the shipped snippets, plus two test-only locations (slow client link, dead app). */
export function testConfig(dir: string, o: NginxOptions): string {
  const temp = join(dir, 'temp');
  return `
worker_processes 1;
error_log ${dir}/error.log info;
pid ${dir}/nginx.pid;
events { worker_connections 128; }
http {
    client_body_temp_path ${temp}/body;
    proxy_temp_path ${temp}/proxy;
    fastcgi_temp_path ${temp}/fastcgi;
    uwsgi_temp_path ${temp}/uwsgi;
    scgi_temp_path ${temp}/scgi;

    include ${NGINX_DIR}/trace-context.conf;
    access_log ${dir}/access.log distributed_trace;
    access_log ${dir}/access.json distributed_trace_json;

    upstream app { server 127.0.0.1:${o.appPort}; keepalive 8; }
    upstream dead { server 127.0.0.1:${o.deadPort}; }

    server {
        listen 127.0.0.1:${o.port};

        # A client on a slow link: nginx spends time sending after the app has answered.
        location /slow-client/ {
            include ${NGINX_DIR}/trace-proxy.conf;
            limit_rate 200k;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app/;
        }

        location /down/ {
            include ${NGINX_DIR}/trace-proxy.conf;
            proxy_pass http://dead/;
        }

        location / {
            include ${NGINX_DIR}/trace-proxy.conf;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app;
        }
    }
}
`;
}

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'org-trace-nginx-'));
  // Workers run as an unprivileged user when nginx starts as root: they must reach the temp dirs.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'temp'), { mode: 0o777 });
  chmodSync(join(dir, 'temp'), 0o777);
  return dir;
}

/**
 * `nginx -t` on a config text, with `extraFiles` (name → content) written beside it so relative
 * includes resolve as they would in /etc/nginx. Returns the exit status and output.
 */
export function checkConfig(text: string, extraFiles: Record<string, string> = {}): { status: number | null; output: string } {
  const dir = workDir();
  try {
    writeFileSync(join(dir, 'nginx.conf'), text);
    for (const [name, content] of Object.entries(extraFiles)) writeFileSync(join(dir, name), content);
    const res = spawnSync(nginxBinary(), ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { encoding: 'utf8' });
    return { status: res.status, output: `${res.stdout}${res.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startNginx(o: NginxOptions): Promise<RunningNginx> {
  const dir = workDir();
  writeFileSync(join(dir, 'nginx.conf'), testConfig(dir, o));
  // -e: the error log before the config is read (else nginx tries /var/log/nginx/error.log).
  const proc = spawn(nginxBinary(), ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const nginx = new RunningNginx(proc, dir);
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}:\n${nginx.stderr}\n${nginx.errorLog()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${o.port}/__nginx_ready`, { signal: AbortSignal.timeout(500) });
      // Our nginx answering, not some other server a parallel test file started on the port while
      // nginx is still retrying its bind (it retries for ~2.5 s before giving up).
      if (!/^nginx/.test(res.headers.get('server') ?? '')) throw new Error('not nginx');
      await res.text();
      // The readiness probe itself is logged: drop that line so tests count only their own. nginx
      // writes it when the request is finalised, which can be after fetch() has the response: wait
      // for it in both logs first, or it lands after the truncation and a test reads it as its own.
      await waitForProbeLines(dir);
      writeFileSync(join(dir, 'access.log'), '');
      writeFileSync(join(dir, 'access.json'), '');
      return nginx;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await nginx.stop();
      throw new Error(`nginx did not start within 10 s:\n${nginx.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForProbeLines(dir: string): Promise<void> {
  const logged = (f: string) => existsSync(join(dir, f)) && readFileSync(join(dir, f), 'utf8').includes('__nginx_ready');
  const deadline = Date.now() + 5000;
  while (!(logged('access.log') && logged('access.json'))) {
    if (Date.now() > deadline) throw new Error('the readiness probe never reached the access logs');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A loopback port nobody listens on, for the "app is down" upstream, that stays that way. A port
 * freePort() hands out comes from the ephemeral range, from which every parallel test file's
 * listen(0) draws too: one could start answering on it mid-run and the 502 test would get its
 * answer. Below the ephemeral range (and above the usual fixed service ports) only a server told
 * that exact port listens; the suite has none. Checked to refuse a connection before use.
 */
export async function deadPort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    /* not Linux: the usual default */
  }
  const from = 20000;
  const to = Math.max(from + 1000, low) - 1;
  const net = await import('node:net');
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const refused = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve(false)));
      sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    if (refused) return port;
  }
  throw new Error('no refusing loopback port found below the ephemeral range');
}

/** `key="value"` and `key=value` pairs of a distributed_trace log line. */
export function parseLogLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)=(?:"([^"]*)"|(\S+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out[m[1]] = m[2] ?? m[3];
  const req = line.match(/"(\S+) (\S+) (HTTP\/[\d.]+)" (\d{3})/);
  if (req) Object.assign(out, { method: req[1], path: req[2], status: req[4] });
  return out;
}
