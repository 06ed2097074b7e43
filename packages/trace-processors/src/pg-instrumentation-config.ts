/**
 * The part of instrumentation-pg's configuration that query hashing needs, and the seam the SDK
 * calls: `createDbQueryHashing(options)` → a span processor + a config to merge into
 * `new PgInstrumentation({...})`.
 *
 * The config is declared structurally (not imported from @opentelemetry/instrumentation-pg) so this
 * package does not depend on one instrumentation-pg version; it is assignable to
 * `Partial<PgInstrumentationConfig>` of 0.76.
 */
import { diag, type Span as ApiSpan } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace-base';
import { DbQueryHashSpanProcessor } from './db-query-processor';
import { DB_STATEMENT_MODES, type DbStatementMode } from './db-span-sanitizer';
import { DEFAULT_CACHE_SIZE, QueryHasher } from './query-hasher';

export interface DbQueryOptions {
  /** ORG_TRACE_DB_STATEMENT: what db.query.text carries. Default `sanitized`. */
  statement?: DbStatementMode;
  /** ORG_TRACE_PG_SQLCOMMENTER: append `/*traceparent='…'*\/` to queries sent to PostgreSQL. Default false. */
  sqlcommenter?: boolean;
  /** ORG_TRACE_DB_QUERY_CACHE_SIZE: entries in the raw-text → result LRU cache. Default 1000. */
  cacheSize?: number;
  /**
   * Create `pg.connect`/`pg-pool.connect` spans (the wait for a pooled connection — the signal for
   * pool exhaustion). Default true.
   */
  connectSpans?: boolean;
}

/** Request information instrumentation-pg passes to its requestHook (the subset we read). */
export interface PgRequestInfo {
  query: { text: string; name?: string; values?: unknown[] };
}

/** Subset of instrumentation-pg's PgInstrumentationConfig set by query hashing. */
export interface PgInstrumentationConfigPart {
  enhancedDatabaseReporting: false;
  addSqlCommenterCommentToQueries: boolean;
  ignoreConnectSpans: boolean;
  requestHook: (span: ApiSpan, info: PgRequestInfo) => void;
}

export interface DbQueryHashing {
  /** Add to the tracer provider BEFORE the batch/simple export processor. */
  spanProcessor: DbQueryHashSpanProcessor;
  /** Merge into `new PgInstrumentation({ ...pgInstrumentationConfig })`. */
  pgInstrumentationConfig: PgInstrumentationConfigPart;
  /** The shared normalizer + cache, for other SQL clients. */
  hasher: QueryHasher;
}

/** Validate options once; bad values fall back to defaults with one diag warning each. */
function resolve(options: DbQueryOptions): Required<DbQueryOptions> {
  let statement: DbStatementMode = 'sanitized';
  if (options.statement !== undefined) {
    if (DB_STATEMENT_MODES.includes(options.statement)) statement = options.statement;
    else diag.warn(`@org/trace-processors: statement must be one of ${DB_STATEMENT_MODES.join('|')}, got ${JSON.stringify(options.statement)}; using "sanitized"`);
  }
  let cacheSize = DEFAULT_CACHE_SIZE;
  if (options.cacheSize !== undefined) {
    if (Number.isInteger(options.cacheSize) && options.cacheSize >= 0) cacheSize = options.cacheSize;
    else diag.warn(`@org/trace-processors: cacheSize must be a non-negative integer, got ${JSON.stringify(options.cacheSize)}; using ${DEFAULT_CACHE_SIZE}`);
  }
  return {
    statement,
    cacheSize,
    sqlcommenter: options.sqlcommenter === true,
    connectSpans: options.connectSpans !== false,
  };
}

export function createDbQueryHashing(options: DbQueryOptions = {}): DbQueryHashing {
  const resolved = resolve(options ?? {});
  const hasher = new QueryHasher({ cacheSize: resolved.cacheSize });
  const spanProcessor = new DbQueryHashSpanProcessor({ statement: resolved.statement, hasher });

  return {
    spanProcessor,
    hasher,
    pgInstrumentationConfig: {
      // Bound values are the literals themselves: never collected.
      enhancedDatabaseReporting: false,
      addSqlCommenterCommentToQueries: resolved.sqlcommenter,
      ignoreConnectSpans: !resolved.connectSpans,
      // instrumentation-pg calls this synchronously right after it set db.query.text, with the full
      // (untruncated) text: the statement is handled here, once. The processor's onEnding then only
      // checks the span and scrubs error texts; without the processor on the provider, this alone
      // still replaces the raw text (status scrubbing then needs the processor).
      requestHook(span: ApiSpan, info: PgRequestInfo): void {
        const text = info?.query?.text;
        if (typeof text === 'string') spanProcessor.applyStatement(span as unknown as Span, text);
      },
    },
  };
}
