/**
 * DbQueryHashSpanProcessor: every db span leaves the process with a sanitized `db.query.text`, a
 * `db.query.summary` (also its name), a fingerprint, and error texts scrubbed of values.
 *
 * Where the data is matters. instrumentation-pg 0.76 sets `db.query.text` with `setAttribute` right
 * *after* `startSpan`, so the text is not there yet in `onStart`; and the span's status and exception
 * events are written just before `end()`. So in `onStart` we install, on that one span instance,
 * setters that sanitize on the way in: the raw text is never stored on the span, let alone exported,
 * whatever processors or exporters run later. `onEnding` (called by sdk-trace 2.12 before the span
 * is frozen; not part of older SDKs) re-checks the span as a safety net for spans that got their
 * text by another path (a span without `db.system` at start, a direct write to `attributes`).
 *
 * The processor must be registered BEFORE the batch/simple export processor. It never throws into
 * the instrumentation: on any internal failure it drops the text rather than pass it through.
 */
import { diag, type Attributes, type AttributeValue, type Context, type SpanStatus, type TimeInput } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_DB_QUERY_TEXT, ATTR_DB_STATEMENT } from './attributes';
import {
  DB_STATEMENT_MODES,
  fallbackSpanName,
  hasDbSystem,
  isQueryTextKey,
  isQueryValuesKey,
  queryAttributes,
  sanitizeExceptionAttributes,
  type DbStatementMode,
} from './db-span-sanitizer';
import { sanitizeDbErrorMessage } from './error-sanitizer';
import { QueryHasher, type QueryHasherOptions } from './query-hasher';

export interface DbQueryHashSpanProcessorOptions extends QueryHasherOptions {
  /** What to export as db.query.text. Default `sanitized`. */
  statement?: DbStatementMode;
  /** Share one hasher (and its cache) between several consumers. Overrides the cache options. */
  hasher?: QueryHasher;
  /**
   * Which spans to handle. Default: spans whose start attributes carry `db.system.name` or
   * `db.system` (set at start by instrumentation-pg, mysql2, knex, …).
   */
  isDbSpan?: (span: ReadableSpan) => boolean;
}

/** Per-span state, stored on the span under a symbol. */
interface SpanState {
  /** The last value this processor wrote as db.query.text (to recognise a later foreign write). */
  written: string | undefined;
  /** A statement has been handled on this span. */
  handled: boolean;
  /** The span's own setAttribute, from before we wrapped it (undefined when not wrapped). */
  set: SetAttribute | undefined;
  /**
   * The raw statement and its sanitized form, held only while the span lives: some clients put the
   * whole statement in their error messages (`select … 'alice' … - relation "x" does not exist`).
   */
  raw: string | undefined;
  sanitized: string;
}

const STATE = Symbol.for('org.trace.db-query-hash.state');

type MutableSpan = Span & {
  [STATE]?: SpanState;
  attributes: Attributes;
  status: SpanStatus;
};

