export * from './attributes';
export { SqlLexer, TokenKind } from './sql-lexer';
export { normalizeSql, DEFAULT_MAX_SANITIZED_LENGTH } from './sql-normalizer';
export type { NormalizeOptions, NormalizedSql } from './sql-normalizer';
export { MAX_SUMMARY_LENGTH } from './sql-summary';
export { fingerprint, fingerprintKey, normalizeAndFingerprint, FINGERPRINT_VERSION, FINGERPRINT_HEX_LENGTH } from './fingerprint';
export { LruCache } from './lru-cache';
export { QueryHasher, DEFAULT_CACHE_SIZE } from './query-hasher';
export type { QueryInfo, QueryHasherOptions } from './query-hasher';
export { sanitizeDbErrorMessage, sanitizeDbErrorStack, MAX_ERROR_MESSAGE_LENGTH } from './error-sanitizer';
export {
  DB_STATEMENT_MODES,
  fallbackSpanName,
  hasDbSystem,
  isQueryTextKey,
  isQueryValuesKey,
  queryAttributes,
  sanitizeExceptionAttributes,
} from './db-span-sanitizer';
export type { DbStatementMode } from './db-span-sanitizer';
export { DbQueryHashSpanProcessor, isDbQuerySpanHandled } from './db-query-processor';
export type { DbQueryHashSpanProcessorOptions } from './db-query-processor';
export { createDbQueryHashing } from './pg-instrumentation-config';
export type { DbQueryOptions, DbQueryHashing, PgInstrumentationConfigPart, PgRequestInfo } from './pg-instrumentation-config';
export { BaggageAttributesSpanProcessor, DEFAULT_BAGGAGE_VALUE_MAX_LENGTH } from './baggage-attributes-processor';
export type { BaggageAttributesOptions } from './baggage-attributes-processor';
export { UrlQueryRedactionSpanProcessor, redactQuery, REDACTED } from './url-query-redaction-processor';
export type { UrlQueryMode } from './url-query-redaction-processor';
export { createPgPoolUsage, ATTR_DB_CLIENT_CONNECTION_POOL_NAME, ATTR_DB_CLIENT_CONNECTION_STATE } from './pg-pool-usage';
export type { PgPoolLike, PgPoolUsage } from './pg-pool-usage';
