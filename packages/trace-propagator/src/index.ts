export { createXTraceId } from './create-xtraceid';
export type { XTraceIdIntegration } from './create-xtraceid';
export { DEFAULT_HEADER, resolveOptions } from './options';
export type { XTraceIdOptions, ResolvedXTraceIdOptions } from './options';
export {
  DEFAULT_MAX_LEGACY_ID_LENGTH,
  formatTraceId,
  hashToTraceId,
  mapLegacyId,
} from './xtraceid-mapping';
export type { LegacyIdKind, LegacyIdMapping, LegacyIdRejection, TraceIdFormat } from './xtraceid-mapping';
export { getLegacyId, legacyHeaderValue, setLegacyId } from './legacy-id-context';
export type { LegacyIdRecord } from './legacy-id-context';
export { XTraceIdPropagator, XTRACEID_PROPAGATOR_NAME } from './xtraceid-propagator';
export { LegacyTraceIdGenerator } from './legacy-trace-id-generator';
export { RootTraceIdTracer, RootTraceIdTracerProvider } from './root-trace-id-tracer';
export type { RootTraceIdTracerConfig } from './root-trace-id-tracer';
export { createResponseEchoHook } from './response-echo';
export { createUndiciHeaderDedupeHook } from './undici-header-dedupe';
export {
  ATTR_XTRACEID_MAPPING,
  ATTR_XTRACEID_OUTCOME,
  ATTR_XTRACEID_REJECTED_REASON,
  ATTR_XTRACEID_VALUE,
  requestHeaderAttribute,
} from './attributes';
export type { LegacyIdOutcome } from './attributes';
