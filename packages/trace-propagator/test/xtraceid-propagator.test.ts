import {
  Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  TextMapGetter,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { createXTraceId, getLegacyId, XTraceIdOptions } from '../src';

const UUID = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';
const UUID_HEX = '3f2504e04f8911d39a0c0305e82c3301';
const TP_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TP_TRACE}-00f067aa0ba902b7-01`;

function setup(options?: XTraceIdOptions, order: 'w3c-first' | 'xtraceid-first' = 'w3c-first') {
  const x = createXTraceId(options);
  const w3c = [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
  const propagators = order === 'w3c-first' ? [...w3c, x.propagator] : [x.propagator, ...w3c];
  return { x, composite: new CompositePropagator({ propagators }) };
}

function withSpan(traceId: string, spanId = 'b7ad6b7169203331'): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false });
}

describe('XTraceIdPropagator.extract', () => {
  test('stores an accepted legacy id without touching the span context', () => {
    const { composite } = setup();
    const ctx = composite.extract(ROOT_CONTEXT, { 'x-trace-id': UUID }, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(getLegacyId(ctx)).toEqual({ status: 'accepted', value: UUID, traceId: UUID_HEX, kind: 'uuid', trusted: true });
  });

  test('a rejected value is stored as rejected, without the value', () => {
    const { composite } = setup();
    const ctx = composite.extract(ROOT_CONTEXT, { 'x-trace-id': 'a\r\nb' }, defaultTextMapGetter);
    expect(getLegacyId(ctx)).toEqual({ status: 'rejected', reason: 'invalid_characters' });
  });

  test('absent header leaves the context as it was', () => {
    const { x } = setup();
    expect(x.propagator.extract(ROOT_CONTEXT, { other: '1' }, defaultTextMapGetter)).toBe(ROOT_CONTEXT);
  });

  test.each(['w3c-first', 'xtraceid-first'] as const)('with traceparent (%s) the W3C span context is kept', order => {
    const { composite } = setup({}, order);
    const ctx = composite.extract(ROOT_CONTEXT, { traceparent: TRACEPARENT, 'x-trace-id': UUID }, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)?.traceId).toBe(TP_TRACE);
    expect(getLegacyId(ctx)?.status).toBe('accepted');
  });

  test('extract=false records the value as untrusted', () => {
    const { composite } = setup({ extract: false });
    const ctx = composite.extract(ROOT_CONTEXT, { 'x-trace-id': UUID }, defaultTextMapGetter);
    expect(getLegacyId(ctx)).toMatchObject({ status: 'accepted', trusted: false });
  });

  test('configurable header name (looked up lower-case, like traceparent)', () => {
    const { composite } = setup({ header: 'X-Request-ID' });
    expect(getLegacyId(composite.extract(ROOT_CONTEXT, { 'x-request-id': 'r-1' }, defaultTextMapGetter))).toMatchObject({
      value: 'r-1',
    });
    expect(getLegacyId(composite.extract(ROOT_CONTEXT, { 'x-trace-id': UUID }, defaultTextMapGetter))).toBeUndefined();
  });

  test('a getter that throws does not escape', () => {
    const { x } = setup();
    const evil: TextMapGetter = {
      get: () => {
        throw new Error('boom');
      },
      keys: () => {
        throw new Error('boom');
      },
    };
    expect(x.propagator.extract(ROOT_CONTEXT, {}, evil)).toBe(ROOT_CONTEXT);
  });
});

describe('XTraceIdPropagator.inject', () => {
  const inject = (options: XTraceIdOptions | undefined, ctx: Context) => {
    const { composite } = setup(options);
    const carrier: Record<string, string> = {};
    composite.inject(ctx, carrier, defaultTextMapSetter);
    return carrier;
  };

  test('trace started from a legacy id: the original string is sent', () => {
    const { composite } = setup();
    const extracted = composite.extract(ROOT_CONTEXT, { 'x-trace-id': UUID }, defaultTextMapGetter);
    const carrier = inject(undefined, trace.setSpanContext(extracted, { ...withSpanCtx(UUID_HEX) }));
    expect(carrier['x-trace-id']).toBe(UUID);
    expect(carrier.traceparent).toMatch(new RegExp(`^00-${UUID_HEX}-`));
  });

  test('trace not started from a legacy id: uuid by default, hex on request', () => {
    expect(inject(undefined, withSpan(TP_TRACE))['x-trace-id']).toBe('4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
    expect(inject({ format: 'hex' }, withSpan(TP_TRACE))['x-trace-id']).toBe(TP_TRACE);
  });

  test('legacy id that lost against a different traceparent: the trace id is sent, not the legacy value', () => {
    const { composite } = setup();
    const extracted = composite.extract(
      ROOT_CONTEXT,
      { traceparent: TRACEPARENT, 'x-trace-id': UUID },
      defaultTextMapGetter,
    );
    const carrier = inject(undefined, trace.setSpanContext(extracted, withSpanCtx(TP_TRACE)));
    expect(carrier['x-trace-id']).toBe('4bf92f35-77b3-4da6-a3ce-929d0e0e4736');
  });

  test('extract=false never forwards the incoming value', () => {
    const { composite } = setup({ extract: false });
    const extracted = composite.extract(ROOT_CONTEXT, { 'x-trace-id': UUID }, defaultTextMapGetter);
    const carrier = inject({ extract: false }, trace.setSpanContext(extracted, withSpanCtx(UUID_HEX)));
    expect(carrier['x-trace-id']).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
  });

  test('no span and no legacy id: nothing injected', () => {
    expect(inject(undefined, ROOT_CONTEXT)).toEqual({});
  });

  test('no span but a trusted legacy id: the legacy id is still forwarded', () => {
    const { composite } = setup();
    const extracted = composite.extract(ROOT_CONTEXT, { 'x-trace-id': 'order-42' }, defaultTextMapGetter);
    expect(inject(undefined, extracted)).toEqual({ 'x-trace-id': 'order-42' });
  });

  test('custom header name is used on the wire and in fields()', () => {
    const { x } = setup({ header: 'X-Correlation-ID' });
    expect(x.propagator.fields()).toEqual(['x-correlation-id']);
    expect(inject({ header: 'X-Correlation-ID' }, withSpan(TP_TRACE))).toHaveProperty('x-correlation-id');
  });
});

describe('headerValue (for log correlation)', () => {
  test('same rule as outgoing requests', () => {
    const { x, composite } = setup({ format: 'hex' });
    const extracted = composite.extract(ROOT_CONTEXT, { 'x-trace-id': 'order-42' }, defaultTextMapGetter);
    expect(x.headerValue(trace.setSpanContext(extracted, withSpanCtx('3bf8b157c4238eefe5ae4a66eca81c6b')))).toBe('order-42');
    expect(x.headerValue(withSpan(TP_TRACE))).toBe(TP_TRACE);
    expect(x.headerValue(ROOT_CONTEXT)).toBeUndefined();
  });
});

describe('options', () => {
  test.each([['traceparent'], ['bad header'], ['x-trace\r\nid'], ['x-tráce-id'], ['']])('invalid header %j falls back with one warning', h => {
    const warn = jest.fn();
    diag.setLogger({ warn, error: jest.fn(), info: jest.fn(), debug: jest.fn(), verbose: jest.fn() }, DiagLogLevel.WARN);
    try {
      const x = createXTraceId({ header: h });
      expect(x.options.header).toBe('x-trace-id');
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      diag.disable();
    }
  });

  test('defaults', () => {
    expect(createXTraceId().options).toEqual({
      header: 'x-trace-id',
      extract: true,
      format: 'uuid',
      responseHeaders: true,
      maxLength: 256,
    });
    expect(createXTraceId({ responseHeaders: false }).httpInstrumentationConfig.responseHook).toBeUndefined();
    expect(typeof createXTraceId().httpInstrumentationConfig.responseHook).toBe('function');
  });

  test('unknown format falls back to uuid', () => {
    expect(createXTraceId({ format: 'base64' as never }).options.format).toBe('uuid');
  });
});

function withSpanCtx(traceId: string) {
  return { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: false };
}
