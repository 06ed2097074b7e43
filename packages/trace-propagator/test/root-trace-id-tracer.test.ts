import {
  context,
  defaultTextMapGetter,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { createXTraceId, XTraceIdOptions } from '../src';

const UUID = 'A1B2C3D4-0000-4000-8000-00000000ABCD';
const UUID_HEX = 'a1b2c3d400004000800000000000abcd';
const TP_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function setup(options?: XTraceIdOptions, ownGenerator = true) {
  const x = createXTraceId(options);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    ...(ownGenerator ? { idGenerator: x.idGenerator } : {}),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = x.wrapTracerProvider(provider).getTracer('test');
  const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), x.propagator] });
  const extract = (headers: Record<string, string>) => propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return { x, tracer, extract, spans };
}

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
afterAll(() => {
  contextManager.disable();
  context.disable();
});

describe('RootTraceIdTracer', () => {
  test('no traceparent + legacy id: a root span whose trace id is the mapped id', () => {
    const { tracer, extract, spans } = setup();
    const span = tracer.startSpan('GET', { kind: SpanKind.SERVER }, extract({ 'x-trace-id': UUID }));
    span.end();
    const [s] = spans();
    expect(s.spanContext().traceId).toBe(UUID_HEX);
    expect(s.parentSpanContext).toBeUndefined();
    expect(s.attributes).toMatchObject({
      'http.request.header.x-trace-id': [UUID],
      // The bare value, for backends whose tag search cannot match inside an array (Jaeger).
      'org.xtraceid.value': UUID,
      'org.xtraceid.outcome': 'trace_root',
      'org.xtraceid.mapping': 'uuid',
    });
  });

  test('children keep the trace and are not annotated; the next request gets a fresh id again', () => {
    const { tracer, extract, spans } = setup();
    const ctx = extract({ 'x-trace-id': 'order-42' });
    const server = tracer.startSpan('GET', { kind: SpanKind.SERVER }, ctx);
    const child = tracer.startSpan('child', {}, trace.setSpan(ctx, server));
    child.end();
    server.end();
    const unrelated = tracer.startSpan('other', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    unrelated.end();
    const [c, s, u] = spans();
    expect(c.spanContext().traceId).toBe('3bf8b157c4238eefe5ae4a66eca81c6b');
    expect(c.parentSpanContext?.spanId).toBe(s.spanContext().spanId);
    expect(c.attributes['org.xtraceid.outcome']).toBeUndefined();
    expect(u.spanContext().traceId).not.toBe('3bf8b157c4238eefe5ae4a66eca81c6b');
  });

  test('valid traceparent wins; the legacy value is recorded', () => {
    const { tracer, extract, spans } = setup();
    tracer
      .startSpan('GET', { kind: SpanKind.SERVER }, extract({ traceparent: `00-${TP_TRACE}-00f067aa0ba902b7-01`, 'x-trace-id': UUID }))
      .end();
    const [s] = spans();
    expect(s.spanContext().traceId).toBe(TP_TRACE);
    expect(s.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(s.attributes).toMatchObject({ 'http.request.header.x-trace-id': [UUID], 'org.xtraceid.outcome': 'parent_conflict' });
  });

  test('invalid traceparent does not win over the legacy id', () => {
    const { tracer, extract, spans } = setup();
    tracer
      .startSpan('GET', { kind: SpanKind.SERVER }, extract({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'x-trace-id': UUID }))
      .end();
    expect(spans()[0].spanContext().traceId).toBe(UUID_HEX);
    expect(spans()[0].parentSpanContext).toBeUndefined();
  });

  test('rejected legacy value: fresh trace, reason recorded, value not recorded', () => {
    const { tracer, extract, spans } = setup();
    tracer.startSpan('GET', { kind: SpanKind.SERVER }, extract({ 'x-trace-id': 'x'.repeat(8192) })).end();
    const [s] = spans();
    expect(s.attributes['org.xtraceid.outcome']).toBe('rejected');
    expect(s.attributes['org.xtraceid.rejected_reason']).toBe('too_long');
    expect(s.attributes['http.request.header.x-trace-id']).toBeUndefined();
  });

  test('extract=false: fresh trace id, value recorded as untrusted', () => {
    const { tracer, extract, spans } = setup({ extract: false });
    tracer.startSpan('GET', { kind: SpanKind.SERVER }, extract({ 'x-trace-id': UUID })).end();
    const [s] = spans();
    expect(s.spanContext().traceId).not.toBe(UUID_HEX);
    expect(s.attributes['org.xtraceid.outcome']).toBe('untrusted');
  });

  test('root:true asks for an unrelated trace and gets one', () => {
    const { tracer, extract, spans } = setup();
    tracer.startSpan('job', { root: true }, extract({ 'x-trace-id': UUID })).end();
    expect(spans()[0].spanContext().traceId).not.toBe(UUID_HEX);
  });

  test('the one-shot id never leaks: suppressed tracing, then a plain root span', () => {
    const { tracer, extract, spans } = setup();
    const suppressed = tracer.startSpan('GET', { kind: SpanKind.SERVER }, suppressTracing(extract({ 'x-trace-id': UUID })));
    expect(suppressed.isRecording()).toBe(false);
    tracer.startSpan('next', {}, ROOT_CONTEXT).end();
    expect(spans()[0].spanContext().traceId).not.toBe(UUID_HEX);
  });

  test('the sampler sees the legacy trace id (ratio sampling agrees across services)', () => {
    const x = createXTraceId();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      idGenerator: x.idGenerator,
      sampler: new TraceIdRatioBasedSampler(0.5),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = x.wrapTracerProvider(provider).getTracer('t');
    const prop = new CompositePropagator({ propagators: [x.propagator] });
    // Ratio sampler keeps ids whose last 8 hex digits are below 0x7fffffff: pick one of each.
    for (const id of ['00000000000000000000000000000001', '000000000000000000000000ffffffff']) {
      tracer.startSpan('GET', { kind: SpanKind.SERVER }, prop.extract(ROOT_CONTEXT, { 'x-trace-id': id }, defaultTextMapGetter)).end();
    }
    expect(exporter.getFinishedSpans().map(s => s.spanContext().traceId)).toEqual(['00000000000000000000000000000001']);
  });

  test('startActiveSpan goes through the same logic', () => {
    const { tracer, extract, spans } = setup();
    const out = context.with(extract({ 'x-trace-id': UUID }), () =>
      tracer.startActiveSpan('op', { kind: SpanKind.CONSUMER }, span => {
        const active = trace.getActiveSpan();
        span.end();
        return active === span;
      }),
    );
    expect(out).toBe(true);
    expect(spans()[0].spanContext().traceId).toBe(UUID_HEX);
  });

  test('a provider built without our IdGenerator: fresh ids and exactly one warning', () => {
    const warn = jest.fn();
    diag.setLogger({ warn, error: jest.fn(), info: jest.fn(), debug: jest.fn(), verbose: jest.fn() }, DiagLogLevel.WARN);
    try {
      const { tracer, extract, spans } = setup({}, false);
      for (let i = 0; i < 3; i++) tracer.startSpan('GET', { kind: SpanKind.SERVER }, extract({ 'x-trace-id': UUID })).end();
      expect(spans().every(s => s.spanContext().traceId !== UUID_HEX)).toBe(true);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      diag.disable();
    }
  });

  test('installTracerWrapper: wraps once even when called twice, survives a broken instrumentation', () => {
    const { x } = setup();
    const provider = new BasicTracerProvider({ idGenerator: x.idGenerator });
    const got: unknown[] = [];
    const fake = { instrumentationName: 'fake', setTracerProvider: (p: unknown) => got.push(p) };
    const broken = {
      instrumentationName: 'broken',
      setTracerProvider: () => {
        throw new Error('nope');
      },
    };
    x.installTracerWrapper([broken, fake] as never, provider);
    x.installTracerWrapper([fake] as never, got[0] as never);
    expect((got[1] as { delegate: unknown }).delegate).toBe(provider);
  });
});
