// The provider start() builds: LeanTracers by default, the SDK's own with ORG_TRACE_LEAN_TRACER=false,
// and the same spans out of our processors and exporter either way.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { readConfig } from '../src/config';
import { LeanTracer } from '../src/lean-tracer';
import { start } from '../src/sdk';

describe('ORG_TRACE_LEAN_TRACER', () => {
  test('defaults to true; false turns it off; a bad value warns and keeps the default', () => {
    expect(readConfig({}).leanTracer).toBe(true);
    expect(readConfig({ ORG_TRACE_LEAN_TRACER: 'false' }).leanTracer).toBe(false);
    const bad = readConfig({ ORG_TRACE_LEAN_TRACER: 'maybe' });
    expect(bad.leanTracer).toBe(true);
    expect(bad.warnings.filter((w) => w.startsWith('ORG_TRACE_LEAN_TRACER:'))).toHaveLength(1);
  });

  async function exportedBy(env: Record<string, string>): Promise<{ lean: boolean; spans: ReadableSpan[] }> {
    const exporter = new InMemorySpanExporter();
    const sdk = start({
      env: { OTEL_LOG_LEVEL: 'error', OTEL_PROPAGATORS: 'tracecontext,baggage,xtraceid', ...env },
      config: { instrumentations: [], handleSignals: false, serviceName: 'lean-test' },
      spanExporter: exporter,
    });
    try {
      const tracer = sdk.provider!.getTracer('lean-test', '1.0.0');
      const server = tracer.startSpan(
        'GET /checkout',
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': '/checkout', 'url.query': 'email=a@b.c&x=1', 'url.full': 'http://h/checkout?email=a@b.c', 'server.port': 8080 } },
        ROOT_CONTEXT,
      );
      const db = tracer.startSpan('SELECT shop', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': "SELECT * FROM t WHERE email = 'a@b.c'" } }, trace.setSpan(ROOT_CONTEXT, server));
      db.recordException(Object.assign(new Error('boom'), { code: '23505', stack: 'Error: boom\n    at fixed (app.js:1:1)' }));
      db.setStatus({ code: SpanStatusCode.ERROR, message: 'duplicate key' });
      db.end([2_000_000_000, 5]);
      server.setAttribute('http.response.status_code', 200);
      server.end([2_000_000_001, 5]);
      await sdk.forceFlush();
      return { lean: tracer instanceof LeanTracer, spans: exporter.getFinishedSpans() };
    } finally {
      await sdk.shutdown();
    }
  }

  test('start() uses LeanTracers unless turned off, and our processors and exporter see the same spans', async () => {
    const on = await exportedBy({});
    const off = await exportedBy({ ORG_TRACE_LEAN_TRACER: 'false' });
    expect(on.lean).toBe(true);
    expect(off.lean).toBe(false);
    expect(on.spans).toHaveLength(2);
    const view = (s: ReadableSpan) => ({
      name: s.name,
      kind: s.kind,
      attributes: Object.entries(s.attributes),
      events: s.events.map((e) => ({ name: e.name, attributes: Object.entries(e.attributes ?? {}), dropped: e.droppedAttributesCount })),
      links: s.links,
      status: s.status,
      endTime: s.endTime,
      parent: s.parentSpanContext !== undefined,
      ended: s.ended,
      dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
      resource: s.resource.attributes['service.name'],
      scope: s.instrumentationScope,
    });
    expect(on.spans.map(view)).toEqual(off.spans.map(view));
    // The processors ran on the lean spans: the query string was redacted, the statement sanitized.
    const server = on.spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.attributes['url.query']).not.toContain('a@b.c');
    const db = on.spans.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(JSON.stringify(db.attributes)).not.toContain('a@b.c');
  });
});
