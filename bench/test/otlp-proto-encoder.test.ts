// The span encoder in packages/trace-sdk/src/exporters must produce the same OTLP messages as upstream's
// serializer (the one our exporter uses today), for every kind of span content: compared by
// meaning with a schema-aware decoder, since proto3 writers may omit or write zero scalars.
import * as path from 'node:path';
import { SpanKind, SpanStatusCode, TraceFlags, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { EncodedSpanBatch, encodeTraceRequest, encodeTraceRequestChunked } from '../../packages/trace-sdk/src/exporters/otlp-proto-encoder';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { decode } = require('../lib/otlp-decode');
const req = require('module').createRequire(path.join(__dirname, '..', '..', 'packages', 'trace-sdk', 'package.json'));
const { ProtobufTraceSerializer } = req('@opentelemetry/otlp-transformer');

function spans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'h1', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const t1 = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  const t2 = provider.getTracer('@opentelemetry/instrumentation-pg', '0.76.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const remote = trace.setSpanContext(context.active(), { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const server = t1.startSpan('GET /api/orders/:id', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'server.port': 8080,
      ratio: 0.25,
      negative: -17,
      big: 2 ** 40,
      ok: true,
      no: false,
      tags: ['a', 'b'],
      nums: [1, 2.5, 3],
      mixedNulls: ['x', null as unknown as string, 'y'],
      long: 'é'.repeat(200) + 'x'.repeat(300),
      unicode: '日本語 ✓ 🚀',
      empty: '',
    },
  }, remote);
  server.addEvent('retry', { attempt: 2 });
  server.addEvent('bare event');
  const child = t2.startSpan('pg.query:SELECT shop', { kind: SpanKind.CLIENT, links: [{ context: server.spanContext(), attributes: { why: 'follows' } }] }, trace.setSpan(context.active(), server));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'relation "orders" does not exist' });
  child.end();
  server.setStatus({ code: SpanStatusCode.OK });
  server.end();
  const internal = t1.startSpan('internal');
  internal.end();
  return exporter.getFinishedSpans();
}

