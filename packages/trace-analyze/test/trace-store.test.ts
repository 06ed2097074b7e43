import { TraceStore } from '../src/trace-store';
import { EMPTY_ATTRS } from '../src/attributes';
import { SpanRecord } from '../src/types';

const hex = (n: number): string => n.toString(16).padStart(16, '0');

/** Spans of one trace: a chain (each span the child of the previous), ids that differ in either word. */
function chain(traceId: string, n: number): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (let i = 0; i < n; i++) {
    // Alternate ids whose high or low 32-bit word alone differs, so both words are compared.
    const id = i % 2 === 0 ? hex(0x1000 + i) : `${(0x2000 + i).toString(16).padStart(8, '0')}00000000`;
    const parent = i === 0 ? '' : spans[i - 1].spanId;
    spans.push(new SpanRecord(traceId, id, parent, `op${i}`, 'internal', 'svc', 1000 + i, 5000 - i, false, EMPTY_ATTRS));
  }
  return spans;
}

describe('TraceStore', () => {
  // Small traces find parents by linear search, bigger ones through a table (with the three extra
  // spans: 12 spans = linear, 13 = table). Both must give the same parents, as strings equal to the
  // parent's span id (the very string when the parent is in the trace), duplicates and orphans included.
  it.each([3, 9, 10, 40, 300])('links a %i-span trace to its parents, duplicates and orphans included', (n) => {
    const store = new TraceStore();
    const spans = chain('a'.repeat(32), n);
    const dup = spans[Math.floor(n / 2)];
    const extra = [
      new SpanRecord(dup.traceId, dup.spanId, dup.parentSpanId, 'dup', 'internal', 'svc', 1, 2, false, EMPTY_ATTRS),
      new SpanRecord(dup.traceId, hex(0xfeed), 'deadbeefdeadbeef', 'orphan', 'internal', 'svc', 1, 2, false, EMPTY_ATTRS),
      new SpanRecord(dup.traceId, hex(0xbeef), dup.spanId, 'child of dup', 'internal', 'svc', 1, 2, false, EMPTY_ATTRS),
    ];
    for (const s of [...spans, ...extra]) store.add(s);
    const got = store.traces.get('a'.repeat(32))!;
    expect(got.map((s) => [s.spanId, s.parentSpanId, s.name])).toEqual([...spans, ...extra].map((s) => [s.spanId, s.parentSpanId, s.name]));
    const byId = new Map(got.map((s) => [s.spanId, s]));
    for (const s of got) {
      if (s.parentSpanId === '' || s.parentSpanId === 'deadbeefdeadbeef') continue;
      // The parent id is one of the trace's own span id strings (the last span with that id).
      expect(got.some((p) => Object.is(p.spanId, s.parentSpanId))).toBe(true);
      expect(byId.has(s.parentSpanId)).toBe(true);
    }
  });
});
