import { Context, createContextKey, isSpanContextValid, Span, SpanContext, trace } from '@opentelemetry/api';
import { formatTraceId, LegacyIdKind, LegacyIdRejection, TraceIdFormat } from './xtraceid-mapping';

/**
 * What the propagator learned from the incoming legacy header, stored in the extracted context so the
 * tracer wrapper (trace id of the root span), the response echo and outgoing injection all agree.
 */
export type LegacyIdRecord =
  | {
      readonly status: 'accepted';
      /** Validated value as received: the only form of request data we ever send back out. */
      readonly value: string;
      readonly traceId: string;
      readonly kind: LegacyIdKind;
      /** false when extraction is disabled: the value is recorded on the span but never trusted. */
      readonly trusted: boolean;
    }
  | { readonly status: 'rejected'; readonly reason: LegacyIdRejection };

// createContextKey uses Symbol.for, so two copies of this package still share the key.
const LEGACY_ID_KEY = createContextKey('org.trace.xtraceid.legacy-id');

export function setLegacyId(ctx: Context, record: LegacyIdRecord): Context {
  return ctx.setValue(LEGACY_ID_KEY, record);
}

export function getLegacyId(ctx: Context): LegacyIdRecord | undefined {
  const v = ctx.getValue(LEGACY_ID_KEY);
  return v !== null && typeof v === 'object' && 'status' in v ? (v as LegacyIdRecord) : undefined;
}

/**
 * Outgoing root spans whose trace id came from a legacy header the *application* set on the request
 * (no incoming request, e.g. a job calling `fetch` with its own X-Trace-ID). Their context has no
 * extracted record, so the span itself remembers it; weak, so finished spans are not kept alive.
 */
const appRootedSpans = new WeakMap<object, LegacyIdRecord>();
/** Most processes never root a span that way: then the per-request lookup is skipped. */
let anyAppRooted = false;

export function rememberAppLegacyId(span: object, record: LegacyIdRecord): void {
  anyAppRooted = true;
  appRootedSpans.set(span, record);
}

/**
 * The value rule shared by outgoing requests and the response echo:
 * - the trusted legacy value, when the current trace is the one it maps to (legacy peers keep
 *   matching their own logs);
 * - else the current trace id, formatted;
 * - without a valid span context, the trusted legacy value if any (keeps legacy correlation alive
 *   through unsampled/suppressed paths), else nothing.
 */
export function legacyHeaderValue(ctx: Context, format: TraceIdFormat): string | undefined {
  return legacyHeaderValueOf(ctx, trace.getSpan(ctx), format);
}

/**
 * The same value for `span` running under `ctx` (the context it was started in), without building
 * the context that holds it: the response echo asks this once per request.
 */
export function legacyHeaderValueOf(ctx: Context, span: Span | undefined, format: TraceIdFormat): string | undefined {
  const spanContext = span?.spanContext();
  return valueFor(ctx, span, spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined, format);
}

/** As legacyHeaderValueOf, for a span whose context the caller has already checked to be valid. */
export function legacyHeaderValueOfValid(ctx: Context, span: Span, validContext: SpanContext, format: TraceIdFormat): string {
  return valueFor(ctx, span, validContext, format)!;
}

function valueFor(ctx: Context, span: Span | undefined, valid: SpanContext | undefined, format: TraceIdFormat): string | undefined {
  let record = getLegacyId(ctx);
  if (record === undefined && span !== undefined && anyAppRooted) record = appRootedSpans.get(span);
  const trusted = record !== undefined && record.status === 'accepted' && record.trusted ? record : undefined;
  if (valid !== undefined) {
    if (trusted !== undefined && trusted.traceId === valid.traceId) return trusted.value;
    return formatTraceId(valid.traceId, format);
  }
  return trusted?.value;
}
