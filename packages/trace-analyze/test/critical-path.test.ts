import { buildTrace } from '../src/trace-tree';
import { criticalPath } from '../src/critical-path';
import { compact, pathOf, traceOf } from './helpers';
import { rng, shuffle, TraceBuilder, type GenSpan } from './trace-generator';

const T = Date.UTC(2026, 0, 1);

function sumOf(sections: Array<{ start: number; end: number }>): number {
  return sections.reduce((a, s) => a + (s.end - s.start), 0);
}

describe('critical path', () => {
  it('walks sequential children and charges the gaps to the parent', () => {
    const b = new TraceBuilder(rng(1));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100 });
    b.span({ service: 'api', name: 'A', start: T + 10, dur: 30, parent: root });
    b.span({ service: 'api', name: 'B', start: T + 50, dur: 40, parent: root });
    expect(compact(pathOf(b.spans).sections)).toEqual([
      ['root', 0, 10], ['A', 10, 40], ['root', 40, 50], ['B', 50, 90], ['root', 90, 100],
    ]);
  });

  it('follows the last-finishing of parallel children and skips the ones hidden behind it', () => {
    const b = new TraceBuilder(rng(2));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100 });
    b.span({ service: 'api', name: 'long', start: T + 10, dur: 80, parent: root });
    b.span({ service: 'api', name: 'short', start: T + 10, dur: 40, parent: root });
    b.span({ service: 'api', name: 'early', start: T + 2, dur: 5, parent: root });
    expect(compact(pathOf(b.spans).sections)).toEqual([
      ['root', 0, 2], ['early', 2, 7], ['root', 7, 10], ['long', 10, 90], ['root', 90, 100],
    ]);
  });

  it('after a parallel child, continues with the sibling that finished before it started', () => {
    const b = new TraceBuilder(rng(3));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100 });
    b.span({ service: 'api', name: 'first', start: T + 5, dur: 20, parent: root });
    b.span({ service: 'api', name: 'p1', start: T + 30, dur: 60, parent: root });
    b.span({ service: 'api', name: 'p2', start: T + 30, dur: 50, parent: root });
    expect(compact(pathOf(b.spans).sections).map((s) => s[0])).toEqual(['root', 'first', 'root', 'p1', 'root']);
  });

  it('recentres a remote server span shifted by clock skew inside its client span', () => {
    const b = new TraceBuilder(rng(4));
    const root = b.span({ service: 'edge', name: 'root', kind: 'server', start: T, dur: 100 });
    const client = b.span({ service: 'edge', name: 'call', kind: 'client', start: T + 10, dur: 80, parent: root });
    const server = b.span({ service: 'pay', name: 'serve', kind: 'server', start: T + 15, dur: 70, parent: client });
    b.span({ service: 'pay', name: 'work', start: T + 20, dur: 60, parent: server });
    // pay's clock runs 2.5 s ahead.
    const { shape, sections } = pathOf(b.spans, { skewMs: { pay: 2500 } });
    expect(shape.skewAdjustedSpans).toBe(2);
    expect(compact(sections)).toEqual([
      ['root', 0, 10], ['call', 10, 15], ['serve', 15, 20], ['work', 20, 80], ['serve', 80, 85], ['call', 85, 90], ['root', 90, 100],
    ]);
  });

  it('handles a server span that started before its client (negative skew) the same way', () => {
    const b = new TraceBuilder(rng(5));
    const root = b.span({ service: 'edge', name: 'root', kind: 'server', start: T, dur: 100 });
    const client = b.span({ service: 'edge', name: 'call', kind: 'client', start: T + 10, dur: 80, parent: root });
    b.span({ service: 'pay', name: 'serve', kind: 'server', start: T + 20, dur: 60, parent: client });
    const { sections } = pathOf(b.spans, { skewMs: { pay: -35 } });
    expect(compact(sections)).toEqual([['root', 0, 10], ['call', 10, 20], ['serve', 20, 80], ['call', 80, 90], ['root', 90, 100]]);
  });

  it('tolerates a small overlap between sequential siblings from different hosts', () => {
    const b = new TraceBuilder(rng(6));
    const root = b.span({ service: 'edge', name: 'root', kind: 'server', start: T, dur: 100 });
    b.span({ service: 'a', name: 'A', kind: 'server', start: T + 10, dur: 40, parent: root });
    b.span({ service: 'b', name: 'B', kind: 'server', start: T + 50, dur: 40, parent: root });
    // a's clock is 1 ms late: A appears to end 1 ms after B started.
    const { sections } = pathOf(b.spans, { skewMs: { a: 1 } }, 2);
    expect(compact(sections)).toEqual([['root', 0, 11], ['A', 11, 50], ['B', 50, 90], ['root', 90, 100]]);
    // Without tolerance the overlap is read as parallel work and A drops off the path.
    const strict = pathOf(b.spans, { skewMs: { a: 1 } }, 0);
    expect(strict.sections.map((s) => s.name)).toEqual(['root', 'B', 'root']);
  });

  it('clamps a same-service child that spills past its parent', () => {
    const b = new TraceBuilder(rng(7));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100 });
    b.span({ service: 'api', name: 'spill', start: T + 90, dur: 5 + 15, parent: root });
    b.span({ service: 'api', name: 'before', start: T - 3, dur: 13, parent: root });
    expect(compact(pathOf(b.spans).sections)).toEqual([['before', 0, 10], ['root', 10, 90], ['spill', 90, 100]]);
  });

  it('leaves producer/consumer and fire-and-forget work off the request path and analyses it separately', () => {
    const b = new TraceBuilder(rng(8));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100 });
    const prod = b.span({ service: 'api', name: 'publish', kind: 'producer', start: T + 40, dur: 2, parent: root });
    const cons = b.span({ service: 'worker', name: 'consume', kind: 'consumer', start: T + 60, dur: 400, parent: prod });
    b.span({ service: 'worker', name: 'handle', start: T + 70, dur: 300, parent: cons });
    b.span({ service: 'api', name: 'audit-log', start: T + 105, dur: 50, parent: root });
    const { shape, sections } = pathOf(b.spans);
    expect(compact(sections)).toEqual([['root', 0, 40], ['publish', 40, 42], ['root', 42, 100]]);
    expect(shape.units.map((u) => [u.origin, u.root.span.name]).sort()).toEqual([['async', 'audit-log'], ['async', 'consume'], ['root', 'root']]);
  });

  it('moves a late child (leaked context) under the ancestor that was still waiting for it', () => {
    const b = new TraceBuilder(rng(13));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100 });
    const first = b.span({ service: 'api', name: 'pg-pool.connect', kind: 'client', start: T + 10, dur: 2, parent: root });
    // pg-pool resolved the queued connect in the releasing client's context: parent = first, long ended.
    b.span({ service: 'api', name: 'pg-pool.connect', kind: 'client', start: T + 30, dur: 50, parent: first });
    const { shape, sections } = pathOf(b.spans);
    expect(shape.reparentedSpans).toBe(1);
    expect(shape.units).toHaveLength(1);
    expect(compact(sections)).toEqual([['root', 0, 10], ['pg-pool.connect', 10, 12], ['root', 12, 30], ['pg-pool.connect', 30, 80], ['root', 80, 100]]);
  });

  it('keeps a child that starts within the tolerance after its parent ended (ms-rounded start times)', () => {
    const b = new TraceBuilder(rng(14));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 1.84 });
    b.span({ service: 'api', name: 'q', kind: 'client', start: T + 2, dur: 0.26, parent: root });
    const { shape, sections } = pathOf(b.spans);
    expect(shape.units).toHaveLength(1);
    expect(sections.map((x) => x.name)).toEqual(['root']);
  });

  it('hangs orphans (missing parent) under the root and reports traces without a root', () => {
    const b = new TraceBuilder(rng(9));
    const root = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100 });
    b.span({ service: 'api', name: 'orphan', start: T + 20, dur: 30, parentSpanId: 'deadbeefdeadbeef' });
    const { shape, sections } = pathOf(b.spans);
    expect(shape.orphanSpans).toBe(1);
    expect(compact(sections)).toEqual([['root', 0, 20], ['orphan', 20, 50], ['root', 50, 100]]);
    void root;
    const partial = new TraceBuilder(rng(10));
    partial.span({ service: 'api', name: 'x', start: T, dur: 10, parentSpanId: 'deadbeefdeadbeef' });
    expect(buildTrace(traceOf(partial.spans)).missingRoot).toBe(true);
  });

  it('survives a 50,000-deep chain and a 100,000-wide fan-out, summing exactly', () => {
    const b = new TraceBuilder(rng(11));
    let parent = b.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 100_000 });
    for (let i = 1; i < 50_000; i++) parent = b.span({ service: 'api', name: 'n', start: T + i, dur: 100_000 - 2 * i > 0 ? 100_000 - 2 * i : 1, parent });
    const shape = buildTrace(traceOf(b.spans, { batch: 10_000 }));
    let sum = 0;
    criticalPath(shape.units[0].root, { skewToleranceNs: 0 }, (_n, s, e) => (sum += e - s));
    expect(sum).toBe(100_000 * 1e6);

    const w = new TraceBuilder(rng(12));
    const r = w.span({ service: 'api', name: 'root', kind: 'server', start: T, dur: 1000 });
    for (let i = 0; i < 100_000; i++) w.span({ service: 'api', name: 'leaf', start: T + (i % 997), dur: 1 + (i % 13), parent: r });
    const wide = buildTrace(traceOf(w.spans, { batch: 20_000 }));
    sum = 0;
    criticalPath(wide.units[0].root, { skewToleranceNs: 0 }, (_n, s, e) => (sum += e - s));
    expect(sum).toBe(1000 * 1e6);
  });

  it('property: on random trees with random skew, sections partition the root exactly', () => {
    const r = rng(42);
    for (let iter = 0; iter < 300; iter++) {
      const b = new TraceBuilder(r);
      const services = ['edge', 'api', 'pay', 'inv', 'db'];
      const all: GenSpan[] = [b.span({ service: 'edge', name: 'root', kind: 'server', start: T + r() * 1000, dur: 50 + r() * 500 })];
      const n = 1 + Math.floor(r() * 60);
      for (let i = 0; i < n; i++) {
        const p = all[Math.floor(r() * all.length)];
        const pd = p.endMs - p.startMs;
        // Children may start before / end after their parent, with fractional ns-ish times.
        const start = p.startMs + (r() - 0.1) * pd;
        const kinds = ['internal', 'client', 'server', 'producer', 'consumer'] as const;
        all.push(b.span({ service: services[Math.floor(r() * services.length)], name: `s${i}`, kind: kinds[Math.floor(r() * kinds.length)], start, dur: r() * pd * 0.8, parent: p }));
      }
      const skew = Object.fromEntries(services.map((s) => [s, (r() - 0.5) * 200]));
      const spans = traceOf(shuffle(b.spans, r), { skewMs: skew });
      const shape = buildTrace(spans);
      for (const unit of shape.units) {
        const root = unit.root.span;
        const secs: Array<{ start: number; end: number }> = [];
        criticalPath(unit.root, { skewToleranceNs: 2e6 }, (_n, s, e) => secs.push({ start: s, end: e }));
        secs.sort((a, c) => a.start - c.start);
        expect(sumOf(secs)).toBe(root.end - root.start);
        let t = root.start;
        for (const s of secs) {
          expect(s.start).toBe(t); // contiguous, no overlap, no gap
          expect(s.end).toBeGreaterThan(s.start);
          t = s.end;
        }
        if (secs.length) expect(t).toBe(root.end);
      }
    }
  });
});
