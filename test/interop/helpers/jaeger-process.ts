// Runs a real Jaeger v2 all-in-one (in-memory storage) on free loopback ports and reads traces back
// through its query API, the same HTTP API the Jaeger UI and `trace-analyze --jaeger` use.
import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../collector/collector-process';
import { JAEGER_CONFIG, jaegerBinary } from './required-tools';

/** One span as the v1 query API (/api/traces) returns it, reduced to what the tests look at. */
export interface JaegerSpan {
  traceId: string;
  spanId: string;
  /** CHILD_OF reference, if any: the parent span id. */
  parentSpanId?: string;
  operation: string;
  service: string;
  /** `server`, `client`, `internal`, … (Jaeger's `span.kind` tag). */
  kind?: string;
  /** Start, µs since the epoch, and duration, µs (the v1 API's units). */
  startTime: number;
  duration: number;
  tags: Record<string, unknown>;
}

export interface JaegerTrace {
  traceId: string;
  spans: JaegerSpan[];
  warnings: string[];
}

interface V1Trace {
  traceID: string;
  spans: Array<{
    traceID: string;
    spanID: string;
    operationName: string;
    processID: string;
    startTime: number;
    duration: number;
    references?: Array<{ refType: string; traceID: string; spanID: string }>;
    tags?: Array<{ key: string; value: unknown }>;
    warnings?: string[] | null;
  }>;
  processes: Record<string, { serviceName: string }>;
}

export function fromV1(t: V1Trace): JaegerTrace {
  const warnings: string[] = [];
  const spans = t.spans.map((s) => {
    const tags: Record<string, unknown> = {};
    for (const tag of s.tags ?? []) tags[tag.key] = tag.value;
    for (const w of s.warnings ?? []) warnings.push(`${s.spanID}: ${w}`);
    const parent = (s.references ?? []).find((r) => r.refType === 'CHILD_OF');
    return {
      traceId: s.traceID,
      spanId: s.spanID,
      parentSpanId: parent?.spanID,
      operation: s.operationName,
      service: t.processes[s.processID]?.serviceName ?? '?',
      kind: typeof tags['span.kind'] === 'string' ? (tags['span.kind'] as string) : undefined,
      startTime: s.startTime,
      duration: s.duration,
      tags,
    };
  });
  return { traceId: t.traceID, spans, warnings };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RunningJaeger {
  log = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly proc: ChildProcess,
    readonly ports: { otlpHttp: number; queryHttp: number; queryGrpc: number },
  ) {
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  /** Where the collector exports to (OTLP/HTTP base URL). */
  get otlpHttpUrl(): string {
    return `http://127.0.0.1:${this.ports.otlpHttp}`;
  }

  /** Base URL of the query service (UI + /api). */
  get queryUrl(): string {
    return `http://127.0.0.1:${this.ports.queryHttp}`;
  }

  /** GET /api/traces/<id>; undefined while Jaeger does not know the trace (404). */
  async getTrace(traceId: string): Promise<JaegerTrace | undefined> {
    const res = await fetch(`${this.queryUrl}/api/traces/${traceId}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`Jaeger /api/traces/${traceId} answered ${res.status}: ${await res.text()}`);
    const doc = (await res.json()) as { data: V1Trace[] };
    if (doc.data.length !== 1) throw new Error(`Jaeger returned ${doc.data.length} traces for id ${traceId}`);
    return fromV1(doc.data[0]);
  }

  /**
   * Polls until the trace holds everything `complete` wants (spans of several services arrive in
   * separate batches) and every parent a span names is there too: the collector exports batches
   * concurrently, so a span can reach Jaeger a moment before the parent that ended first (every
   * caller checks the tree is connected). Bounded; on time-out the error shows what Jaeger had.
   */
  async waitForTrace(traceId: string, complete: (t: JaegerTrace) => boolean, timeoutMs = 20000): Promise<JaegerTrace> {
    const deadline = Date.now() + timeoutMs;
    let last: JaegerTrace | undefined;
    const parentsIn = (t: JaegerTrace) => {
      const ids = new Set(t.spans.map((s) => s.spanId));
      return t.spans.every((s) => s.parentSpanId === undefined || ids.has(s.parentSpanId));
    };
    for (;;) {
      last = await this.getTrace(traceId);
      if (last && complete(last) && parentsIn(last)) return last;
      if (Date.now() > deadline) {
        const have = last ? last.spans.map((s) => `${s.service}:${s.operation}${s.parentSpanId && !last!.spans.some((p) => p.spanId === s.parentSpanId) ? ' (its parent missing)' : ''}`).join(', ') : 'nothing (404)';
        throw new Error(`trace ${traceId} incomplete in Jaeger after ${timeoutMs} ms; it has: ${have}`);
      }
      await sleep(250);
    }
  }

  /**
   * Trace ids Jaeger's search (the UI's "Tags" box) finds for one tag of one service, last hour.
   * Tag values are matched exactly, as Jaeger stores them (arrays as their JSON text).
   */
  async searchByTag(service: string, key: string, value: string): Promise<string[]> {
    const p = new URLSearchParams({ service, tags: JSON.stringify({ [key]: value }), lookback: '1h', limit: '20' });
    const res = await fetch(`${this.queryUrl}/api/traces?${p}`);
    if (res.status !== 200) throw new Error(`Jaeger search answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { data: V1Trace[] }).data.map((t) => t.traceID).sort();
  }

  /** Services Jaeger has seen (GET /api/services). */
  async services(): Promise<string[]> {
    const res = await fetch(`${this.queryUrl}/api/services`);
    return ((await res.json()) as { data: string[] | null }).data ?? [];
  }

  /** Graceful stop (SIGTERM to the pid we started), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(t);
  }
}

/** Starts Jaeger and resolves once both its OTLP receiver and its query API answer. */
export async function startJaeger(): Promise<RunningJaeger> {
  // A port freePort() handed out can be taken by a parallel test file before Jaeger binds it: a
  // fixture race, so start again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startJaegerOnce();
    } catch (err) {
      if (attempt >= 4 || !/address already in use/.test(String(err))) throw err;
    }
  }
}

async function startJaegerOnce(): Promise<RunningJaeger> {
  const ports = { otlpHttp: await freePort(), queryHttp: await freePort(), queryGrpc: await freePort() };
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTEL_') && !k.startsWith('JAEGER_')) env[k] = v;
  Object.assign(env, {
    JAEGER_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.otlpHttp}`,
    JAEGER_QUERY_HTTP_ENDPOINT: `127.0.0.1:${ports.queryHttp}`,
    JAEGER_QUERY_GRPC_ENDPOINT: `127.0.0.1:${ports.queryGrpc}`,
  });
  const proc = spawn(jaegerBinary(), ['--config', JAEGER_CONFIG], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const j = new RunningJaeger(proc, ports);
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Jaeger exited with ${proc.exitCode}:\n${j.log}`);
    try {
      // An empty OTLP export is accepted (200) only once the receiver is up; the query API likewise.
      const [q, o] = await Promise.all([
        fetch(`${j.queryUrl}/api/services`),
        fetch(`${j.otlpHttpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      ]);
      if (q.status === 200 && o.status === 200) return j;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await j.stop();
      throw new Error(`Jaeger not ready after 30 s:\n${j.log}`);
    }
    await sleep(100);
  }
}
