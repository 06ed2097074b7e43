import { percentileSorted } from '../src/percentiles';
import type { AnalysisReport, EndpointReport } from '../src/report-schema';
import { load } from './helpers';
import { cascadeDataset, rng, shuffle, TraceBuilder, type GenSpan } from './trace-generator';

const T = Date.UTC(2026, 0, 1, 12);

/** checkout: api server → [db query 20 ms] → [payment call] (slow in 10% of traces) */
function checkoutTraces(n: number, seed = 1): { spans: GenSpan[]; slowPayment: Set<string> } {
  const r = rng(seed);
  const spans: GenSpan[] = [];
  const slowPayment = new Set<string>();
  for (let i = 0; i < n; i++) {
    const b = new TraceBuilder(r);
    const t = T + i * 1000;
    const slow = i % 10 === 3;
    const pay = slow ? 400 + r() * 100 : 30 + r() * 10;
    const tier = slow ? (r() < 0.9 ? 'gold' : 'standard') : r() < 0.1 ? 'gold' : 'standard';
    const total = 2 + 20 + 1 + pay + 3;
    const root = b.span({ service: 'checkout-api', name: 'POST /checkout', kind: 'server', start: t, dur: total, attrs: { 'http.route': '/checkout', 'customer.tier': tier, 'request.id': `req-${i}` } });
    b.span({ service: 'checkout-api', name: 'pg.query:SELECT', kind: 'client', start: t + 2, dur: 20, parent: root, attrs: { 'db.system.name': 'postgresql', 'db.query.summary': 'SELECT carts', 'org.db.query.hash': 'feedface00000001' } });
    // A 15 ms cache lookup fully in parallel with the DB query: never on the critical path.
    b.span({ service: 'checkout-api', name: 'redis GET', kind: 'client', start: t + 2, dur: 15, parent: root, attrs: { 'server.address': 'cache.internal' } });
    const c = b.span({ service: 'checkout-api', name: 'POST', kind: 'client', start: t + 23, dur: pay, parent: root, attrs: { 'server.address': 'payment' } });
    b.span({ service: 'payment', name: 'POST /charge', kind: 'server', start: t + 24, dur: pay - 2, parent: c, attrs: { 'http.route': '/charge' } });
    if (slow) slowPayment.add(b.traceId);
    spans.push(...b.spans);
  }
  return { spans, slowPayment };
}

function endpoint(rep: AnalysisReport, name: string): EndpointReport {
  const ep = rep.endpoints.find((e) => e.name === name);
  if (!ep) throw new Error(`no endpoint ${name} in ${rep.endpoints.map((e) => e.name).join(', ')}`);
  return ep;
}

