import { AnalysisSession } from '../src/analyze';
import { normalizeId } from '../src/ids';
import { TimeBase } from '../src/time-base';
import { load } from './helpers';
import { jaegerDoc } from './jaeger-fixture';
import { rng, TraceBuilder, type EmitOptions } from './trace-generator';

const T = Date.UTC(2026, 0, 1);

function sample() {
  const b = new TraceBuilder(rng(100));
  const root = b.span({ service: 'edge', name: 'GET /checkout', kind: 'server', start: T, dur: 120.5, attrs: { 'http.route': '/checkout', 'customer.tier': 'gold' } });
  const c = b.span({ service: 'edge', name: 'GET', kind: 'client', start: T + 1, dur: 110, parent: root, attrs: { 'server.address': 'api' } });
  const s = b.span({ service: 'api', name: 'GET /checkout', kind: 'server', start: T + 2, dur: 100, parent: c, error: true });
  b.span({ service: 'api', name: 'pg.query:SELECT', kind: 'client', start: T + 10, dur: 5.25, parent: s, attrs: { 'db.system.name': 'postgresql', 'db.query.summary': 'SELECT carts' } });
  return b;
}

describe('OTLP JSON reader', () => {
  const variants: Array<[string, EmitOptions]> = [
    ['hex ids, numeric kinds, string nanos', {}],
    ['upper-case hex ids', { ids: 'HEX' }],
    ['base64 ids', { ids: 'base64' }],
    ['enum names for kind and status', { kinds: 'enum' }],
    ['number nanoseconds', { times: 'number' }],
    ['instrumentationLibrarySpans', { scopeKey: 'instrumentationLibrarySpans' }],
    ['Tempo "batches" envelope', { envelope: 'batches' }],
    ['one span per document', { batch: 1 }],
  ];
  it.each(variants)('reads %s to the same spans', (_label, o) => {
    const b = sample();
    const ref = [...load(b.spans).store.traces.values()][0];
    const got = [...load(b.spans, o).store.traces.values()];
    expect(got).toHaveLength(1);
    const norm = (l: typeof ref) => l.map((x) => ({ ...x, start: x.start - l[0].start, end: x.end - l[0].start })).sort((x, y) => x.spanId.localeCompare(y.spanId));
    const a = norm(got[0]);
    const e = norm(ref);
    if (o.times === 'number') {
      // Numeric nanos lose precision in JSON.parse: compare to the microsecond.
      a.forEach((x, i) => {
        expect(Math.abs(x.start - e[i].start)).toBeLessThan(1000);
        expect(Math.abs(x.end - e[i].end)).toBeLessThan(1000);
      });
      expect(a.map((x) => ({ ...x, start: 0, end: 0 }))).toEqual(e.map((x) => ({ ...x, start: 0, end: 0 })));
    } else expect(a).toEqual(e);
    expect(e.find((x) => x.service === 'api' && x.kind === 'server')!.error).toBe(true);
    expect(e.find((x) => x.kind === 'client' && x.service === 'api')!.end - e.find((x) => x.kind === 'client' && x.service === 'api')!.start).toBe(5_250_000);
  });

  it('keeps nanosecond precision of string timestamps', () => {
    const t = new TimeBase();
    expect(t.fromNanos('1764079200123456789')).toBe(123456789);
    expect(t.fromNanos('1764079201000000001')).toBe(1_000_000_001);
    expect(t.toEpochMs(123456789)).toBeCloseTo(1764079200123.4568, 3);
    expect(t.fromNanos('12a')).toBeUndefined();
    expect(t.fromNanos('1e21')).toBeUndefined();
    expect(t.fromNanos(-5)).toBeUndefined();
  });

  it('normalises ids', () => {
    expect(normalizeId('ABCDEF0123456789', 8)).toBe('abcdef0123456789');
    expect(normalizeId('1f', 8)).toBe('000000000000001f'); // Jaeger v1 strips leading zeros
    expect(normalizeId(Buffer.from('0102030405060708', 'hex').toString('base64'), 8)).toBe('0102030405060708');
    expect(normalizeId('AAAAAAAAAAA=', 8)).toBe(''); // all-zero = no parent
    expect(normalizeId('', 8)).toBe('');
    expect(normalizeId('not an id!', 8)).toBeUndefined();
    expect(normalizeId(42, 16)).toBeUndefined();
  });

  it('regroups a trace split over many documents in any order', () => {
    const b = sample();
    const s = new AnalysisSession();
    const docs = [...b.spans].reverse().map((sp) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: sp.service } }] }, scopeSpans: [{ spans: [toOtlp(sp)] }] }] }));
    docs.forEach((d, i) => s.addDocument(d, `doc${i}`));
    expect(s.store.traces.size).toBe(1);
    expect([...s.store.traces.values()][0]).toHaveLength(4);
  });

  it('skips and reports spans with wrong types, keeping the good ones', () => {
    const s = new AnalysisSession();
    const good = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'ok', kind: 2, startTimeUnixNano: '1764079200000000000', endTimeUnixNano: '1764079200100000000' };
    const n = s.addDocument({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{ spans: [good, { ...good, spanId: 12 }, { ...good, spanId: 'c7ad6b7169203331', startTimeUnixNano: 'yesterday' }, { ...good, spanId: 'd7ad6b7169203331', kind: 'SPAN_KIND_BOGUS' }, 'nope'] }],
      }, 'junk'],
    }, 'file.jsonl');
    expect(n).toBe(1);
    expect(s.issueCount).toBe(5);
    expect(s.issues.map((i) => i.message).join('\n')).toMatch(/invalid spanId 12[\s\S]*invalid startTimeUnixNano "yesterday"[\s\S]*invalid kind "SPAN_KIND_BOGUS"[\s\S]*not an object[\s\S]*resourceSpans\[1\] is not an object/);
    expect(s.issues.every((i) => i.source === 'file.jsonl')).toBe(true);
    expect(s.addDocument({ hello: 'world' }, 'x.json')).toBe(0);
    expect(s.issues[s.issues.length - 1].message).toMatch(/not an OTLP trace document/);
  });

  it('reads Jaeger v1 JSON (µs, references, processes) including FOLLOWS_FROM', () => {
    const s = new AnalysisSession();
    s.addDocument(jaegerDoc(), 'jaeger.json');
    const spans = [...s.store.traces.values()][0];
    expect(spans).toHaveLength(3);
    const byName = Object.fromEntries(spans.map((x) => [x.name, x]));
    expect(byName['GET /checkout'].kind).toBe('server');
    expect(byName['GET /checkout'].service).toBe('edge');
    expect(byName['SELECT'].parentSpanId).toBe(byName['GET /checkout'].spanId);
    expect(byName['SELECT'].end - byName['SELECT'].start).toBe(5_000_000);
    expect(byName['send-email'].followsFrom).toBe(true);
    expect(byName['GET /checkout'].error).toBe(true);
  });
});

function toOtlp(sp: { traceId: string; spanId: string; parentSpanId: string; name: string; startMs: number; endMs: number }) {
  return { traceId: sp.traceId, spanId: sp.spanId, parentSpanId: sp.parentSpanId, name: sp.name, kind: 1, startTimeUnixNano: String(BigInt(Math.round(sp.startMs * 1e3)) * 1000n), endTimeUnixNano: String(BigInt(Math.round(sp.endMs * 1e3)) * 1000n) };
}
