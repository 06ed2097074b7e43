/**
 * DbQueryHashSpanProcessor: every db span leaves the process with a sanitized `db.query.text`, a
 * `db.query.summary` (also its name), a fingerprint, and error texts scrubbed of values.
 *
 * Where the work happens, and why there (cost: this runs for every span of the application):
 *  - The statement is handled where it is known in full: instrumentation-pg's `requestHook` (see
 *    pg-instrumentation-config.ts) calls `applyStatement` right after instrumentation-pg has set
 *    `db.query.text`, with the untruncated text. Other SQL client integrations can call it the same
 *    way. The raw text is overwritten on the span at once.
 *  - `onEnding` (sdk-trace 2.12 calls it on every processor before any processor's `onEnd`, i.e.
 *    before any exporter can see the span, while the span can still be written) is the checkpoint:
 *    it handles a text nobody applied (clients without a hook, `db.statement` passed at start like
 *    mysql2/knex, a text written after the hook), removes bound values, and scrubs the error status
 *    and `exception` events. For a span that is not a db span it costs four attribute lookups.
 *  - `onStart` does nothing. An earlier version wrapped the setters of each db span in `onStart`
 *    (closures per span, own properties on the span object): that cost more than the whole rest.
 *
 * Consequence: a raw text that no hook handled sits in the span's attributes, in process memory,
 * until the span ends; it is replaced before the span is handed to any exporter. The processor must
 * be registered BEFORE the batch/simple export processor (other processors' `onEnding` may run
 * before ours otherwise). It never throws into the application: on an internal failure it drops the
 * text rather than pass it through.
 */
import { diag, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_POSTGRESQL_VALUES,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_STATEMENT,
  ATTR_DB_SYSTEM,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ORG_DB_QUERY_HASH,
  ATTR_ORG_DB_QUERY_HASH_VERSION,
} from './attributes';
import { DB_STATEMENT_MODES, fallbackSpanName, hasDbSystem, isQueryValuesKey, sanitizeExceptionAttributes, type DbStatementMode } from './db-span-sanitizer';
import { sanitizeDbErrorMessage } from './error-sanitizer';
import { QueryHasher, type QueryHasherOptions } from './query-hasher';

export interface DbQueryHashSpanProcessorOptions extends QueryHasherOptions {
  /** What to export as db.query.text. Default `sanitized`. */
  statement?: DbStatementMode;
  /** Share one hasher (and its cache) between several consumers. Overrides the cache options. */
  hasher?: QueryHasher;
  /**
   * Which spans to handle (checked when the span ends). Default: spans carrying `db.system.name` or
   * `db.system`, or a query text. A span whose statement was applied by a hook is always handled.
   */
  isDbSpan?: (span: ReadableSpan) => boolean;
}

/** What `applyStatement` left on a span, for the checkpoint in `onEnding`. */
interface SpanState {
  /** The raw statement: some clients quote it whole in their error messages. */
  raw: string;
  sanitized: string;
  /** What we wrote as db.query.text (undefined in `off` mode), to recognise a later foreign write. */
  written: string | undefined;
}

const STATE = Symbol.for('org.trace.db-query-hash.state');

type MutableSpan = Span & {
  [STATE]?: SpanState;
  attributes: Attributes;
  status: { code: number; message?: string };
  events: Array<{ name: string; attributes?: Attributes }>;
};

let warnedInternal = false;
/** One diag line per process at most: code running in the user's process must not flood its logs. */
function reportInternal(error: unknown): void {
  if (warnedInternal) return;
  warnedInternal = true;
  diag.warn('@org/trace-processors: db span sanitizer failed; query text dropped from the span', error);
}

export class DbQueryHashSpanProcessor implements SpanProcessor {
  readonly statement: DbStatementMode;
  readonly hasher: QueryHasher;
  private readonly isDbSpan: ((span: ReadableSpan) => boolean) | undefined;