describe('analysis', () => {
  it('groups by root service + root span and computes exact percentiles (PERCENTILE_CONT)', () => {
    const r = rng(5);
    const spans: GenSpan[] = [];
    const durs: number[] = [];
    for (let i = 0; i < 257; i++) {
      const b = new TraceBuilder(r);
      const d = 1 + Math.floor(r() * 1000) + Math.round(r() * 1000) / 1000; // the generator works in float ms since the epoch: ~0.25 µs resolution
      durs.push(d);
      b.span({ service: 'api', name: 'GET /a', kind: 'server', start: T + i * 10, dur: d });
      spans.push(...b.spans);
    }
    const b = new TraceBuilder(r);
    b.span({ service: 'other', name: 'GET /a', kind: 'server', start: T, dur: 5 });
    spans.push(...b.spans);
    const rep = load(shuffle(spans, r)).finish();
    expect(rep.endpoints.map((e) => [e.name, e.count])).toEqual([['api GET /a', 257], ['other GET /a', 1]]);
    const ep = endpoint(rep, 'api GET /a');
    const sorted = durs.slice().sort((a, c) => a - c);
    // Independent reference: numpy-style linear interpolation.
    const ref = (p: number) => {
      const h = (sorted.length - 1) * p;
      return sorted[Math.floor(h)] + (h - Math.floor(h)) * (sorted[Math.ceil(h)] - sorted[Math.floor(h)]);
    };
    expect(ep.p50_ms).toBeCloseTo(ref(0.5), 3);
    expect(ep.p95_ms).toBeCloseTo(ref(0.95), 3);
    expect(ep.p99_ms).toBeCloseTo(ref(0.99), 3);
    expect(ep.max_ms).toBeCloseTo(sorted[256], 3);
    expect(ep.slow_threshold_ms).toBe(ep.p95_ms);
    expect(ep.slow_count).toBe(sorted.filter((d) => d > ref(0.95) + 1e-3).length);
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2.5);
  });

  it('finds the component that grows in slow traces, with shares and excess shares summing to 1', () => {
    const { spans } = checkoutTraces(500);
    const rep = load(spans).finish();
    const ep = endpoint(rep, 'checkout-api POST /checkout');
    expect(ep.slow_count).toBe(25);
    const sum = (f: (c: EndpointReport['components'][0]) => number) => ep.components.reduce((a, c) => a + f(c), 0);
    expect(sum((c) => c.share)).toBeCloseTo(1, 9);
    expect(sum((c) => c.excess_share!)).toBeCloseTo(1, 9);
    // Components sorted by share, payment on top in slow traces.
    expect(ep.components[0].component).toBe('payment: POST /charge');
    expect(ep.components[0].kind).toBe('server');
    expect(ep.components[0].excess_share!).toBeGreaterThan(0.95);
    // DB time is attributed by fingerprint with its summary; the parallel cache call is not on the path.
    const db = ep.components.find((c) => c.kind === 'db')!;
    expect(db.component).toBe('postgresql: SELECT carts #feedface');
    expect(db.service).toBe('postgresql');
    expect(db.mean_ms).toBeCloseTo(20, 6);
    expect(db.excess_share!).toBeCloseTo(0, 6);
    expect(ep.components.find((c) => c.component.includes('cache.internal'))).toBeUndefined();
    // The CLIENT → SERVER gap is its own network component (2 ms: 1 ms each side).
    const net = ep.components.find((c) => c.kind === 'network')!;
    expect(net.component).toBe('network/queue checkout-api → payment');
    expect(net.mean_ms).toBeCloseTo(2, 6);
    const culprit = rep.findings.find((f) => f.type === 'culprit')!;
    expect(culprit.summary).toMatch(/payment: POST \/charge/);
    // Attribute over-represented in slow traces; request ids (unique) are not compared.
    expect(ep.slow_attributes[0]).toMatchObject({ attribute: 'customer.tier', value: 'gold' });
    expect(ep.slow_attributes.find((a) => a.attribute === 'request.id')).toBeUndefined();
    expect(rep.findings.some((f) => f.type === 'attribute' && /customer\.tier=gold/.test(f.summary))).toBe(true);
  });

  it('differs from the article\'s summed durations, which double-count nested spans', () => {
    const { spans } = checkoutTraces(200, 2);
    const rep = load(spans).finish();
    const ep = endpoint(rep, 'checkout-api POST /checkout');
    const critical = ep.components.reduce((a, c) => a + c.mean_ms, 0);
    // Naive: sum of all span durations of the slow traces (client + server double-count the call).
    const slowIds = new Set<string>();
    const byTrace = new Map<string, GenSpan[]>();
    for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    for (const [id, l] of byTrace) if (l.find((s) => !s.parentSpanId)!.endMs - l.find((s) => !s.parentSpanId)!.startMs > ep.slow_threshold_ms) slowIds.add(id);
    const naive = [...slowIds].map((id) => byTrace.get(id)!.reduce((a, s) => a + s.endMs - s.startMs, 0)).reduce((a, b) => a + b, 0) / slowIds.size;
    expect(critical).toBeCloseTo(ep.slow_mean_ms!, 6); // critical path = real latency
    expect(naive).toBeGreaterThan(2.5 * ep.slow_mean_ms!); // the article's number is > 2.5× reality
  });

  it('compares application attributes set on inner spans too, but not per-call semconv details', () => {
    const r = rng(77);
    const spans: GenSpan[] = [];
    for (let i = 0; i < 300; i++) {
      const b = new TraceBuilder(r);
      const flag = i % 10 === 0 ? 'new-pricing' : 'old-pricing';
      const slow = flag === 'new-pricing';
      const root = b.span({ service: 'api', name: 'GET /cart', kind: 'server', start: T + i * 100, dur: slow ? 300 : 50 + r() * 10 });
      b.span({ service: 'api', name: 'price', start: T + i * 100 + 1, dur: slow ? 290 : 40, parent: root, attrs: { 'feature.flag': flag, 'code.lineno': i } });
      spans.push(...b.spans);
    }
    const rep = load(spans).finish({ slow: '200ms' });
    const ep = endpoint(rep, 'api GET /cart');
    expect(ep.slow_attributes.map((a) => `${a.attribute}=${a.value}`)).toEqual(['feature.flag=new-pricing']);
  });

  it('names endpoints by route, or by the templated path when a server span has neither', () => {
    const r = rng(78);
    const spans: GenSpan[] = [];
    const variants: Array<Record<string, string>> = [{ 'http.route': '/orders/:id' }, { 'http.target': '/orders/42?x=1' }, { 'url.path': '/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6' }];
    for (const [i, attrs] of variants.entries()) {
      const b = new TraceBuilder(r);
      b.span({ service: 'api', name: 'GET', kind: 'server', start: T + i, dur: 10, attrs });
      spans.push(...b.spans);
    }
    const rep = load(spans).finish();
    expect(rep.endpoints.map((e) => [e.name, e.count])).toEqual([['api GET /orders/{id}', 2], ['api GET /orders/:id', 1]]);
    expect(rep.endpoints[0].components[0].component).toBe('api: GET /orders/{id}');
  });

  it('supports an absolute slow threshold', () => {
    const { spans, slowPayment } = checkoutTraces(100, 3);
    const rep = load(spans).finish({ slow: '300ms' });
    const ep = endpoint(rep, 'checkout-api POST /checkout');
    expect(ep.slow_threshold_ms).toBe(300);
    expect(ep.slow_count).toBe(slowPayment.size);
    expect(rep.slow_rule).toBe('300ms');
  });

  it('attributes uninstrumented peers, pool wait and connect time to their own components', () => {
    const b = new TraceBuilder(rng(7));
    const root = b.span({ service: 'api', name: 'GET', kind: 'server', start: T, dur: 100, attrs: { 'http.route': '/account/dashboard' } });
    b.span({ service: 'api', name: 'pg-pool.connect', start: T + 1, dur: 40, parent: root, attrs: { 'db.system': 'postgresql' } });
    b.span({ service: 'api', name: 'pg.connect', start: T + 41, dur: 9, parent: root });
    b.span({ service: 'api', name: 'POST', kind: 'client', start: T + 50, dur: 45, parent: root, attrs: { 'url.full': 'https://scoring.example.com/v1/score' } });
    const rep = load(b.spans).finish();
    const ep = endpoint(rep, 'api GET /account/dashboard');
    const get = (label: string) => ep.components.find((c) => c.component === label)!;
    expect(get('api: postgresql pool wait')).toMatchObject({ kind: 'pool_wait', service: 'api', mean_ms: 40 });
    expect(get('api: postgresql connect')).toMatchObject({ kind: 'pool_wait', mean_ms: 9 });
    expect(get('api → scoring.example.com')).toMatchObject({ kind: 'client', service: 'scoring.example.com', mean_ms: 45 });
    expect(get('api: GET /account/dashboard')).toMatchObject({ kind: 'server', mean_ms: 6 });
  });

  it('reports async consumers as their own endpoints and partial traces as incomplete', () => {
    const b = new TraceBuilder(rng(8));
    const root = b.span({ service: 'api', name: 'POST /order', kind: 'server', start: T, dur: 50 });
    const prod = b.span({ service: 'api', name: 'orders publish', kind: 'producer', start: T + 10, dur: 1, parent: root });
    b.span({ service: 'worker', name: 'orders process', kind: 'consumer', start: T + 100, dur: 700, parent: prod });
    const partial = new TraceBuilder(rng(9));
    partial.span({ service: 'api', name: 'lost', start: T, dur: 5, parentSpanId: 'abcdefabcdefabcd' });
    const rep = load([...b.spans, ...partial.spans]).finish();
    expect(rep.traces).toBe(1);
    expect(rep.input.incomplete_traces).toBe(1);
    expect(rep.input.async_units).toBe(1);
    expect(endpoint(rep, 'api POST /order').max_ms).toBe(50);
    expect(endpoint(rep, 'worker orders process')).toMatchObject({ origin: 'async', max_ms: 700 });
  });

  it('explains the cascade: slow credit-scoring → pool exhaustion → dashboard waits', () => {
    const d = cascadeDataset(11);
    const rep = load(shuffle(d.spans, rng(1)), { batch: 100, skewMs: { payment: 40, 'credit-scoring': -25, edge: 3 } }).finish();
    const cascade = rep.findings.find((f) => f.type === 'cascade')!;
    expect(cascade).toBeDefined();
    expect(rep.findings[0]).toBe(cascade);
    expect(cascade.dependency).toBe('credit-scoring');
    expect(cascade.holders).toEqual(['checkout-api']);
    expect(cascade.holds_connection_fraction).toBe(1);
    expect((cascade.victims as Array<{ endpoint: string }>).map((v) => v.endpoint)).toEqual(['edge GET /account/dashboard']);
    expect(cascade.summary).toMatch(/credit-scoring.*slowed.*DB connection wait rose.*edge GET \/account\/dashboard, which does not call credit-scoring/);
    // The degraded windows overlap the injected degradation.
    const from = Date.parse((cascade.degraded_windows as { from: string }).from) - d.t0;
    expect(from).toBeGreaterThanOrEqual(d.degradedFromMs - 10_000);
    expect(from).toBeLessThan(d.degradedToMs);
    // The dashboard's slow time is pool wait, not queries.
    const dash = endpoint(rep, 'edge GET /account/dashboard');
    expect(dash.components[0]).toMatchObject({ kind: 'pool_wait', component: 'checkout-api: postgresql pool wait' });
    expect(dash.components[0].excess_share!).toBeGreaterThan(0.9);
    expect(rep.input.skew_adjusted_spans).toBeGreaterThan(0);
  });

  it('finds no cascade when the dependency is slow but nobody holds connections across it', () => {
    const d = cascadeDataset(12, { poolSize: 200 });
    const rep = load(d.spans).finish();
    expect(rep.findings.find((f) => f.type === 'cascade')).toBeUndefined();
    const co = endpoint(rep, 'edge POST /checkout');
    expect(co.components[0].component).toBe('credit-scoring: POST /score');
  });
});
