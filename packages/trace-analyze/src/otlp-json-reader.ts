import { anyValue, isEntrySpan, readAnalysisAttributes, readAttributes, RESOURCE_COMPARE_KEYS } from './attributes';
import { normalizeId } from './ids';
import type { TimeBase } from './time-base';
import { SpanRecord, type Attrs, type InputIssue, type SpanKind, type SpanSink } from './types';

/** Everything a reader needs to turn one parsed document into spans. */
export interface ReadContext {
  sink: SpanSink;
  time: TimeBase;
  /** Reports a problem; the reader carries on with the rest of the document. */
  issue(i: InputIssue): void;
  /** File name or URL, for messages. */
  source: string;
  /** 1-based line of the document in its file, when known. */
  line?: number;
}

const KIND_BY_NUMBER: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Accepts 0–5, 'SPAN_KIND_SERVER', 'SERVER', 'server'. */
export function parseKind(v: unknown): SpanKind | undefined {
  if (v === undefined || v === null) return 'unspecified';
  if (typeof v === 'number') return KIND_BY_NUMBER[v];
  if (typeof v === 'string') {
    const s = v.toLowerCase().replace(/^span_kind_/, '');
    if ((KIND_BY_NUMBER as string[]).includes(s)) return s as SpanKind;
    if (/^\d$/.test(s)) return KIND_BY_NUMBER[Number(s)];
  }
  return undefined;
}

/** True for an error status: code 2, 'STATUS_CODE_ERROR' or 'ERROR'. */
export function isErrorStatus(status: unknown): boolean {
  if (!status || typeof status !== 'object') return false;
  const c = (status as { code?: unknown }).code;
  return c === 2 || c === '2' || (typeof c === 'string' && /^(status_code_)?error$/i.test(c));
}

// Interning keeps one copy of each repeated string (names, services) instead of one per span.
const interned = new Map<string, string>();
export function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size > 200_000) interned.clear(); // runaway cardinality: stop caching, stay correct
  interned.set(s, s);
  return s;
}

/**
 * Reads one ExportTraceServiceRequest-shaped document. Accepted envelopes: `resourceSpans`
 * (OTLP/collector file exporter), `batches` (Tempo), `result.resourceSpans` (Jaeger api/v3),
 * `trace.resourceSpans` (Tempo v2 API); scopes under `scopeSpans` or the pre-1.0
 * `instrumentationLibrarySpans`. Returns the number of spans added.
 */
export function readOtlpDocument(doc: unknown, ctx: ReadContext): number {
  const rs = resourceSpansOf(doc);
  if (rs === undefined) {
    ctx.issue({ source: ctx.source, line: ctx.line, message: 'not an OTLP trace document (no resourceSpans/batches array)' });
    return 0;
  }
  let added = 0;
  for (let r = 0; r < rs.length; r++) {
    const block = rs[r] as Record<string, unknown> | null;
    if (!block || typeof block !== 'object') {
      ctx.issue({ source: ctx.source, line: ctx.line, message: `resourceSpans[${r}] is not an object` });
      continue;
    }
    const resAttrs = (block.resource as { attributes?: unknown } | undefined)?.attributes;
    let service = 'unknown_service';
    const resCompare: Attrs = {};
    if (Array.isArray(resAttrs)) {
      for (const kv of resAttrs as Array<{ key?: unknown; value?: unknown }>) {
        if (!kv || typeof kv.key !== 'string') continue;
        if (kv.key === 'service.name') {
          const v = anyValue(kv.value);
          if (v !== undefined && v !== '') service = intern(String(v));
        } else if (RESOURCE_COMPARE_KEYS.has(kv.key)) {
          const v = anyValue(kv.value);
          if (v !== undefined) resCompare[kv.key] = v;
        }
      }
    }
    const scopes = (block.scopeSpans ?? block.instrumentationLibrarySpans) as unknown;
    if (scopes === undefined) continue; // a resource with no spans is legal
    if (!Array.isArray(scopes)) {
      ctx.issue({ source: ctx.source, line: ctx.line, message: `resourceSpans[${r}].scopeSpans is not an array` });
      continue;
    }
    for (let s = 0; s < scopes.length; s++) {
      const spans = (scopes[s] as { spans?: unknown } | null)?.spans;
      if (spans === undefined) continue;
      if (!Array.isArray(spans)) {
        ctx.issue({ source: ctx.source, line: ctx.line, message: `resourceSpans[${r}].scopeSpans[${s}].spans is not an array` });
        continue;
      }
      for (let i = 0; i < spans.length; i++) {
        const err = readSpan(spans[i], service, resCompare, ctx);
        if (err === undefined) added++;
        else ctx.issue({ source: ctx.source, line: ctx.line, message: `span skipped (resourceSpans[${r}].scopeSpans[${s}].spans[${i}]): ${err}` });
      }
    }
  }
  return added;
}

function resourceSpansOf(doc: unknown): unknown[] | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  if (Array.isArray(d.resourceSpans)) return d.resourceSpans;
  if (Array.isArray(d.batches)) return d.batches;
  for (const k of ['result', 'trace']) {
    const inner = d[k] as Record<string, unknown> | undefined;
    if (inner && typeof inner === 'object' && Array.isArray(inner.resourceSpans)) return inner.resourceSpans;
  }
  return undefined;
}

/** Returns undefined on success, or why the span was rejected. */
function readSpan(raw: unknown, service: string, resCompare: Attrs, ctx: ReadContext): string | undefined {
  if (!raw || typeof raw !== 'object') return 'not an object';
  const o = raw as Record<string, unknown>;
  const traceId = normalizeId(o.traceId, 16);
  if (!traceId) return `invalid traceId ${JSON.stringify(o.traceId)}`;
  const spanId = normalizeId(o.spanId, 8);
  if (!spanId) return `invalid spanId ${JSON.stringify(o.spanId)}`;
  const parent = normalizeId(o.parentSpanId, 8);
  if (parent === undefined) return `invalid parentSpanId ${JSON.stringify(o.parentSpanId)}`;
  const kind = parseKind(o.kind);
  if (kind === undefined) return `invalid kind ${JSON.stringify(o.kind)}`;
  const start = ctx.time.fromNanos(o.startTimeUnixNano);
  if (start === undefined) return `invalid startTimeUnixNano ${JSON.stringify(o.startTimeUnixNano)}`;
  let end = ctx.time.fromNanos(o.endTimeUnixNano);
  if (end === undefined) return `invalid endTimeUnixNano ${JSON.stringify(o.endTimeUnixNano)}`;
  if (end < start) {
    ctx.issue({ source: ctx.source, line: ctx.line, message: `span ${spanId} ends before it starts; duration taken as 0` });
    end = start;
  }
  const name = typeof o.name === 'string' ? intern(o.name) : '';
  const entry = isEntrySpan(kind, parent);
  // Most spans keep no attribute at all: share one empty object instead of allocating one each.
  const attrs: Attrs = entry ? readAttributes(o.attributes, true, { ...resCompare }) : readAnalysisAttributes(o.attributes);
  ctx.sink.add(new SpanRecord(traceId, spanId, parent, name, kind, service, start, end, isErrorStatus(o.status), attrs));
  return undefined;
}
