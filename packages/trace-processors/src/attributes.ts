/** Attribute names written or read by the db query processor. */

/** Sanitized (or, when configured, raw) query text — OpenTelemetry semantic conventions. */
export const ATTR_DB_QUERY_TEXT = 'db.query.text';
/** The pre-1.26 name of the query text. Never exported by the processor: folded into db.query.text. */
export const ATTR_DB_STATEMENT = 'db.statement';
export const ATTR_DB_QUERY_SUMMARY = 'db.query.summary';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_COLLECTION_NAME = 'db.collection.name';
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
/** Pre-1.26 name of db.system.name, still set by several instrumentations. */
export const ATTR_DB_SYSTEM = 'db.system';
/** Bound parameter values (instrumentation-pg's enhancedDatabaseReporting). Dropped unless statement=raw. */
export const ATTR_DB_POSTGRESQL_VALUES = 'db.postgresql.values';
/** Prefix of per-parameter attributes from the conventions (`db.query.parameter.<key>`). Dropped unless raw. */
export const ATTR_DB_QUERY_PARAMETER_PREFIX = 'db.query.parameter.';

/** Fingerprint of the query shape (16 hex). */
export const ATTR_ORG_DB_QUERY_HASH = 'org.db.query.hash';
/** Version label of the fingerprint rules (see FINGERPRINT_VERSION). */
export const ATTR_ORG_DB_QUERY_HASH_VERSION = 'org.db.query.hash_version';

export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';
