// Deliverable 1 of issue 10: Node apps under `--require @org/trace-register` → the bundled collector
// → a real Jaeger v2 (built from the Go module proxy). The trace is looked up in Jaeger by the
// X-Trace-ID the client sent, and `trace-analyze --jaeger` reads the same traces back.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { httpGet } from '../fixtures/spawn-app';
import { InteropStack, Peer, via } from './helpers/interop-stack';
import { JaegerTrace } from './helpers/jaeger-process';
import { isDbSpan, realWarnings, serverSpans } from './helpers/trace-shape';
import { asUuid, expectedTraceId, freeFormLegacyId, randomUUID } from './helpers/legacy-id';
import { REPO_ROOT } from './helpers/required-tools';

const ANALYZE_CLI = join(REPO_ROOT, 'packages', 'trace-analyze', 'dist', 'cli.js');

let stack: InteropStack;
let front: Peer;
let back: Peer;
// Unique per run: Jaeger is fresh, but unique names also keep trace-analyze's service search exact.
const run = Date.now().toString(36);
// Every trace this file started at front, so trace-analyze's answer can be checked exactly.
const sentToFront = new Set<string>();

/** GET front /call → back <path>, recording the trace id the request ends up with. */
async function callFront(path: string, headers: Record<string, string> = {}) {
  const res = await httpGet(via(front.url, `${back.url}${path}`), headers);
  expect(res.status).toBe(200);
  sentToFront.add(expectedTraceId(String(res.headers['x-trace-id'])));
  return res;
}

beforeAll(async () => {
  stack = await InteropStack.start();
  [front, back] = await Promise.all([stack.node(`interop-front-${run}`), stack.node(`interop-back-${run}`)]);
}, 60000);

afterAll(async () => {
  await stack?.stop();
});

const byId = (t: JaegerTrace) => new Map(t.spans.map((s) => [s.spanId, s]));

/** front /call → back /users (a real PostgreSQL query): server, client, server, db spans. */
function hasWholeChain(t: JaegerTrace): boolean {
  return serverSpans(t, front.service).length === 1 && serverSpans(t, back.service).length === 1 && t.spans.some((s) => s.service === back.service && isDbSpan(s));
}

/** Checks the shape Jaeger shows: one root (front's server span), every other span's parent present. */
function expectConnectedTree(t: JaegerTrace, traceId: string) {
  expect(t.traceId).toBe(traceId);
  expect(realWarnings(t)).toEqual([]); // e.g. "invalid parent span IDs" from a synthetic parent
  const spans = byId(t);
  const roots = t.spans.filter((s) => s.parentSpanId === undefined);
  expect(roots.map((s) => `${s.service}:${s.kind}`)).toEqual([`${front.service}:server`]);
  for (const s of t.spans) {
    expect(s.traceId).toBe(traceId);
    if (s.parentSpanId !== undefined) expect(spans.has(s.parentSpanId)).toBe(true);
  }
  // The hop between the two services: back's server span is a child of front's client span.
  const backServer = serverSpans(t, back.service)[0];
  const parent = spans.get(backServer.parentSpanId!)!;
  expect(parent.service).toBe(front.service);
  expect(parent.kind).toBe('client');
  // The db span belongs under back's request: walking up its parents reaches back's server span.
  const db = t.spans.find((s) => s.service === back.service && isDbSpan(s))!;
  const ancestors: string[] = [];
  for (let p = spans.get(db.parentSpanId ?? ''); p && ancestors.length < 20; p = spans.get(p.parentSpanId ?? '')) ancestors.push(p.spanId);
  expect(ancestors).toContain(backServer.spanId);
}

