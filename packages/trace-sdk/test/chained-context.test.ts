import { Context, createContextKey, defaultTextMapGetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { CHAINED_ROOT, ChainedContext, ChainedRootPropagator } from '../src/chained-context';
import { seededRandom } from '../../../test/fixtures/seeded-random';

const KEYS = Array.from({ length: 12 }, (_, i) => createContextKey(`k${i}`));

describe('ChainedContext behaves as the API context', () => {
  test('random set/delete/get walks, branching from earlier contexts, match BaseContext', () => {
    // Pairs (ours, the API's) evolve under the same operations; any context made so far can be
    // the next one's parent, so chains branch, grow past the flattening bound and flatten again.
    const mismatches: unknown[] = [];
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = seededRandom(seed);
      const pairs: Array<[Context, Context]> = [[CHAINED_ROOT, ROOT_CONTEXT]];
      for (let step = 0; step < 120; step++) {
        const [ours, api] = pairs[rnd() < 0.7 ? pairs.length - 1 : Math.floor(rnd() * pairs.length)];
        const key = KEYS[Math.floor(rnd() * KEYS.length)];
        const r = rnd();
        if (r < 0.6) {
          const value = rnd() < 0.1 ? undefined : { step, seed };
          pairs.push([ours.setValue(key, value), api.setValue(key, value)]);
        } else if (r < 0.75) {
          pairs.push([ours.deleteValue(key), api.deleteValue(key)]);
        }
        const [o, a] = pairs[pairs.length - 1];
        for (const k of KEYS) if (o.getValue(k) !== a.getValue(k)) mismatches.push({ seed, step, key: k.toString() });
      }
      // Earlier contexts are unchanged by what was derived from them.
      for (const [o, a] of pairs) for (const k of KEYS) if (o.getValue(k) !== a.getValue(k)) mismatches.push({ seed, after: true, key: k.toString() });
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  test('a context derived again and again stays a bounded chain (old values are not kept)', () => {
    const key = createContextKey('span');
    let ctx: Context = CHAINED_ROOT;
    for (let i = 0; i < 10000; i++) ctx = ctx.setValue(key, { i });
    expect(ctx.getValue(key)).toEqual({ i: 9999 });
    // Walk the private links: never more than the bound, whatever the history.
    let links = 0;
    for (let c = ctx as unknown as { parent?: unknown } | undefined; c !== undefined; c = (c as { parent?: unknown }).parent as typeof c) links++;
    expect(links).toBeLessThanOrEqual(9);
  });

  test('a deleted key stays deleted across flattening', () => {
    const [a, b] = KEYS;
    let ctx: Context = CHAINED_ROOT.setValue(a, 1).setValue(b, 2).deleteValue(a);
    for (let i = 0; i < 20; i++) ctx = ctx.setValue(KEYS[2 + (i % 5)], i);
    expect(ctx.getValue(a)).toBeUndefined();
    expect(ctx.getValue(b)).toBe(2);
    expect(ctx).toBeInstanceOf(ChainedContext);
  });
});

describe('ChainedRootPropagator', () => {
  const inner = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  const p = new ChainedRootPropagator(inner);
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  test('extracting into ROOT_CONTEXT gives a chained context with the same values', () => {
    const carrier = { traceparent, baggage: 'tenant=acme' };
    const ours = p.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    const theirs = inner.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    expect(ours).toBeInstanceOf(ChainedContext);
    expect(trace.getSpanContext(ours)).toEqual(trace.getSpanContext(theirs));
    expect(propagation.getBaggage(ours)?.getEntry('tenant')?.value).toBe('acme');
  });

  test('nothing to extract: an empty chained context, so the span set in it next is chained too', () => {
    const out = p.extract(ROOT_CONTEXT, {}, defaultTextMapGetter);
    expect(out).toBe(CHAINED_ROOT);
    expect(trace.getSpanContext(out)).toBeUndefined();
    expect(propagation.getBaggage(out)).toBeUndefined();
    expect(trace.setSpanContext(out, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 })).toBeInstanceOf(ChainedContext);
  });

  test('extracting into another context extends that context', () => {
    const key = createContextKey('app');
    const base = ROOT_CONTEXT.setValue(key, 'kept');
    const out = p.extract(base, { traceparent }, defaultTextMapGetter);
    expect(out.getValue(key)).toBe('kept');
    expect(trace.getSpanContext(out)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  test('inject and fields are the inner propagator’s', () => {
    const ctx = p.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
    const out: Record<string, string> = {};
    p.inject(ctx, out, { set: (c, k, v) => ((c as Record<string, string>)[k] = v) });
    expect(out.traceparent).toBe(traceparent);
    expect(p.fields()).toEqual(inner.fields());
  });
});
