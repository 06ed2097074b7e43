/**
 * What a db span must carry once its query text is known, and the scrubbing of what it must not
 * carry — independent of any one SQL client, so mysql2/knex/… instrumentations can reuse it.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_POSTGRESQL_VALUES,
  ATTR_DB_QUERY_PARAMETER_PREFIX,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_STATEMENT,
  ATTR_DB_SYSTEM,
  ATTR_DB_SYSTEM_NAME,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_ORG_DB_QUERY_HASH,
  ATTR_ORG_DB_QUERY_HASH_VERSION,
} from './attributes';
import { sanitizeDbErrorMessage, sanitizeDbErrorStack } from './error-sanitizer';
import type { QueryInfo } from './query-hasher';

/**
 * What leaves the process as `db.query.text`:
 * - `sanitized` (default): literals replaced by `?`;
 * - `raw`: the text as the application sent it (literals included) — an explicit opt-in;
 * - `off`: no text at all (summary and fingerprint are still exported).
 */
export type DbStatementMode = 'sanitized' | 'raw' | 'off';

export const DB_STATEMENT_MODES: readonly DbStatementMode[] = ['sanitized', 'raw', 'off'];

/** Is this attribute key one that carries query text? */
export function isQueryTextKey(key: string): boolean {
  return key === ATTR_DB_QUERY_TEXT || key === ATTR_DB_STATEMENT;
}

/** Is this attribute key one that carries bound values (dropped unless mode is `raw`)? */
export function isQueryValuesKey(key: string): boolean {
  return key === ATTR_DB_POSTGRESQL_VALUES || key.startsWith(ATTR_DB_QUERY_PARAMETER_PREFIX);
}

/** Does a span, from its attributes at start, describe a database call? */
export function hasDbSystem(attributes: Attributes | undefined): boolean {
  return attributes !== undefined && (attributes[ATTR_DB_SYSTEM_NAME] !== undefined || attributes[ATTR_DB_SYSTEM] !== undefined);
}

/** Span name when no summary could be derived: the database system, per the conventions. */
export function fallbackSpanName(attributes: Attributes | undefined): string {
  const system = attributes?.[ATTR_DB_SYSTEM_NAME] ?? attributes?.[ATTR_DB_SYSTEM];
  return typeof system === 'string' && system.length > 0 ? system : 'db';
}

/**
 * The attributes a db span gets for one statement. `rawText` is only used in `raw` mode.
 * `existing` lets the caller keep values an instrumentation already set (operation/collection).
 */
export function queryAttributes(
  info: QueryInfo,
  rawText: string,
  mode: DbStatementMode,
  existing: Attributes | undefined,
): Array<[string, AttributeValue]> {
  const out: Array<[string, AttributeValue]> = [];
  if (mode === 'sanitized') out.push([ATTR_DB_QUERY_TEXT, info.sanitized]);
  else if (mode === 'raw') out.push([ATTR_DB_QUERY_TEXT, rawText]);
  if (info.summary) out.push([ATTR_DB_QUERY_SUMMARY, info.summary]);
  out.push([ATTR_ORG_DB_QUERY_HASH, info.hash], [ATTR_ORG_DB_QUERY_HASH_VERSION, info.hashVersion]);
  if (info.operation && existing?.[ATTR_DB_OPERATION_NAME] === undefined) out.push([ATTR_DB_OPERATION_NAME, info.operation]);
  if (info.collection && existing?.[ATTR_DB_COLLECTION_NAME] === undefined) out.push([ATTR_DB_COLLECTION_NAME, info.collection]);
  return out;
}

/**
 * Scrub the attributes of an `exception` event (returns a new object when something changed).
 * `preprocess` runs first on the message and the stack (e.g. to replace a quoted raw statement).
 */
export function sanitizeExceptionAttributes(attributes: Attributes, preprocess: (text: string) => string = (t) => t): Attributes {
  const rawMessage = attributes[ATTR_EXCEPTION_MESSAGE];
  const rawStack = attributes[ATTR_EXCEPTION_STACKTRACE];
  if (typeof rawMessage !== 'string' && typeof rawStack !== 'string') return attributes;
  const copy: Attributes = { ...attributes };
  const message = typeof rawMessage === 'string' ? preprocess(rawMessage) : undefined;
  if (message !== undefined) copy[ATTR_EXCEPTION_MESSAGE] = sanitizeDbErrorMessage(message);
  if (typeof rawStack === 'string') copy[ATTR_EXCEPTION_STACKTRACE] = sanitizeDbErrorStack(preprocess(rawStack), message);
  return copy;
}