describe('found in Jaeger by the X-Trace-ID the client sent', () => {
  test.each([
    ['a free-form id (hashed onto the trace id)', () => freeFormLegacyId('order')],
    ['a uuid (its 128 bits are the trace id)', () => randomUUID()],
  ])('%s', async (_label, makeId) => {
    const legacy = makeId();
    const traceId = expectedTraceId(legacy);
    const res = await callFront('/users?email=x@example.com', { 'X-Trace-ID': legacy });
    expect(res.headers['x-trace-id']).toBe(legacy); // echoed unchanged to the caller

    const t = await stack.jaeger.waitForTrace(traceId, hasWholeChain);
    expectConnectedTree(t, traceId);
    // The legacy value is on the entry span, as a captured request header, so it is searchable too.
    const root = serverSpans(t, front.service)[0];
    expect(root.tags['http.request.header.x-trace-id']).toBe(JSON.stringify([legacy]));
    // So the search API (the Jaeger UI's Tags box) finds it by the value — but only spelled as the
    // JSON array Jaeger made of the semconv string[] attribute: the bare value finds nothing.
    const key = 'http.request.header.x-trace-id';
    expect(await stack.jaeger.searchByTag(front.service, key, JSON.stringify([legacy]))).toEqual([traceId]);
    expect(await stack.jaeger.searchByTag(front.service, key, legacy)).toEqual([]);
    expect(root.tags['org.xtraceid.outcome']).toBe('trace_root');
    // front forwarded traceparent AND the legacy header; back took the parent and agreed with it.
    expect(serverSpans(t, back.service)[0].tags['org.xtraceid.outcome']).toBe('parent_match');
  });

  test('without X-Trace-ID, the echoed id (uuid of the trace id) finds the trace', async () => {
    const res = await callFront('/users');
    const echoed = String(res.headers['x-trace-id']);
    expect(echoed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const t = await stack.jaeger.waitForTrace(expectedTraceId(echoed), hasWholeChain);
    expectConnectedTree(t, expectedTraceId(echoed));
    expect(asUuid(t.traceId)).toBe(echoed);
  });

  test('an id nobody sent is not found (the lookup can fail)', async () => {
    expect(await stack.jaeger.getTrace(expectedTraceId(freeFormLegacyId('never-sent')))).toBeUndefined();
  });
});

interface Report {
  traces: number;
  spans: number;
  endpoints: Array<{ service: string; operation: string; count: number; worst_trace: { trace_id: string; spans: Array<{ service: string; kind: string }> } | null }>;
  input: { issue_count: number; issues: unknown[]; orphan_spans: number; incomplete_traces: number };
}

function analyze(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ANALYZE_CLI, ...args], { timeout: 60000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('trace-analyze --jaeger reads those traces from the real Jaeger', () => {
  const ids: string[] = [];

  beforeAll(async () => {
    // A known set of its own: three requests, each with its own X-Trace-ID, on a service of their own.
    for (let i = 0; i < 3; i++) {
      const legacy = freeFormLegacyId(`analyze-${i}`);
      ids.push(expectedTraceId(legacy));
      await callFront('/users', { 'X-Trace-ID': legacy });
    }
    for (const id of ids) await stack.jaeger.waitForTrace(id, hasWholeChain);
  }, 60000);

  async function expectAnalysed(api: 'v1' | 'v3') {
    const r = await analyze(['--jaeger', stack.jaeger.queryUrl, '--jaeger-api', api, '--service', front.service, '--lookback', '15m', '--format', 'json', '--strict']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout) as Report;
    // Every request this file sent to front, and nothing else.
    expect(report.traces).toBe(sentToFront.size);
    expect(report.input.incomplete_traces).toBe(0);
    expect(report.input.orphan_spans).toBe(0);
    const ep = report.endpoints.find((e) => e.service === front.service && e.count === sentToFront.size);
    expect(ep).toBeDefined();
    // The slowest trace is one of ours, and its spans cross into the back service.
    const worst = report.endpoints.flatMap((e) => (e.worst_trace ? [e.worst_trace] : []));
    expect(worst.length).toBeGreaterThan(0);
    for (const w of worst) {
      expect(sentToFront.has(w.trace_id)).toBe(true);
      expect(w.spans.some((s) => s.service === back.service)).toBe(true);
    }
  }

  test('--jaeger-api v1 (/api/traces)', () => expectAnalysed('v1'));

  // Jaeger v2.13's api/v3 HTTP gateway takes the result limit as `query.num_traces` (without it the
  // in-memory store answers HTTP 500 "search depth must be greater than 0…"): this found the bug.
  test('--jaeger-api v3 (/api/v3/traces)', () => expectAnalysed('v3'));

  test('the backend being down is a clear error, not an empty report', async () => {
    const r = await analyze(['--jaeger', 'http://127.0.0.1:9', '--service', front.service, '--format', 'json', '--timeout', '5s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trace-analyze: /);
  });
});