describe('OTLP protobuf span encoder', () => {
  it('encodes the same message as the upstream serializer', () => {
    const s = spans();
    const ours = decode(encodeTraceRequest(s));
    const upstream = decode(Buffer.from(ProtobufTraceSerializer.serializeRequest(s)));
    expect(ours).toEqual(upstream);
    // Sanity: the comparison really covers spans, attributes, events, links and statuses.
    const scopeSpans = ours[1][0][2];
    expect(scopeSpans).toHaveLength(2);
    expect(scopeSpans.flatMap((x: Record<number, unknown[]>) => x[2]).length).toBe(3);
  });

  it('encodes exact nanosecond timestamps', () => {
    const s = spans();
    const span = s[0] as unknown as { startTime: [number, number]; endTime: [number, number] };
    span.startTime = [1764000000, 999999999];
    span.endTime = [4294967295, 123456789];
    const ours = decode(encodeTraceRequest(s));
    const expected = (t: [number, number]) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(t[0]) * 1000000000n + BigInt(t[1]));
      return b.toString('hex');
    };
    const first = ours[1][0][2].flatMap((x: Record<number, Record<number, string[]>[]>) => x[2]).find((sp: Record<number, string[]>) => sp[7][0] === expected(span.startTime));
    expect(first).toBeDefined();
    expect(first[8][0]).toBe(expected(span.endTime));
  });

  it('chunked encoding is the same request (concatenated messages merge their repeated fields)', async () => {
    const many = Array.from({ length: 50 }, () => spans()).flat();
    const whole = decode(encodeTraceRequest(many));
    const chunked = decode(await encodeTraceRequestChunked(many, 7));
    const count = (d: Record<number, Record<number, Record<number, unknown[]>[]>[]>) => d[1].reduce((n, rs) => n + rs[2].reduce((m, ss) => m + (ss[2]?.length ?? 0), 0), 0);
    expect(count(chunked)).toBe(many.length);
    expect(count(whole)).toBe(many.length);
  });

  it('grows past its initial buffer and returns independent buffers', () => {
    const many = Array.from({ length: 400 }, () => spans()).flat();
    const a = encodeTraceRequest(many);
    const b = encodeTraceRequest(many.slice(0, 3));
    expect(a.length).toBeGreaterThan(64 * 1024);
    // Each spans() call has its own provider, hence its own resource: 400 ResourceSpans.
    const rs = decode(a)[1] as Record<number, Record<number, unknown[]>[]>[];
    expect(rs).toHaveLength(400);
    expect(rs.reduce((n, r) => n + r[2].reduce((m, ss) => m + ss[2].length, 0), 0)).toBe(many.length);
    expect(b.length).toBeLessThan(a.length);
  });

  it('spans encoded one by one as they end (EncodedSpanBatch, what the exporter sends) give the same message', () => {
    const s = spans();
    const batch = new EncodedSpanBatch();
    for (const span of s) batch.add(span);
    expect(batch.count).toBe(s.length);
    const upstream = decode(Buffer.from(ProtobufTraceSerializer.serializeRequest(s)));
    expect(decode(batch.toRequest())).toEqual(upstream);
  });

  it('an EncodedSpanBatch is reusable after reset, and groups many resources and scopes', () => {
    const batch = new EncodedSpanBatch();
    for (const span of spans()) batch.add(span);
    batch.reset();
    expect(batch.count).toBe(0);
    const many = Array.from({ length: 300 }, () => spans()).flat();
    for (const span of many) batch.add(span);
    const ours = decode(batch.toRequest());
    expect(ours).toEqual(decode(Buffer.from(ProtobufTraceSerializer.serializeRequest(many))));
    // Independent of the batch's buffers: a reset and new spans do not change a request already built.
    const before = batch.toRequest();
    const copy = Buffer.from(before);
    batch.reset();
    for (const span of spans()) batch.add(span);
    expect(before.equals(copy)).toBe(true);
  });

  it('attribute values repeated, changing, switching type or volatile encode as upstream (value cache)', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'cache' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const t = provider.getTracer('cache-test');
    const values: unknown[] = ['GET', 'GET', 'POST', 'GET', 1, 1, 1.5, true, false, true, '', 'x'.repeat(200), 'x'.repeat(200), -0, 0, Number.NaN, Number.NaN, 'é', 'é', ['a'], ['a'], 'GET'];
    for (let i = 0; i < 300; i++) {
      const attributes: Record<string, unknown> = {
        'http.request.method': values[i % values.length],
        'network.peer.port': 40000 + i, // changes every span
        'url.scheme': 'http', // never changes
        [`dyn.${i % 7}`]: i % 3 === 0 ? 'same' : i, // names come and go
      };
      // The same name in a link's and an event's attributes: other fields, whose cached bytes must
      // never be the span attribute's (a cached KeyValue carries its field's tag).
      const links = i % 4 === 0 ? [{ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }, attributes: { 'http.request.method': values[(i + 3) % values.length] as never } }] : [];
      const span = t.startSpan(`s${i}`, { attributes: attributes as never, links });
      span.addEvent('e', { 'http.request.method': values[(i + 5) % values.length] as never });
      span.end();
    }
    const s = exporter.getFinishedSpans();
    const batch = new EncodedSpanBatch();
    for (const span of s) batch.add(span);
    expect(decode(batch.toRequest())).toEqual(decode(Buffer.from(ProtobufTraceSerializer.serializeRequest(s))));
  });

  it('a span that cannot be encoded leaves the batch as it was', () => {
    const s = spans();
    const batch = new EncodedSpanBatch();
    batch.add(s[0]);
    const good = batch.toRequest();
    const broken = Object.create(s[1], { spanContext: { value: () => { throw new Error('boom'); } } });
    expect(() => batch.add(broken)).toThrow('boom');
    expect(batch.count).toBe(1);
    expect(batch.toRequest().equals(good)).toBe(true);
  });
});
