// Deliverable 2a of issue 10: a Flask service with the article's hand-rolled X-Trace-ID middleware
// and no OpenTelemetry, between and in front of Node services under `--require @org/trace-register`.
// It forwards X-Trace-ID and drops traceparent, so the Node services on either side can only land in
// one trace if the distribution maps the legacy id onto the trace id the same way each time.
import { httpGet } from '../fixtures/spawn-app';
import { InteropStack, Peer, via } from './helpers/interop-stack';
import { pythonVenv, VENV_TIMEOUT_MS } from './helpers/required-tools';
import { expectedTraceId, freeFormLegacyId } from './helpers/legacy-id';
import { danglingParents, realWarnings, isDbSpan, parentOf, roots, serverSpans, services } from './helpers/trace-shape';

let stack: InteropStack;
let nodeA: Peer;
let nodeB: Peer;
let py: Peer;
const run = Date.now().toString(36);

beforeAll(async () => {
  pythonVenv(); // first, on its own clock: creating the venv (cold) may take minutes of pip
  stack = await InteropStack.start();
  [nodeA, nodeB, py] = await Promise.all([stack.node(`node-a-${run}`), stack.node(`node-b-${run}`), stack.python('legacy', `py-legacy-${run}`)]);
}, VENV_TIMEOUT_MS + 120000);

afterAll(async () => {
  await stack?.stop();
});

/** The article's structured log lines the Flask peer printed for one id. */
function pythonLog(id: string): Array<Record<string, unknown>> {
  return py.app.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.trace_id === id);
}

test('Node → Python (legacy) → Node: X-Trace-ID survives every hop and both Node services join one trace by it', async () => {
  const legacy = freeFormLegacyId('checkout');
  const traceId = expectedTraceId(legacy);
  const res = await httpGet(via(nodeA.url, via(py.url, `${nodeB.url}/headers`)), { 'X-Trace-ID': legacy });
  expect(res.status).toBe(200);
  expect(res.headers['x-trace-id']).toBe(legacy);

  // What each hop saw: Python got the caller's value from node A, node B got it from Python …
  const body = JSON.parse(res.body) as { service: string; x_trace_id: string; downstream: Record<string, string> };
  expect(body.service).toBe(py.service);
  expect(body.x_trace_id).toBe(legacy);
  expect(body.downstream['x-trace-id']).toBe(legacy);
  // … and no W3C context crossed the legacy service: node B cannot have joined by traceparent.
  expect(body.downstream.traceparent).toBeUndefined();
  expect(pythonLog(legacy).map((e) => e.event)).toEqual(expect.arrayContaining(['request_start', 'external_request_complete', 'request_complete']));

  const t = await stack.jaeger.waitForTrace(traceId, (x) => serverSpans(x, nodeA.service).length === 1 && serverSpans(x, nodeB.service).length === 1);
  expect(services(t)).toEqual([nodeA.service, nodeB.service].sort()); // the legacy peer exports nothing
  expect(t.spans.every((s) => s.traceId === traceId)).toBe(true);
  // Two roots, one per Node service — node B's request is a root of the SAME trace, not an orphan
  // with a made-up parent (which Jaeger would flag as "invalid parent span IDs").
  expect(roots(t).map((s) => s.service).sort()).toEqual([nodeA.service, nodeB.service].sort());
  expect(danglingParents(t)).toEqual([]);
  expect(realWarnings(t)).toEqual([]);
  const bEntry = serverSpans(t, nodeB.service)[0];
  expect(bEntry.tags['org.xtraceid.outcome']).toBe('trace_root');
  expect(JSON.stringify(bEntry.tags['http.request.header.x-trace-id'])).toContain(legacy);
});

test('Python (legacy) → Node → Node: the uuid Python minted becomes the trace id, and the Node hops nest under it', async () => {
  // No header from the client: the Flask middleware mints a uuid4, as in the article.
  const res = await httpGet(via(py.url, via(nodeA.url, `${nodeB.url}/users`)));
  expect(res.status).toBe(200);
  const body = JSON.parse(res.body) as { x_trace_id: string; downstream: unknown };
  const minted = body.x_trace_id;
  expect(minted).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(res.headers['x-trace-id']).toBe(minted);
  expect(pythonLog(minted).length).toBeGreaterThanOrEqual(3);

  const traceId = expectedTraceId(minted);
  expect(traceId).toBe(minted.replace(/-/g, ''));
  const t = await stack.jaeger.waitForTrace(
    traceId,
    (x) => serverSpans(x, nodeA.service).length === 1 && serverSpans(x, nodeB.service).length === 1 && x.spans.some(isDbSpan),
  );
  expect(services(t)).toEqual([nodeA.service, nodeB.service].sort());
  // Node A is the root (its trace id from the legacy uuid); node B joined A by traceparent.
  expect(roots(t).map((s) => `${s.service}:${s.kind}`)).toEqual([`${nodeA.service}:server`]);
  expect(serverSpans(t, nodeA.service)[0].tags['org.xtraceid.mapping']).toBe('uuid');
  const bEntry = serverSpans(t, nodeB.service)[0];
  expect(parentOf(t, bEntry)?.service).toBe(nodeA.service);
  expect(bEntry.tags['org.xtraceid.outcome']).toBe('parent_match');
  expect(danglingParents(t)).toEqual([]);
  expect(realWarnings(t)).toEqual([]);
});

test('two requests with different legacy ids stay two traces', async () => {
  const [x, y] = [freeFormLegacyId('a'), freeFormLegacyId('b')];
  await Promise.all([x, y].map((id) => httpGet(via(nodeA.url, via(py.url, `${nodeB.url}/users`)), { 'X-Trace-ID': id })));
  // Both services' spans of both traces first: node A's server span ends last and can reach the
  // collector after its trace was already decided (forwarded on its own, later), so a trace seen
  // with only node B in it is not yet complete. Then each trace, read again, holds one of each.
  for (const id of [x, y]) await stack.jaeger.waitForTrace(expectedTraceId(id), (tr) => serverSpans(tr, nodeA.service).length >= 1 && serverSpans(tr, nodeB.service).length >= 1);
  for (const id of [x, y]) {
    const t = (await stack.jaeger.getTrace(expectedTraceId(id)))!;
    expect(serverSpans(t, nodeA.service)).toHaveLength(1);
    expect(serverSpans(t, nodeB.service)).toHaveLength(1);
  }
});
