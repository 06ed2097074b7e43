/**
 * Seeded synthetic traces with a known right answer, emitted as OTLP JSON the way real exporters
 * write it (and in the variants seen in the wild: base64 ids, enum names, numeric nanos,
 * instrumentationLibrarySpans, spans of a trace split over many lines).
 */

import { seededRandom } from '../../../test/fixtures/seeded-random';

/** Seeded test randomness (see the fixture). */
export const rng = seededRandom;

export type GenKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
const KIND_NUM: Record<GenKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

export interface GenSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  kind: GenKind;
  /** Milliseconds since the epoch, on the true (global) clock. Fractional ok. */
  startMs: number;
  endMs: number;
  attrs: Record<string, string | number | boolean>;
  error: boolean;
}

let counter = 1;
/** Deterministic unique ids (hex). */
export function nextId(bytes: 8 | 16, r: () => number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(r() * 256).toString(16).padStart(2, '0');
  // Make collisions impossible even with a poor seed.
  const c = (counter++).toString(16);
  return (s.slice(0, bytes * 2 - c.length) + c).replace(/^0/, '1');
}

export class TraceBuilder {
  readonly spans: GenSpan[] = [];
  readonly traceId: string;
  constructor(private readonly r: () => number, traceId?: string) {
    this.traceId = traceId ?? nextId(16, r);
  }

  span(o: {
    service: string; name: string; kind?: GenKind; start: number; dur: number; parent?: GenSpan;
    attrs?: GenSpan['attrs']; error?: boolean; parentSpanId?: string;
  }): GenSpan {
    const s: GenSpan = {
      traceId: this.traceId, spanId: nextId(8, this.r), parentSpanId: o.parentSpanId ?? o.parent?.spanId ?? '',
      service: o.service, name: o.name, kind: o.kind ?? 'internal', startMs: o.start, endMs: o.start + o.dur,
      attrs: o.attrs ?? {}, error: o.error ?? false,
    };
    this.spans.push(s);
    return s;
  }
}

export interface EmitOptions {
  /** Per-service clock offset in ms (skew), applied at emit time. */
  skewMs?: Record<string, number>;
  ids?: 'hex' | 'HEX' | 'base64';
  kinds?: 'number' | 'enum';
  times?: 'string' | 'number';
  scopeKey?: 'scopeSpans' | 'instrumentationLibrarySpans';
  /** Spans per ExportTraceServiceRequest line (batching splits traces over lines). */
  batch?: number;
  envelope?: 'resourceSpans' | 'batches';
}

function toNanos(ms: number): string {
  // Integer ns as a decimal string without going through a lossy double.
  const whole = Math.floor(ms);
  const frac = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1000000n + BigInt(frac)).toString();
}

function encodeId(hex: string, how: EmitOptions['ids']): string {
  if (how === 'base64') return Buffer.from(hex, 'hex').toString('base64');
  if (how === 'HEX') return hex.toUpperCase();
  return hex;
}

function attrValue(v: string | number | boolean): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

/** OTLP JSON documents (one per line) holding `spans`, grouped by service like a real exporter. */
export function toOtlpDocuments(spans: GenSpan[], o: EmitOptions = {}): object[] {
  const batch = o.batch ?? 512;
  const docs: object[] = [];
  for (let i = 0; i < spans.length; i += batch) {
    const chunk = spans.slice(i, i + batch);
    const byService = new Map<string, GenSpan[]>();
    for (const s of chunk) {
      const l = byService.get(s.service);
      if (l) l.push(s);
      else byService.set(s.service, [s]);
    }
    const rs = [...byService].map(([service, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'host.name', value: { stringValue: `${service}-host` } }] },
      [o.scopeKey ?? 'scopeSpans']: [{
        scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
        spans: list.map((s) => {
          const skew = o.skewMs?.[s.service] ?? 0;
          const start = s.startMs + skew;
          const end = s.endMs + skew;
          return {
            traceId: encodeId(s.traceId, o.ids), spanId: encodeId(s.spanId, o.ids),
            parentSpanId: s.parentSpanId ? encodeId(s.parentSpanId, o.ids) : '',
            name: s.name,
            kind: o.kinds === 'enum' ? `SPAN_KIND_${s.kind.toUpperCase()}` : KIND_NUM[s.kind],
            startTimeUnixNano: o.times === 'number' ? Math.round(start * 1e6) : toNanos(start),
            endTimeUnixNano: o.times === 'number' ? Math.round(end * 1e6) : toNanos(end),
            attributes: Object.entries(s.attrs).map(([key, v]) => ({ key, value: attrValue(v) })),
            status: s.error ? { code: o.kinds === 'enum' ? 'STATUS_CODE_ERROR' : 2, message: 'boom' } : {},
          };
        }),
      }],
    }));
    docs.push({ [o.envelope ?? 'resourceSpans']: rs });
  }
  return docs;
}

