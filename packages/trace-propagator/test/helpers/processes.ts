import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

const PKG = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(PKG, 'test', 'fixtures');

export interface ExportedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  parentIsRemote?: boolean;
  attributes: Record<string, unknown>;
}

export interface RunningService {
  name: string;
  url: string;
  spansFile: string;
  spans(): ExportedSpan[];
  stop(): Promise<void>;
}

/** Out-of-process tests run the built package, exactly what users get: build it if it is stale. */
export function ensureBuilt(): void {
  const dist = path.join(PKG, 'dist', 'index.js');
  const srcDir = path.join(PKG, 'src');
  const newestSrc = Math.max(...fs.readdirSync(srcDir).map(f => fs.statSync(path.join(srcDir, f)).mtimeMs));
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestSrc) return;
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', PKG], { stdio: 'inherit' });
}

const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xtraceid-e2e-'));

/**
 * Starts a fixture script in its own node process. Instrumented services get the fixture bootstrap
 * via `--require`, as `--require @org/trace-register` will do.
 */
export async function startService(
  name: string,
  script: 'service.js' | 'legacy-peer.js',
  env: Record<string, string> = {},
): Promise<RunningService> {
  const spansFile = path.join(tmpDir, `${name}-${process.pid}-${Date.now()}.jsonl`);
  fs.writeFileSync(spansFile, '');
  const args = script === 'service.js' ? ['--require', path.join(FIXTURES, 'bootstrap.js')] : [];
  const child: ChildProcess = spawn(process.execPath, [...args, path.join(FIXTURES, script)], {
    env: { PATH: process.env.PATH ?? '', SPANS_FILE: spansFile, OTEL_SERVICE_NAME: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', d => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 15_000);
    child.stdout!.on('data', d => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    spansFile,
    spans: () =>
      fs
        .readFileSync(spansFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(l => JSON.parse(l) as ExportedSpan),
    stop: () =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface ClientResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/** A client without OpenTelemetry: what a legacy caller or curl sends. */
export function get(url: string, headers: Record<string, string> = {}): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', d => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body }));
    });
    req.on('error', reject);
  });
}

/** Polls until `pick` finds what the test waits for in the exported spans (SimpleSpanProcessor is async-ish). */
export async function waitFor<T>(pick: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = pick();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 25));
  }
}

/** All values of a header in a raw header list, case-insensitively: duplicates stay visible. */
export function headerValues(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === name.toLowerCase()) out.push(rawHeaders[i + 1]);
  }
  return out;
}
