import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BaggageAttributesSpanProcessor } from '../src/baggage-attributes-processor';

function run(keys: string[], entries: Record<string, string>, maxValueLength?: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BaggageAttributesSpanProcessor({ keys, maxValueLength }), new SimpleSpanProcessor(exporter)],
  });
  const bag = propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }])));
  const ctx = propagation.setBaggage(ROOT_CONTEXT, bag);
  provider.getTracer('t').startSpan('s', {}, ctx).end();
  return exporter.getFinishedSpans()[0].attributes;
}

test('copies only allow-listed keys, under their own names', () => {
  const a = run(['customer.tier', 'tenant.id'], { 'customer.tier': 'gold', 'tenant.id': 'acme', 'user.email': 'alice@example.com' });
  expect(a['customer.tier']).toBe('gold');
  expect(a['tenant.id']).toBe('acme');
  expect(a['user.email']).toBeUndefined();
});

test('caps values', () => {
  expect(run(['k'], { k: 'x'.repeat(5000) }, 100)['k']).toBe('x'.repeat(100));
  expect(String(run(['k'], { k: 'y'.repeat(5000) })['k']).length).toBe(256);
});

test('no baggage, no keys: nothing happens', () => {
  expect(run([], { k: 'v' })['k']).toBeUndefined();
  const exporter = new InMemorySpanExporter();
  const p = new BasicTracerProvider({ spanProcessors: [new BaggageAttributesSpanProcessor({ keys: ['k'] }), new SimpleSpanProcessor(exporter)] });
  p.getTracer('t').startSpan('s', {}, context.active()).end();
  expect(exporter.getFinishedSpans()[0].attributes).toEqual({});
});

test('control characters from percent-decoded baggage never reach attributes', () => {
  const a = run(['k'], { k: 'gold\r\nX-Injected: 1\u0000\u001b[31m' });
  expect(a['k']).toBe('gold\uFFFD\uFFFDX-Injected: 1\uFFFD\uFFFD[31m');
});
