import type { AttrValue, Attrs, SpanKind } from './types';

/**
 * Attributes the analysis reads on every span (component attribution, peers, DB grouping).
 * Everything else is dropped on read, except on entry spans (see `isEntrySpan`), because holding all
 * attributes of a million spans would blow the memory budget.
 */
export const ANALYSIS_KEYS = new Set<string>([
  'http.route', 'http.request.method', 'http.method', 'http.target', 'url.path',
  'db.system', 'db.system.name', 'db.query.summary', 'org.db.query.hash', 'db.operation.name',
  'db.operation', 'db.namespace', 'db.name', 'db.collection.name',
  'server.address', 'net.peer.name', 'peer.service', 'http.host', 'url.full', 'http.url',
  'rpc.service', 'rpc.method', 'messaging.system', 'messaging.destination.name', 'messaging.destination',
]);

/** Resource attributes worth comparing between slow and normal traces (low cardinality, useful). */
export const RESOURCE_COMPARE_KEYS = new Set<string>([
  'service.version', 'deployment.environment', 'deployment.environment.name', 'host.name',
  'cloud.region', 'cloud.availability_zone', 'k8s.pod.name', 'k8s.node.name', 'container.name',
]);

/** Spans whose attributes describe the request as a whole: kept in full for attribute comparison. */
export function isEntrySpan(kind: SpanKind, parentSpanId: string): boolean {
  return parentSpanId === '' || kind === 'server' || kind === 'consumer';
}

/** OTLP AnyValue → primitive. Arrays/maps become compact JSON; bytes stay base64. */
export function anyValue(v: unknown): AttrValue | undefined {
  if (v === null || typeof v !== 'object') {
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.stringValue === 'string') return o.stringValue;
  if (o.intValue !== undefined) {
    const n = Number(o.intValue);
    return Number.isFinite(n) ? n : String(o.intValue);
  }
  if (o.doubleValue !== undefined) {
    const n = Number(o.doubleValue);
    return Number.isFinite(n) ? n : String(o.doubleValue);
  }
  if (typeof o.boolValue === 'boolean') return o.boolValue;
  if (o.arrayValue !== undefined) {
    const vals = (o.arrayValue as { values?: unknown[] } | null)?.values;
    return JSON.stringify(Array.isArray(vals) ? vals.map(anyValue) : []);
  }
  if (o.kvlistValue !== undefined) {
    const vals = (o.kvlistValue as { values?: unknown[] } | null)?.values;
    const out: Record<string, unknown> = {};
    if (Array.isArray(vals)) for (const kv of vals) collectKv(kv, out);
    return JSON.stringify(out);
  }
  if (typeof o.bytesValue === 'string') return o.bytesValue;
  return undefined;
}

function collectKv(kv: unknown, out: Record<string, unknown>): void {
  if (kv && typeof kv === 'object' && typeof (kv as { key?: unknown }).key === 'string') {
    out[(kv as { key: string }).key] = anyValue((kv as { value?: unknown }).value);
  }
}

/** Reads an OTLP `attributes` array, keeping all keys (`keepAll`) or only the analysis keys. */
export function readAttributes(list: unknown, keepAll: boolean, into: Attrs): Attrs {
  if (!Array.isArray(list)) return into;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as { key?: unknown; value?: unknown } | null;
    if (!kv || typeof kv.key !== 'string') continue;
    if (!keepAll && !ANALYSIS_KEYS.has(kv.key)) continue;
    const val = anyValue(kv.value);
    if (val !== undefined) into[kv.key] = val;
  }
  return into;
}

const EMPTY: Attrs = Object.freeze({}) as Attrs;
export const EMPTY_ATTRS = EMPTY;

/**
 * Semantic-convention namespaces: on non-entry spans these are per-call details (and many), so only
 * the analysis keys among them are kept. Anything else is an application attribute
 * (`customer.tier`, `feature.flag`…), usually rare and request-level: kept for the comparison.
 */
const SEMCONV = /^(http|db|net|network|server|client|url|rpc|messaging|user_agent|thread|code|otel|process|telemetry|exception|peer|host|os|service|enduser|faas|cloud|k8s|container|aws|gcp|azure|error|event|log|pool|session|signalr|system|jvm|dotnet|nodejs|v8js|tls|dns|graphql|gen_ai|sentry|component|span)[._]/;
const keyKept = new Map<string, boolean>();
export function keepOnAnySpan(key: string): boolean {
  let keep = keyKept.get(key);
  if (keep === undefined) {
    keep = ANALYSIS_KEYS.has(key) || (!SEMCONV.test(key) && key.includes('.'));
    if (keyKept.size < 10_000) keyKept.set(key, keep);
  }
  return keep;
}

/** Analysis keys and application attributes; a shared frozen empty object when there are none. */
export function readAnalysisAttributes(list: unknown): Attrs {
  if (!Array.isArray(list)) return EMPTY;
  let out: Attrs | undefined;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i] as { key?: unknown; value?: unknown } | null;
    if (!kv || typeof kv.key !== 'string' || !keepOnAnySpan(kv.key)) continue;
    const val = anyValue(kv.value);
    if (val === undefined) continue;
    if (out === undefined) out = {};
    out[kv.key] = val;
  }
  return out ?? EMPTY;
}