export function toJsonLines(spans: GenSpan[], o: EmitOptions = {}): string {
  return toOtlpDocuments(spans, o).map((d) => JSON.stringify(d)).join('\n') + '\n';
}

/** Fisher–Yates with the seeded generator: spans of a trace arrive in any order. */
export function shuffle<T>(a: T[], r: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// The demo's world: edge → checkout-api → (postgresql, credit-scoring, payment, inventory, email)
// ---------------------------------------------------------------------------------------------

export interface CascadeDataset {
  spans: GenSpan[];
  /** Degraded period of credit-scoring, ms since the dataset start. */
  degradedFromMs: number;
  degradedToMs: number;
  t0: number;
}

const T0 = Date.UTC(2026, 10, 25, 14, 0, 0);

/** pg spans as instrumentation-pg writes them (plus our fingerprint/summary attributes). */
function dbQuery(b: TraceBuilder, parent: GenSpan, start: number, dur: number, summary: string, hash: string): GenSpan {
  return b.span({
    service: parent.service, name: `pg.query:${summary.split(' ')[0]} shop`, kind: 'client', start, dur, parent,
    attrs: { 'db.system.name': 'postgresql', 'db.system': 'postgresql', 'db.query.summary': summary, 'org.db.query.hash': hash, 'server.address': 'db.internal' },
  });
}

/**
 * The article's cascade: credit-scoring gets slow → checkout-api holds pooled DB connections while
 * waiting for it → the pool runs dry → the unrelated account dashboard waits for connections.
 * Discrete-event simulation of one FIFO pool so waits are what a real pool would produce.
 */
export function cascadeDataset(seed = 7, o: { durationS?: number; poolSize?: number; checkoutRate?: number; dashboardRate?: number; skew?: boolean } = {}): CascadeDataset {
  const r = rng(seed);
  const durationMs = (o.durationS ?? 120) * 1000;
  const degradedFromMs = durationMs * 0.4;
  const degradedToMs = durationMs * 0.6;
  const poolSize = o.poolSize ?? 4;
  const arrivals: Array<{ t: number; type: 'checkout' | 'dashboard' }> = [];
  for (const [type, rate] of [['checkout', o.checkoutRate ?? 4], ['dashboard', o.dashboardRate ?? 15]] as const) {
    for (let t = 0; t < durationMs; t += -Math.log(1 - r()) * (1000 / rate)) arrivals.push({ t, type });
  }
  arrivals.sort((a, b) => a.t - b.t);
  const freeAt = new Array<number>(poolSize).fill(0);
  const spans: GenSpan[] = [];
  for (const a of arrivals) {
    const b = new TraceBuilder(r);
    const tier = r() < 0.2 ? 'gold' : 'standard';
    const edgeIn = T0 + a.t;
    const edgeOverhead = 1 + r();
    const net = 0.5 + r() * 0.5;
    const apiStart = edgeIn + edgeOverhead + net;
    // The pool hands out the connection that frees first (FIFO queue ≈ this for arrivals in order).
    let slot = 0;
    for (let i = 1; i < poolSize; i++) if (freeAt[i] < freeAt[slot]) slot = i;
    const acquireStart = apiStart + 0.3;
    const gotConn = Math.max(acquireStart + 0.05, freeAt[slot]);
    let t = gotConn;
    let apiEndOwn: number;
    const work: Array<(api: GenSpan) => void> = [];
    if (a.type === 'checkout') {
      const degraded = a.t >= degradedFromMs && a.t < degradedToMs;
      const cs = degraded ? 800 + r() * 500 : 40 + r() * 30;
      const q1 = 3 + r() * 3;
      const pay = 20 + r() * 20 + (tier === 'gold' ? 0 : 0);
      const q2 = 4 + r() * 4;
      const sel = t;
      const csStart = sel + q1 + 0.2;
      const payStart = csStart + cs + 0.2;
      const insStart = payStart + pay + 0.2;
      const release = insStart + q2;
      work.push((api) => {
        dbQuery(b, api, sel, q1, 'SELECT carts', 'a1b2c3d4e5f60718');
        const c = b.span({ service: 'checkout-api', name: 'POST', kind: 'client', start: csStart, dur: cs, parent: api, attrs: { 'server.address': 'credit-scoring', 'http.request.method': 'POST' } });
        b.span({ service: 'credit-scoring', name: 'POST /score', kind: 'server', start: csStart + 0.4, dur: cs - 0.8, parent: c, attrs: { 'http.route': '/score' } });
        const p = b.span({ service: 'checkout-api', name: 'POST', kind: 'client', start: payStart, dur: pay, parent: api, attrs: { 'server.address': 'payment' } });
        b.span({ service: 'payment', name: 'POST /charge', kind: 'server', start: payStart + 0.3, dur: pay - 0.6, parent: p, attrs: { 'http.route': '/charge' } });
        dbQuery(b, api, insStart, q2, 'INSERT orders', '0f1e2d3c4b5a6978');
        const prod = b.span({ service: 'checkout-api', name: 'orders publish', kind: 'producer', start: release + 0.1, dur: 0.5, parent: api, attrs: { 'messaging.destination.name': 'orders' } });
        b.span({ service: 'email', name: 'orders process', kind: 'consumer', start: release + 5 + r() * 20, dur: 30 + r() * 10, parent: prod });
      });
      freeAt[slot] = release;
      apiEndOwn = release + 0.6 + 0.5;
    } else {
      const qs = [2 + r() * 2, 3 + r() * 3, 2 + r() * 2];
      const starts: number[] = [];
      for (const q of qs) {
        starts.push(t);
        t += q + 0.1;
      }
      work.push((api) => {
        qs.forEach((q, i) => dbQuery(b, api, starts[i], q, ['SELECT accounts', 'SELECT balances', 'SELECT notifications'][i], ['11', '22', '33'][i].repeat(8)));
      });
      freeAt[slot] = t;
      apiEndOwn = t + 0.5;
    }
    const route = a.type === 'checkout' ? '/checkout' : '/account/dashboard';
    const method = a.type === 'checkout' ? 'POST' : 'GET';
    const apiDur = apiEndOwn - apiStart;
    const edgeDur = apiDur + 2 * net + edgeOverhead + 0.5;
    const edge = b.span({ service: 'edge', name: `${method} ${route}`, kind: 'server', start: edgeIn, dur: edgeDur, attrs: { 'http.route': route, 'customer.tier': tier } });
    const proxy = b.span({ service: 'edge', name: method, kind: 'client', start: edgeIn + edgeOverhead, dur: apiDur + 2 * net, parent: edge, attrs: { 'server.address': 'checkout-api' } });
    const api = b.span({ service: 'checkout-api', name: `${method} ${route}`, kind: 'server', start: apiStart, dur: apiDur, parent: proxy, attrs: { 'http.route': route, 'customer.tier': tier } });
    b.span({ service: 'checkout-api', name: 'pg-pool.connect', kind: 'internal', start: acquireStart, dur: gotConn - acquireStart, parent: api, attrs: { 'db.system': 'postgresql' } });
    for (const w of work) w(api);
    spans.push(...b.spans);
  }
  return { spans, degradedFromMs, degradedToMs, t0: T0 };
}
