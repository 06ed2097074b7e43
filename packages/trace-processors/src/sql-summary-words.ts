/** The word sets the summary works with (shared with the keyword table of sql-keywords.ts). */

export const DML_OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'merge']);

/**
 * Statements whose first word starts a data query (the operations are found as they appear).
 * `SummaryBuilder.startStatement` tests it as DML_OPERATIONS (their keyword flag) plus the four
 * others by name: keep both in step.
 */
export const DML_STARTS = new Set(['select', 'insert', 'update', 'delete', 'merge', 'with', 'values', 'table', 'explain']);

/** A DML keyword preceded by one of these is a clause, not an operation (`FOR UPDATE`, `ON DELETE`, `DO UPDATE`). */
export const NOT_AN_OPERATION_AFTER = new Set(['for', 'key', 'do', 'on', 'then', 'share', 'no', 'of', 'grant', 'revoke']);

/** Keywords after which the next name is a collection. */
export const TARGET_INTRODUCERS = new Set(['from', 'join', 'into', 'update', 'using', 'table']);

/** Words skipped while waiting for a collection name. */
export const TARGET_NOISE = new Set(['only', 'lateral', 'if', 'not', 'exists', 'concurrently']);

/** Keywords that end a FROM list (after which a comma no longer introduces a collection). */
export const FROM_LIST_END = new Set([
  'where', 'group', 'order', 'limit', 'offset', 'having', 'window', 'union', 'except', 'intersect',
  'returning', 'on', 'using', 'for', 'fetch', 'set', 'values', 'select', 'natural',
]);

/** Object kinds named in DDL (`CREATE <kind> name`). */
export const DDL_OBJECTS = new Set([
  'table', 'index', 'view', 'sequence', 'schema', 'function', 'procedure', 'trigger', 'type',
  'extension', 'database', 'role', 'user', 'policy', 'domain', 'aggregate', 'collation',
  'publication', 'subscription', 'tablespace', 'rule', 'server', 'statistics',
]);

/** Statements summarised as keyword + object kind + name. */
export const DDL_VERBS = new Set(['create', 'drop', 'alter', 'comment', 'reindex']);

/** Utility statements summarised as keyword + the name that follows (a table, a procedure…). */
export const NAMED_UTILITIES = new Set(['truncate', 'copy', 'call', 'lock', 'vacuum', 'analyze', 'cluster', 'refresh']);

/** Words between a DDL verb and the object kind (`CREATE OR REPLACE TEMP VIEW`). */
export const DDL_MODIFIERS = new Set([
  'or', 'replace', 'unique', 'temp', 'temporary', 'unlogged', 'materialized', 'global', 'local',
  'recursive', 'foreign', 'default', 'constraint', 'trusted', 'procedural', 'on',
]);
