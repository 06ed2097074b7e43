import { propagation, trace, TraceFlags } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { createXTraceId } from '../src';

// The hook works on the request object undici hands to diagnostics channels: an array of
// [name, value, …] (undici ≥ 6) or a raw `name: value\r\n` string (undici 5).
describe('undici header dedupe (requestHook)', () => {
  const x = createXTraceId();
  const hook = x.undiciInstrumentationConfig.requestHook!;
  const span = trace.wrapSpanContext({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
  });

  beforeAll(() => {
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), x.propagator] }),
    );
  });
  afterAll(() => propagation.disable());

  test('array headers: copies of injected fields go, everything else (incl. uninjected baggage) stays', () => {
    const request = {
      headers: ['Accept', 'a/b', 'X-Trace-ID', 'stale', 'TraceParent', '00-1-2-01', 'baggage', 'k=v', 'x-other', '1'],
    };
    hook(span, request as never);
    expect(request.headers).toEqual(['Accept', 'a/b', 'baggage', 'k=v', 'x-other', '1']);
  });

  test('string headers (undici 5)', () => {
    const request = { headers: 'accept: a/b\r\nx-trace-id: stale\r\ntraceparent: 00-1-2-01\r\n' };
    hook(span, request as never);
    expect(request.headers).toBe('accept: a/b\r\n');
  });

  test('nothing to remove: request untouched', () => {
    const headers = ['accept', 'a/b'];
    const request = { headers };
    hook(span, request as never);
    expect(request.headers).toBe(headers);
    expect(headers).toEqual(['accept', 'a/b']);
  });

  test('unknown shapes are left alone', () => {
    const request = { headers: undefined };
    expect(() => hook(span, request as never)).not.toThrow();
  });

});
