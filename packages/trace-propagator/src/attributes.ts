/**
 * Span attributes written on the entry span (server/consumer) of a request that carried the legacy
 * header. The received value goes under the semconv request-header attribute so it is searchable the
 * same way as captured headers; our own bookkeeping goes under `org.`.
 */

/** semconv `http.request.header.<key>`: lower-case header name, value is a string array. */
export function requestHeaderAttribute(headerName: string): string {
  return `http.request.header.${headerName}`;
}

/**
 * The received legacy value as a plain string. The semconv header attribute is a string array, which
 * Jaeger's tag search only matches as `["value"]`; this one matches the bare id users paste from a log.
 */
export const ATTR_XTRACEID_VALUE = 'org.xtraceid.value';
/** What happened to the legacy id: see {@link LegacyIdOutcome}. */
export const ATTR_XTRACEID_OUTCOME = 'org.xtraceid.outcome';
/** How the trace id was derived: `uuid` | `hex128` | `hex64` | `hash`. */
export const ATTR_XTRACEID_MAPPING = 'org.xtraceid.mapping';
/** Why a legacy id was refused: `empty` | `too_long` | `invalid_characters` | `all_zero` | `ambiguous`. */
export const ATTR_XTRACEID_REJECTED_REASON = 'org.xtraceid.rejected_reason';

/**
 * - `trace_root`: no valid traceparent, the span is a root span whose trace id comes from the legacy id;
 * - `parent_match`: a valid traceparent won and carries the same trace id;
 * - `parent_conflict`: a valid traceparent won with a different trace id (the legacy id is only recorded);
 * - `untrusted`: extraction is disabled, the value is only recorded;
 * - `rejected`: the value was unusable and is not recorded.
 */
export type LegacyIdOutcome = 'trace_root' | 'parent_match' | 'parent_conflict' | 'untrusted' | 'rejected';
