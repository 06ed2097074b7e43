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

/**
 * How a service gets instrumented:
 * - `fixture`: test/fixtures/bootstrap.js, the SDK seam rebuilt from this package's dist + upstream;
 * - `register`: the product, `node --require @org/trace-register` with the file exporter.
 */
export type InstrumentMode = 'fixture' | 'register';

const REPO = path.resolve(PKG, '..', '..');
const REGISTER = path.join(REPO, 'packages', 'trace-register');

/** Out-of-process tests run built packages, exactly what users get: build them if they are stale. */
export function ensureBuilt(mode: InstrumentMode = 'fixture'): void {
  const target = mode === 'register' ? REGISTER : PKG;
  const dists = mode === 'register' ? [path.join(PKG, 'dist', 'index.js'), path.join(REGISTER, 'dist', 'index.js')] : [path.join(PKG, 'dist', 'index.js')];
  const srcDir = path.join(PKG, 'src');
  const newestSrc = Math.max(...fs.readdirSync(srcDir).map(f => fs.statSync(path.join(srcDir, f)).mtimeMs));
  if (mode === 'fixture' && dists.every(d => fs.existsSync(d) && fs.statSync(d).mtimeMs >= newestSrc)) return;
  // tsc -b is incremental: for `register` it also rebuilds sdk/processors when their sources changed.
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', target], { stdio: 'inherit' });
}

/** OTLP JSON (what the SDK's file exporter writes, one export batch per line) → the fixture's shape. */
function fromOtlpLines(text: string): ExportedSpan[] {
  const out: ExportedSpan[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const doc = JSON.parse(line) as { resourceSpans?: OtlpResourceSpans[] };
    for (const rs of doc.resourceSpans ?? []) {
      const service = String(otlpAttributes(rs.resource?.attributes ?? [])['service.name'] ?? '');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          out.push({
            service,
            name: s.name,
            kind: s.kind - 1, // OTLP enum counts UNSPECIFIED as 0; the API enum starts at INTERNAL = 0
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ? s.parentSpanId : undefined,
            attributes: otlpAttributes(s.attributes ?? []),
          });
        }
      }
    }
  }
  return out;
}

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: Array<{
    spans?: Array<{ name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string; attributes?: OtlpKeyValue[] }>;
  }>;
}

function otlpValue(v: OtlpAnyValue): unknown {
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(otlpValue);
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.stringValue ?? v.doubleValue ?? v.boolValue;
}

function otlpAttributes(kvs: OtlpKeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) out[kv.key] = otlpValue(kv.value);
  return out;
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
  mode: InstrumentMode = 'fixture',
): Promise<RunningService> {
  const spansFile = path.join(tmpDir, `${name}-${process.pid}-${Date.now()}.jsonl`);
  fs.writeFileSync(spansFile, '');
  const instrumented = script === 'service.js';
  const register = instrumented && mode === 'register';
  const args = !instrumented ? [] : ['--require', register ? path.join(REGISTER, 'dist', 'index.js') : path.join(FIXTURES, 'bootstrap.js')];
  const modeEnv: Record<string, string> = register
    ? {
        OTEL_TRACES_EXPORTER: 'file',
        ORG_TRACE_FILE: spansFile,
        OTEL_BSP_SCHEDULE_DELAY: '20',
        OTEL_LOG_LEVEL: 'warn',
        OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,undici',
      }
    : { SPANS_FILE: spansFile };
  const child: ChildProcess = spawn(process.execPath, [...args, path.join(FIXTURES, script)], {
    env: { PATH: process.env.PATH ?? '', OTEL_SERVICE_NAME: name, ...modeEnv, ...env },
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
    spans: () => {
      const text = fs.readFileSync(spansFile, 'utf8');
      if (register) return fromOtlpLines(text);
      return text
        .split('\n')
        .filter(Boolean)
        .map(l => JSON.parse(l) as ExportedSpan);
    },
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