  constructor(options: DbQueryHashSpanProcessorOptions = {}) {
    const mode = options.statement ?? 'sanitized';
    if (!DB_STATEMENT_MODES.includes(mode)) {
      diag.warn(`@org/trace-processors: unknown statement mode ${JSON.stringify(mode)}; using "sanitized"`);
      this.statement = 'sanitized';
    } else {
      this.statement = mode;
    }
    this.hasher = options.hasher ?? new QueryHasher(options);
    this.isDbSpan = options.isDbSpan;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    try {
      this.checkpoint(span as MutableSpan);
    } catch (error) {
      reportInternal(error);
      try {
        deleteAttribute(span as MutableSpan, ATTR_DB_QUERY_TEXT);
        deleteAttribute(span as MutableSpan, ATTR_DB_STATEMENT);
      } catch {
        // nothing more we can do without risking the host application
      }
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.hasher.clearCache();
    return Promise.resolve();
  }

  /**
   * Handle one statement on a span now: sanitized text (per mode), summary, fingerprint, name. The
   * raw text is overwritten. For SQL client integrations (the pg requestHook uses it). Never throws.
   */
  applyStatement(span: Span, rawText: string): void {
    const s = span as MutableSpan;
    try {
      const a = s.attributes;
      if (a === undefined || a === null || typeof rawText !== 'string') return;
      const info = this.hasher.analyze(rawText);
      const mode = this.statement;
      let written: string | undefined;
      if (mode === 'sanitized') {
        written = info.sanitized;
        s.setAttribute(ATTR_DB_QUERY_TEXT, written);
      } else if (mode === 'raw') {
        written = rawText;
        s.setAttribute(ATTR_DB_QUERY_TEXT, written);
      } else {
        deleteAttribute(s, ATTR_DB_QUERY_TEXT);
      }
      if (a[ATTR_DB_STATEMENT] !== undefined) deleteAttribute(s, ATTR_DB_STATEMENT);
      if (info.summary) s.setAttribute(ATTR_DB_QUERY_SUMMARY, info.summary);
      s.setAttribute(ATTR_ORG_DB_QUERY_HASH, info.hash);
      s.setAttribute(ATTR_ORG_DB_QUERY_HASH_VERSION, info.hashVersion);
      if (info.operation && a[ATTR_DB_OPERATION_NAME] === undefined) s.setAttribute(ATTR_DB_OPERATION_NAME, info.operation);
      if (info.collection && a[ATTR_DB_COLLECTION_NAME] === undefined) s.setAttribute(ATTR_DB_COLLECTION_NAME, info.collection);
      s.updateName(info.summary || fallbackSpanName(a));
      s[STATE] = { raw: rawText, sanitized: info.sanitized, written };
    } catch (error) {
      reportInternal(error);
      deleteAttribute(s, ATTR_DB_QUERY_TEXT);
      deleteAttribute(s, ATTR_DB_STATEMENT);
    }
  }

  /** Before the span is frozen and handed to exporters. */
  private checkpoint(s: MutableSpan): void {
    const a = s.attributes;
    if (a === undefined || a === null) return;
    const text = a[ATTR_DB_QUERY_TEXT];
    const stmt = a[ATTR_DB_STATEMENT];
    let state = s[STATE];
    if (state === undefined && text === undefined && stmt === undefined) {
      // No statement: only db spans (e.g. pool connects) need their values and errors scrubbed.
      if (this.isDbSpan !== undefined ? !this.isDbSpan(s) : a[ATTR_DB_SYSTEM_NAME] === undefined && a[ATTR_DB_SYSTEM] === undefined) return;
    } else if (state === undefined && this.isDbSpan !== undefined && !this.isDbSpan(s) && !hasDbSystem(a)) {
      // A custom predicate excludes it, and nothing says it is a db span: leave it to the user.
      return;
    }

    // A text no hook handled, or one written after the hook (ours may have been cut by the SDK's
    // attribute length limit: still ours).
    const ours =
      state !== undefined &&
      (text === state.written || (typeof text === 'string' && state.written !== undefined && state.written.startsWith(text)));
    if (stmt !== undefined || (text !== undefined && !ours)) {
      const raw = typeof text === 'string' && !ours ? text : typeof stmt === 'string' ? stmt : undefined;
      deleteAttribute(s, ATTR_DB_QUERY_TEXT);
      deleteAttribute(s, ATTR_DB_STATEMENT);
      if (raw !== undefined) {
        this.applyStatement(s, raw);
        state = s[STATE];
      }
    }

    if (this.statement === 'raw') return;
    if (a[ATTR_DB_POSTGRESQL_VALUES] !== undefined) deleteAttribute(s, ATTR_DB_POSTGRESQL_VALUES);
    for (const key in a) {
      // `db.query.parameter.*`: the first character check keeps this loop cheap.
      if (key.charCodeAt(0) === 100 /* d */ && isQueryValuesKey(key)) deleteAttribute(s, key);
    }
    const status = s.status;
    if (status !== undefined && status !== null && typeof status.message === 'string') {
      s.status = { code: status.code, message: sanitizeDbErrorMessage(withoutStatement(status.message, state)) };
    }
    const events = s.events;
    if (events !== undefined && events !== null) {
      for (let i = 0; i < events.length; i++) {
        const event = events[i];
        if (event.name === 'exception' && event.attributes !== undefined) {
          event.attributes = sanitizeExceptionAttributes(event.attributes, (t) => withoutStatement(t, state));
        }
      }
    }
  }
}

/**
 * Remove an attribute the span already holds. SpanImpl counts attributes against its limit in a
 * private field; keep that count right so removing does not eat into the user's attribute budget.
 */
function deleteAttribute(s: MutableSpan, key: string): void {
  const a = s.attributes;
  if (a === undefined || a === null || !Object.prototype.hasOwnProperty.call(a, key)) return;
  delete a[key];
  const counted = s as unknown as { _attributesCount?: unknown };
  if (typeof counted._attributesCount === 'number' && counted._attributesCount > 0) counted._attributesCount--;
}

/** Replace the span's raw statement, wherever an error text quotes it, by its sanitized form. */
function withoutStatement(text: string, state: SpanState | undefined): string {
  const raw = state?.raw;
  if (raw === undefined || raw.length === 0 || text.indexOf(raw) < 0) return text;
  return text.split(raw).join(state!.sanitized);
}

/** Has a statement been applied to this span (by a hook or the checkpoint)? */
export function isDbQuerySpanHandled(span: object): boolean {
  return (span as { [STATE]?: SpanState })[STATE] !== undefined;
}
