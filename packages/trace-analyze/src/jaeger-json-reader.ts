import { isEntrySpan, keepOnAnySpan, RESOURCE_COMPARE_KEYS } from './attributes';
import { normalizeId } from './ids';
import { intern, type ReadContext } from './otlp-json-reader';
import { SpanRecord, type AttrValue, type Attrs, type SpanKind } from './types';

/** Shape of a Jaeger v1 query-API trace (`/api/traces` → `{ data: JaegerTrace[] }`). */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: JaegerTag[] }>;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; traceID: string; spanID: string }>;
  /** Epoch microseconds. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags?: JaegerTag[];
  processID: string;
}
export interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}

/** True for `{ data: [ { spans: [...] } ] }`, the v1 API response and the UI's JSON download. */
export function isJaegerDocument(doc: unknown): boolean {
  const data = (doc as { data?: unknown } | null)?.data;
  return Array.isArray(data) && (data.length === 0 || Array.isArray((data[0] as { spans?: unknown })?.spans));
}

const JAEGER_KINDS = new Set(['server', 'client', 'producer', 'consumer', 'internal']);

/** Reads a Jaeger v1 document; returns the number of spans added. */
export function readJaegerDocument(doc: unknown, ctx: ReadContext): number {
  const data = (doc as { data: unknown[] }).data;
  let added = 0;
  for (let t = 0; t < data.length; t++) {
    const trace = data[t] as JaegerTrace | null;
    if (!trace || !Array.isArray(trace.spans)) {
      ctx.issue({ source: ctx.source, line: ctx.line, message: `data[${t}] is not a Jaeger trace` });
      continue;
    }
    const processes = trace.processes && typeof trace.processes === 'object' ? trace.processes : {};
    for (let i = 0; i < trace.spans.length; i++) {
      const why = readJaegerSpan(trace.spans[i], processes, ctx);
      if (why === undefined) added++;
      else ctx.issue({ source: ctx.source, line: ctx.line, message: `span skipped (data[${t}].spans[${i}]): ${why}` });
    }
  }
  return added;
}

function readJaegerSpan(s: JaegerSpan, processes: JaegerTrace['processes'], ctx: ReadContext): string | undefined {
  if (!s || typeof s !== 'object') return 'not an object';
  const traceId = normalizeId(s.traceID, 16);
  if (!traceId) return `invalid traceID ${JSON.stringify(s.traceID)}`;
  const spanId = normalizeId(s.spanID, 8);
  if (!spanId) return `invalid spanID ${JSON.stringify(s.spanID)}`;
  if (typeof s.startTime !== 'number' || typeof s.duration !== 'number' || s.duration < 0) {
    return 'startTime/duration must be non-negative numbers (µs)';
  }
  // Parent: the first CHILD_OF reference, else FOLLOWS_FROM (flagged: the parent did not wait for it).
  let parent = '';
  let followsFrom = false;
  if (Array.isArray(s.references)) {
    const childOf = s.references.find((r) => r && r.refType === 'CHILD_OF');
    const ref = childOf ?? s.references.find((r) => r && r.refType === 'FOLLOWS_FROM');
    // A reference into another trace is a link, not a parent.
    if (ref && normalizeId(ref.traceID, 16) === traceId) {
      parent = normalizeId(ref.spanID, 8) ?? '';
      followsFrom = !childOf;
    }
  }
  let kind: SpanKind = 'unspecified';
  let error = false;
  const tags: Attrs = {};
  if (Array.isArray(s.tags)) {
    for (const tag of s.tags) {
      if (!tag || typeof tag.key !== 'string') continue;
      const v = tag.value as AttrValue;
      if (tag.key === 'span.kind' && typeof v === 'string' && JAEGER_KINDS.has(v)) kind = v as SpanKind;
      else if (tag.key === 'error' && (v === true || v === 'true')) error = true;
      else if (tag.key === 'otel.status_code' && v === 'ERROR') error = true;
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') tags[tag.key] = v;
    }
  }
  const proc = processes[s.processID];
  const service = intern(proc && typeof proc.serviceName === 'string' ? proc.serviceName : 'unknown_service');
  const entry = isEntrySpan(kind, parent);
  const attrs: Attrs = {};
  if (entry && proc && Array.isArray(proc.tags)) {
    for (const tag of proc.tags) if (tag && RESOURCE_COMPARE_KEYS.has(tag.key)) attrs[tag.key] = tag.value as AttrValue;
  }
  for (const k in tags) if (entry || keepOnAnySpan(k)) attrs[k] = tags[k];
  const start = ctx.time.fromMicros(s.startTime);
  const name = intern(typeof s.operationName === 'string' ? s.operationName : '');
  ctx.sink.add(new SpanRecord(traceId, spanId, parent, name, kind, service, start, start + Math.round(s.duration) * 1000, error, attrs, followsFrom));
  return undefined;
}