type SetAttribute = (key: string, value: AttributeValue) => unknown;

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
  private readonly isDbSpan: (span: ReadableSpan) => boolean;

  constructor(options: DbQueryHashSpanProcessorOptions = {}) {
    const mode = options.statement ?? 'sanitized';
    if (!DB_STATEMENT_MODES.includes(mode)) {
      diag.warn(`@org/trace-processors: unknown statement mode ${JSON.stringify(mode)}; using "sanitized"`);
      this.statement = 'sanitized';
    } else {
      this.statement = mode;
    }
    this.hasher = options.hasher ?? new QueryHasher(options);
    this.isDbSpan = options.isDbSpan ?? ((span) => hasDbSystem(span.attributes));
  }

  onStart(span: Span, _parentContext: Context): void {
    try {
      if (!this.isDbSpan(span)) return;
      this.instrument(span as MutableSpan);
    } catch (error) {
      reportInternal(error);
    }
  }

  onEnding(span: Span): void {
    try {
      this.finalCheck(span as MutableSpan);
    } catch (error) {
      reportInternal(error);
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
   * Handle one statement on a span: the text attributes are written through `set`, the original
   * (unwrapped) setter. Exposed for instrumentations that want to call it directly (e.g. a pg
   * requestHook when this processor is not registered).
   */
  applyStatement(span: Span, rawText: string, set?: SetAttribute): void {
    const s = span as MutableSpan;
    const write: SetAttribute = set ?? ((k, v) => s.setAttribute(k, v));
    let state = s[STATE];
    if (state === undefined) {
      state = { written: undefined, handled: false, set: undefined, raw: undefined, sanitized: '?' };
      s[STATE] = state;
    }
    try {
      const info = this.hasher.analyze(rawText);
      for (const [k, v] of queryAttributes(info, rawText, this.statement, s.attributes)) write(k, v);
      state.written = this.statement === 'off' ? undefined : this.statement === 'raw' ? rawText : info.sanitized;
      state.handled = true;
      state.raw = rawText;
      state.sanitized = info.sanitized;
      s.updateName(info.summary || fallbackSpanName(s.attributes));
    } catch (error) {
      reportInternal(error);
      state.written = undefined;
    }
  }

  private instrument(s: MutableSpan): void {
    if (s[STATE] !== undefined) return;
    const processor = this;
    const mode = this.statement;
    const originalSetAttribute = s.setAttribute;
    const originalSetStatus = s.setStatus;
    const originalAddEvent = s.addEvent;
    const set: SetAttribute = (k, v) => originalSetAttribute.call(s, k, v);
    const state: SpanState = { written: undefined, handled: false, set, raw: undefined, sanitized: '?' };
    s[STATE] = state;

    s.setAttribute = function setAttribute(key: string, value: AttributeValue) {
      try {
        if (isQueryTextKey(key)) {
          if (typeof value === 'string') processor.applyStatement(s, value, set);
          return s;
        }
        if (mode !== 'raw' && isQueryValuesKey(key)) return s;
      } catch (error) {
        reportInternal(error);
        return s;
      }
      return originalSetAttribute.call(s, key, value);
    };
    // SpanImpl.setAttributes loops over setAttribute; we do the same so every key goes through the
    // filter even on an SDK whose setAttributes would not.
    s.setAttributes = function setAttributes(attributes: Attributes) {
      if (attributes !== null && typeof attributes === 'object') {
        for (const key of Object.keys(attributes)) {
          const value = attributes[key];
          if (value !== undefined) s.setAttribute(key, value);
        }
      }
      return s;
    };
    if (mode !== 'raw') {
      s.setStatus = function setStatus(status: SpanStatus) {
        if (status !== null && typeof status === 'object' && typeof status.message === 'string') {
          status = { code: status.code, message: sanitizeDbErrorMessage(withoutStatement(status.message, state)) };
        }
        return originalSetStatus.call(s, status);
      };
      // recordException() builds its attributes and calls this.addEvent('exception', …): scrubbing
      // here covers both paths.
      s.addEvent = function addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput) {
        if (name === 'exception' && isAttributes(attributesOrTime)) {
          attributesOrTime = sanitizeExceptionAttributes(attributesOrTime, (text) => withoutStatement(text, state));
        }
        return originalAddEvent.call(s, name, attributesOrTime as Attributes, time);
      };
    }

    // Some instrumentations pass the text in startSpan's attributes: it is already on the span.
    this.takeOverExistingText(s, set);
  }

  /** Replace a query text that reached `attributes` without going through our setter. */
  private takeOverExistingText(s: MutableSpan, set: SetAttribute): void {
    const attributes = s.attributes;
    if (attributes === undefined || attributes === null) return;
    const state = s[STATE];
    let raw: string | undefined;
    for (let k = 0; k < 2; k++) {
      const key = k === 0 ? ATTR_DB_QUERY_TEXT : ATTR_DB_STATEMENT;
      const value = attributes[key];
      if (value === undefined) continue;
      // Ours (possibly cut by the SDK's attribute length limit): leave it.
      if (
        key === ATTR_DB_QUERY_TEXT &&
        state !== undefined &&
        state.handled &&
        typeof value === 'string' &&
        state.written !== undefined &&
        state.written.startsWith(value)
      ) {
        continue;
      }
      if (typeof value === 'string' && raw === undefined) raw = value;
      deleteAttribute(s, key);
    }
    if (raw !== undefined) this.applyStatement(s, raw, set);
    if (this.statement !== 'raw') {
      for (const key in attributes) if (isQueryValuesKey(key)) deleteAttribute(s, key);
    }
  }

  /** Safety net before the span is frozen (sdk-trace >= 2.12 calls onEnding). */
  private finalCheck(s: MutableSpan): void {
    const state = s[STATE];
    if (state === undefined && !hasDbSystem(s.attributes)) {
      // Not a db span, unless something put a query text on it.
      const a = s.attributes;
      if (a === undefined || (a[ATTR_DB_QUERY_TEXT] === undefined && a[ATTR_DB_STATEMENT] === undefined)) return;
    }
    if (state !== undefined && state.set !== undefined) {
      // Wrapped from the start: every write went through our setters. Only a direct write to
      // `attributes` could have left something behind — check just the two text keys.
      const a = s.attributes;
      const text = a[ATTR_DB_QUERY_TEXT];
      const ours = text === undefined || (typeof text === 'string' && state.written !== undefined && state.written.startsWith(text));
      if (a[ATTR_DB_STATEMENT] !== undefined || !ours) this.takeOverExistingText(s, state.set);
      return;
    }
    this.takeOverExistingText(s, state?.set ?? ((k, v) => s.setAttribute(k, v)));
    if (this.statement === 'raw') return;
    if (state === undefined || state.set === undefined) {
      // Never wrapped: scrub the status and exception events in place.
      const handled = s[STATE];
      if (s.status !== undefined && typeof s.status.message === 'string') {
        s.status = { code: s.status.code, message: sanitizeDbErrorMessage(withoutStatement(s.status.message, handled)) };
      }
      for (const event of s.events ?? []) {
        if (event.name === 'exception' && event.attributes !== undefined) {
          (event as { attributes?: Attributes }).attributes = sanitizeExceptionAttributes(event.attributes, (text) =>
            withoutStatement(text, handled),
          );
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
  if (!Object.prototype.hasOwnProperty.call(s.attributes, key)) return;
  delete s.attributes[key];
  const counted = s as unknown as { _attributesCount?: unknown };
  if (typeof counted._attributesCount === 'number' && counted._attributesCount > 0) counted._attributesCount--;
}

/** Replace the span's raw statement, wherever an error text quotes it, by its sanitized form. */
function withoutStatement(text: string, state: SpanState | undefined): string {
  const raw = state?.raw;
  if (raw === undefined || raw.length === 0 || text.indexOf(raw) < 0) return text;
  return text.split(raw).join(state!.sanitized);
}

/** Has the processor taken charge of this span (wrapped it in onStart or handled a statement)? */
export function isDbQuerySpanHandled(span: object): boolean {
  return (span as { [STATE]?: SpanState })[STATE] !== undefined;
}

function isAttributes(value: unknown): value is Attributes {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
