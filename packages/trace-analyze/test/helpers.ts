import { AnalysisSession } from '../src/analyze';
import { criticalPath } from '../src/critical-path';
import { buildTrace, type TraceShape } from '../src/trace-tree';
import type { SpanRecord } from '../src/types';
import { toOtlpDocuments, type EmitOptions, type GenSpan } from './trace-generator';

/** Loads generated spans through the real OTLP reader. */
export function load(spans: GenSpan[], o: EmitOptions = {}): AnalysisSession {
  const s = new AnalysisSession();
  for (const d of toOtlpDocuments(spans, o)) s.addDocument(d, 'gen');
  return s;
}

export function traceOf(spans: GenSpan[], o: EmitOptions = {}): SpanRecord[] {
  const s = load(spans, o);
  expect(s.store.traces.size).toBe(1);
  return [...s.store.traces.values()][0];
}

export interface Section {
  name: string;
  service: string;
  start: number;
  end: number;
}

/** Critical path of the trace's root unit, in time order, times in ms relative to the root start. */
export function pathOf(spans: GenSpan[], o: EmitOptions = {}, tolMs = 2): { shape: TraceShape; sections: Section[] } {
  const shape = buildTrace(traceOf(spans, o));
  const root = shape.units[0].root;
  const t0 = root.span.start;
  const sections: Section[] = [];
  criticalPath(root, { skewToleranceNs: tolMs * 1e6 }, (n, s, e) => {
    sections.push({ name: n.span.name, service: n.span.service, start: (s - t0) / 1e6, end: (e - t0) / 1e6 });
  });
  sections.reverse();
  return { shape, sections };
}

/** Merges adjacent sections of the same span for readable expectations. */
export function compact(sections: Section[]): Array<[string, number, number]> {
  return sections.map((s) => [s.name, round(s.start), round(s.end)]);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
