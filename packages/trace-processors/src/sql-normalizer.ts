/**
 * One pass over a PostgreSQL statement that produces, at once:
 *  - `sanitized`: the text to export as `db.query.text` — comments gone, every literal replaced by `?`,
 *    `$n` parameters kept, whitespace folded, constant IN/ARRAY lists and repeated VALUES rows collapsed;
 *  - `key`: the canonical form the fingerprint hashes — as above, plus unquoted words lower-cased,
 *    `$n` → `?`, every constant-only list collapsed, casts of constants dropped, tokens separated by
 *    exactly one space (so spacing and comments never split a group);
 *  - `summary`: `db.query.summary` (see sql-summary.ts).
 *
 * Literal safety is structural: literals are never copied to either output, only the `?` that
 * replaces them. When the input ends inside a literal, quoted identifier or comment, the whole
 * statement becomes `?` — a tail we cannot classify is never emitted. The function never throws:
 * anything unexpected (a bug here, a non-string) yields `?` as well.
 */
import type { QueryInfo } from './query-hasher';
import { KeyBytes } from './sql-key-bytes';
import {
  isReservedName,
  KW_AS,
  KW_CONSTANT,
  KW_FROM_END,
  KW_KNOWN,
  KW_SAVEPOINT,
  KW_SIGN_CONTEXT,
  KW_TYPED_LITERAL,
  KW_VALUES,
  prepareKeywords,
  findAsciiWord,
  KEYWORD_FLAGS,
  KEYWORD_TEXT,
  recognizeNonAsciiWord,
  word,
} from './sql-keywords';
import { NAME_DOUBLED, NAME_NOT_CANONICAL, NAME_NOT_PLAIN, NAME_SUSPICIOUS, SqlLexer, TokenKind, WORD_DOLLAR_QUOTE, WORD_NON_ASCII, WORD_UPPER } from './sql-lexer';
import { SUMMARY_PREV_FLAGS, SUMMARY_WORD_FLAGS, SummaryBuilder, Tok } from './sql-summary';

/** Default cap on the sanitized text (32 KiB), applied at a token boundary. */
export const DEFAULT_MAX_SANITIZED_LENGTH = 32 * 1024;

export interface NormalizeOptions {
  /** Longest sanitized text returned, in UTF-16 code units. Default 32 KiB. */
  maxLength?: number;
}

export interface NormalizedSql {
  /** Text safe to export as `db.query.text`. */
  sanitized: string;
  /** Canonical key that the fingerprint hashes. Contains no literal either. */
  key: string;
  /** `db.query.summary`, e.g. `SELECT users`; empty when nothing could be recognised. */
  summary: string;
  /** `db.operation.name` for a single statement (`SELECT`, `INSERT`, `CREATE` …), else empty. */
  operation: string;
  /** `db.collection.name` when a single statement touches exactly one collection, else empty. */
  collection: string;
  /** The input ended inside a literal/identifier/comment, or its quoting is broken (a literal glued to a word): `sanitized` and `key` are `?`. */
  unterminated: boolean;
  /** `sanitized` was cut at `maxLength`. */
  truncated: boolean;
}

const PLACEHOLDER = '?';

/** Frame for one open `(` or `[`. */
interface Frame {
  /** Token index in `key` of the opening bracket. */
  keyOpen: number;
  /** Index in `san` just after the opening bracket. */
  sanStart: number;
  /** Everything inside so far is a constant, a comma, or a cast of a constant. */
  constOnly: boolean;
  /** Saw at least one element. */
  hasElement: boolean;
  /** Saw a `$n` parameter (the sanitized text keeps those, so the list is not collapsed there). */
  hasParam: boolean;
  /** The sanitized text collapses this list when it is literal-only (`IN (…)`, `ARRAY[…]`). */
  sanCollapsible: boolean;
  /** Row of a VALUES list. */
  valuesRow: boolean;
}

/** State of a VALUES list being read (rows repeated with the same shape are kept once). */
interface ValuesState {
  depth: number;
  expectRow: boolean;
  /** Key range of the last kept row. */
  prevKeyStart: number;
  prevKeyEnd: number;
  /** Range of `san` pieces holding the last kept row. */
  prevSanStart: number;
  prevSanEnd: number;
  /** Where the comma before the current row starts (to remove it with a duplicate row). */
  commaKey: number;
  commaSan: number;
  rowKeyStart: number;
  rowSanStart: number;
}

const UNTERMINATED: Readonly<NormalizedSql> = Object.freeze({
  sanitized: PLACEHOLDER,
  key: PLACEHOLDER,
  summary: '',
  operation: '',
  collection: '',
  unterminated: true,
  truncated: false,
});

/**
 * Normalize one PostgreSQL statement (or several separated by `;`). Never throws.
 */
export function normalizeSql(sql: string, options?: NormalizeOptions): NormalizedSql {
  if (typeof sql !== 'string') return UNTERMINATED;
  try {
    return normalize(sql, options?.maxLength ?? DEFAULT_MAX_SANITIZED_LENGTH, undefined, false, '');
  } catch {
    // Defensive: a bug must not surface in the host application, nor fall back to the raw text.
    return UNTERMINATED;
  }
}

/**
 * Normalize and hash the canonical key without building the key string: `hashKey` receives the
 * key's UTF-8 bytes (or, rarely, the key string: see sql-key-bytes.ts) and its result is returned as
 * `hash`; `key` is ''. Never throws.
 */
export function normalizeSqlHashed(sql: string, maxLength: number, hashKey: KeyHasher): NormalizedSql & { hash: string } {
  if (typeof sql === 'string') {
    try {
      return normalize(sql, maxLength, hashKey, false, '') as NormalizedSql & { hash: string };
    } catch {
      // as above
    }
  }
  return { ...UNTERMINATED, hash: hashKey(PLACEHOLDER) };
}

/**
 * `normalizeSqlHashed` for QueryHasher's miss path: the QueryInfo itself (labelled
 * `hashVersion`), so that a miss makes one result object, not one to copy from. With `hashText`, a
 * hash of the statement's text is left for `normalizedTextHash`. Never throws.
 */
export function normalizeSqlInfo(sql: string, maxLength: number, hashKey: KeyHasher, hashVersion: string, hashText: boolean): QueryInfo {
  try {
    return normalize(sql, maxLength, hashKey, hashText, hashVersion) as unknown as QueryInfo;
  } catch {
    // as above
  }
  return queryInfo(PLACEHOLDER, '', hashKey(PLACEHOLDER), hashVersion, '', '', true, false);
}

/**
 * QueryHasher's result. Not frozen here: freezing cost ~50 ns, a tenth of a short statement's fixed
 * cost, and only a result that enters the cache is handed to more than one caller (QueryHasher
 * freezes it then).
 */
function queryInfo(
  sanitized: string,
  summary: string,
  hash: string,
  hashVersion: string,
  operation: string,
  collection: string,
  unterminated: boolean,
  truncated: boolean,
): QueryInfo {
  return { sanitized, summary, hash, hashVersion, operation, collection, unterminated, truncated };
}

/**
 * Hash of the code units of the last statement normalized with `hashText` (QueryHasher's cache
 * admission): made while the lexer clears its copy of them, see SqlLexer.releaseHashing.
 */
export function normalizedTextHash(): number {
  return lastTextHash;
}

/**
 * Hashes the canonical key, given as its UTF-8 bytes or as a string; with bytes, possibly also the
 * same memory as 32-bit words (see KeyBytes.hashWords).
 */
export type KeyHasher = (key: Uint8Array | string, words?: Int32Array) => string;

/**
 * The normalizer's state. One instance is reused for every statement (`normalize` below): its key
 * buffer, frames and summary builder are allocated once, not per call. Nothing in a run calls out of this
 * module, so a run cannot be re-entered.
 *
 * The sanitized text is not built token by token: what is copied verbatim (everything except
 * literals, comments and re-spaced whitespace) is kept as a pending *run* of the source, `[runStart,
 * runEnd)`, which grows while tokens follow each other exactly as the output wants them (adjacent, or
 * separated by one space). Only a placeholder, a folded separator or a mark (a list that may collapse,
 * a VALUES row) ends a run; so a typical statement is a handful of slices instead of two strings per
 * token.
 */
class Normalizer {
  private readonly lexer = new SqlLexer('');
  private sql = '';
  /** The statement's code units (the lexer's: see SqlLexer). */
  private units: Uint16Array = this.lexer.units;
  private maxLength = DEFAULT_MAX_SANITIZED_LENGTH;
  private readonly key = new KeyBytes();
  /** Finished pieces of the sanitized text (a pending run is not in here yet). */
  private san: string[] = [];
  private runStart = -1;
  private runEnd = -1;
  /** Start of the last run moved into `san` (to cut a token out of it at the end). */
  private flushedRunStart = -1;
  /**
   * Where the text of the last token that may be dropped with a trailing `;` starts (see
   * `lastVerbatim`): a source offset (in a run) or an index in `san`; -1: none.
   */
  private lastTok = -1;
  private lastTokInRun = false;
  private frames: Frame[] = [];
  /** Frame objects by depth, reused. */
  private readonly framePool: Frame[] = [];
  private readonly summary = new SummaryBuilder();
  private values: ValuesState | null = null;
  private readonly valuesState: ValuesState = {
    depth: 0,
    expectRow: false,
    prevKeyStart: -1,
    prevKeyEnd: -1,
    prevSanStart: -1,
    prevSanEnd: -1,
    commaKey: -1,
    commaSan: -1,
    rowKeyStart: -1,
    rowSanStart: -1,
  };
  /** When set, the key is hashed from its bytes instead of returned as a string (see normalizeSqlHashed). */
  private hashKey: KeyHasher | undefined = undefined;
  /** Leave a hash of the text in `lastTextHash` (see normalizeSqlHashed). */
  private hashText = false;
  /** When set, the result is QueryHasher's QueryInfo with this version label (see normalizeSqlInfo). */
  private hashVersion = '';

  init(sql: string, maxLength: number, hashKey: KeyHasher | undefined, hashText: boolean, hashVersion: string): void {
    this.hashKey = hashKey;
    this.hashText = hashText;
    this.hashVersion = hashVersion;
    this.sql = sql;
    this.maxLength = maxLength;
    this.lexer.init(sql);
    this.units = this.lexer.units;
    prepareKeywords();
    // Fresh arrays: allocating an empty array is cheaper than `length = 0` (a call into the runtime).
    this.key.reset(sql.length);
    this.san = [];
    this.runStart = -1;
    this.runEnd = -1;
    this.flushedRunStart = -1;
    this.lastTok = -1;
    this.lastTokInRun = false;
    this.frames = [];
    this.summary.reset(sql, this.lexer);
    this.values = null;
  }

  /** Drop every reference to the last statement (no raw SQL kept alive between calls). */
  release(): void {
    // Slices of the statement (sanitized pieces, lower-cased names) would keep the raw text alive.
    this.sql = '';
    if (this.hashText) lastTextHash = this.lexer.releaseHashing();
    else this.lexer.release();
    this.units = this.lexer.units;
    this.hashKey = undefined;
    this.key.release();
    this.san = NO_PARTS;
    word.lower = '';
    this.summary.release();
  }

  private flushRun(): void {
    if (this.runStart < 0) return;
    this.san.push(this.sql.slice(this.runStart, this.runEnd));
    this.flushedRunStart = this.runStart;
    this.runStart = -1;
  }

  /** Append the source text `[start, end)`, after one space when `space` (and the output does not end in one). */
  private verbatim(start: number, end: number, space: boolean): void {
    // The output ends with the run (never with a space): grow it when the source already reads
    // exactly as the output should — most tokens do. Kept this small so that V8 inlines it at its
    // many call sites in the token loop: V8's inlining budget for that loop is counted in bytecode,
    // and every inlined copy spends it (raising the budget by half made a short statement ~3 %
    // faster). So it does not note where the token starts (see `lastVerbatim`).
    const runEnd = this.runEnd;
    if (this.runStart >= 0 && (space ? start === runEnd + 1 && this.units[runEnd] === 32 : start === runEnd)) this.runEnd = end;
    else this.startRun(start, end, space);
  }

  /**
   * `verbatim`, noting where the token starts: for the tokens that may end the output while the key
   * ends with `;` — the `;` itself, and what is written to the sanitized text only (a cast after a
   * constant and its type) — so that `dropLastToken` can take a trailing `;` (or what followed it in
   * the text) back out. Every other token writes to the key as well, so it is never that last one.
   */
  private lastVerbatim(start: number, end: number, space: boolean): void {
    this.verbatim(start, end, space);
    this.lastTokInRun = true;
    this.lastTok = start;
  }

  /** `verbatim` for a token that cannot extend the pending run: the run so far is moved into `san`. */
  private startRun(start: number, end: number, space: boolean): void {
    this.flushRun();
    const san = this.san;
    if (space && san.length > 0 && san[san.length - 1] !== ' ') {
      if (start > 0 && this.units[start - 1] === 32) {
        this.runStart = start - 1;
      } else {
        san.push(' ');
        this.runStart = start;
      }
    } else {
      this.runStart = start;
    }
    this.runEnd = end;
  }

  /** Append a text of our own (a placeholder), after one space when `space`. */
  private text(text: string, space: boolean): void {
    const san = this.san;
    if (space && this.runStart >= 0 && this.units[this.runEnd] === 32) {
      // The separating space, when the source has one right there, rides along with the run.
      this.runEnd++;
      this.flushRun();
    } else {
      this.flushRun();
      if (space && san.length > 0 && san[san.length - 1] !== ' ') san.push(' ');
    }
    this.lastTokInRun = false;
    this.lastTok = san.length;
    san.push(text);
  }

  /**
   * `text('?', space)` for a literal, the most frequent text: with a pending run, the run, its
   * separating space and the `?` become one piece (one string and one array slot fewer per literal,
   * and one piece fewer to join). The run started after the last mark, so no mark falls inside.
   */
  private placeholder(space: boolean): void {
    const start = this.runStart;
    if (start < 0) {
      this.text(PLACEHOLDER, space);
      return;
    }
    const end = this.runEnd;
    // A trailing `;` can no longer be the last token (see `lastVerbatim`): a literal writes to the key.
    this.lastTokInRun = false;
    this.lastTok = -1;
    this.runStart = -1;
    const run = this.sql.slice(start, space && this.units[end] === 32 ? end + 1 : end);
    this.san.push(space && this.units[end] !== 32 ? run + ' ?' : run + PLACEHOLDER);
  }

  /** Output separator for a mark: the space a token at `space` would get, as a piece of its own. */
  private separator(space: boolean): void {
    this.flushRun();
    const san = this.san;
    if (space && san.length > 0 && san[san.length - 1] !== ' ') san.push(' ');
  }

  /** A token that is not a constant makes the innermost open list non-constant. */
  private markNonConst(): void {
    const frames = this.frames;
    if (frames.length > 0) frames[frames.length - 1].constOnly = false;
  }

  private markElement(param: boolean): void {
    const frames = this.frames;
    if (frames.length > 0) {
      const f = frames[frames.length - 1];
      f.hasElement = true;
      if (param) f.hasParam = true;
    }
  }

  /** Emit a literal: `?` in both outputs. */
  private emitLiteral(space: boolean): void {
    this.key.pushChar(63 /* ? */);
    this.placeholder(space);
    this.markElement(false);
  }

  /** Emit a `$n` parameter: `?` in the key, its text in the sanitized one. */
  private emitParam(space: boolean): void {
    this.key.pushChar(63 /* ? */);
    this.verbatim(this.lexer.start, this.lexer.end, space);
    this.markElement(true);
  }

  private unterminatedResult(): NormalizedSql {
    // Everything from here on is inside a literal or comment we cannot delimit: emit nothing of it.
    const s = this.summary;
    s.finish();
    if (this.hashVersion !== '') {
      return queryInfo(PLACEHOLDER, s.summary, this.hashKey!(PLACEHOLDER), this.hashVersion, s.operation, s.collection, true, false) as unknown as NormalizedSql;
    }
    const r: NormalizedSql & { hash?: string } = { ...UNTERMINATED, summary: s.summary, operation: s.operation, collection: s.collection };
    if (this.hashKey !== undefined) r.hash = this.hashKey(PLACEHOLDER);
    return r;
  }

  run(): NormalizedSql {
    const { sql, units, lexer, key, san, frames, summary } = this;
    // Token-to-token state only this loop reads, kept in locals rather than fields (no load or store
    // per token through the calls the loop makes). The kind of the previous significant token, and
    // its lower-cased text and flags when it was a word ('' for a word the keyword table does not
    // know: only keywords are ever compared):
    let prevKind = TokenKind.End;
    let prevWord = '';
    let prevFlags = 0;
    /** The previous token was a string literal (PostgreSQL concatenates adjacent ones). */
    let prevString = false;
    /** Drop the type of a `::cast` from the key (it followed a constant). */
    let skipCastType = false;
    /** The previous emitted token was a constant (literal, parameter, collapsed list). */
    let prevConst = false;
    /** Token index in `key` of the last word when it is a type that may prefix a literal (`DATE '…'`). */
    let typedWordAt = -1;
    for (;;) {
      const kind = lexer.next();
      if (kind === TokenKind.End) break;
      if (kind === TokenKind.Unterminated) return this.unterminatedResult();
      const space = lexer.spaceBefore;
      const depth = frames.length;
      let lower = '';
      let flags = 0;
      if (kind === TokenKind.Word) {
        const bits = lexer.wordBits;
        // `E$$secret$$` is one identifier for PostgreSQL (`$` continues a name), but a name holding
        // `$$` is far more likely a dollar-quoted literal with a stray letter in front of it.
        if ((bits & WORD_DOLLAR_QUOTE) !== 0) return this.unterminatedResult();
        if ((bits & WORD_NON_ASCII) === 0) {
          const slot = findAsciiWord(units, lexer.start, lexer.end, lexer.wordHash);
          if (slot >= 0) {
            lower = KEYWORD_TEXT[slot];
            flags = KEYWORD_FLAGS[slot];
          }
        } else {
          recognizeNonAsciiWord(sql, lexer.start, lexer.end);
          lower = word.lower;
          flags = word.flags;
        }
      }

      // A literal glued to a word (`'O'Brien'`, `name='x'y`) is how a broken quote looks once the
      // lexer has re-synchronised on the *wrong* quotes: what reads as words may be the inside of a
      // literal. Valid SQL essentially never glues them, so the statement is treated as unterminated.
      if (!space && ((1 << kind) & ATOM_KINDS) !== 0 && ((1 << prevKind) & ATOM_KINDS) !== 0 && (((1 << kind) | (1 << prevKind)) & QUOTED_KINDS) !== 0) {
        return this.unterminatedResult();
      }
      // Likewise a "quoted identifier" holding quotes, dollars, `=`, line breaks, or far longer than
      // PostgreSQL's 63-byte name limit, is more likely a stray `"` pairing across a literal than a
      // name. (ORM aliases such as `"Customer->Orders.id"` stay well within these rules.)
      if (kind === TokenKind.QuotedIdent && !checkQuotedIdent(units, sql, lexer.start, lexer.end, lexer)) {
        return this.unterminatedResult();
      }

      // VALUES bookkeeping: leaving the list ends the state.
      let rowStart = false;
      const values = this.values;
      if (values !== null && depth === values.depth) {
        if (kind === TokenKind.OpenParen && values.expectRow) {
          values.rowKeyStart = key.count;
          rowStart = true;
        } else if (kind === TokenKind.Comma && !values.expectRow) {
          values.expectRow = true;
          values.commaKey = key.count;
          this.flushRun();
          values.commaSan = san.length;
        } else {
          this.values = null;
        }
      } else if (values !== null && depth < values.depth) {
        this.values = null;
      }

      const wasString = prevString;
      prevString = false;
      const wasConst = prevConst;
      prevConst = false;
      const wasTypedWordAt = typedWordAt;
      typedWordAt = -1;

      switch (kind) {
        case TokenKind.String: {
          if (wasString) {
            // 'abc'
            // 'def'  — one literal in PostgreSQL; one `?` here.
            prevString = true;
            prevConst = true;
            break;
          }
          // `DATE '…'`: the type name before a string literal goes with it.
          if (wasTypedWordAt >= 0 && wasTypedWordAt === key.count - 1) key.truncate(wasTypedWordAt);
          this.emitLiteral(space);
          prevConst = true;
          prevString = true;
          summary.other();
          break;
        }
        case TokenKind.Number:
          this.emitLiteral(space);
          prevConst = true;
          summary.other();
          break;
        case TokenKind.Param:
          this.emitParam(space);
          prevConst = true;
          summary.other();
          break;
        case TokenKind.Word: {
          if (skipCastType) {
            // `'…'::int` groups with `'…'`: the type of a constant is dropped from the key.
            skipCastType = false;
            this.lastVerbatim(lexer.start, lexer.end, space);
            prevConst = true;
            prevWord = lower;
            prevFlags = flags;
            prevKind = kind;
            continue;
          }
          if (
            (flags & KW_CONSTANT) !== 0 &&
            !(lower === 'null' && (prevWord === 'is' || (prevWord === 'not' && key.tokenIs(key.count - 2, 'is'))))
          ) {
            key.pushChar(63 /* ? */);
            this.verbatim(lexer.start, lexer.end, space);
            this.markElement(false);
            prevConst = true;
            summary.other();
            break;
          }
          // Savepoint names are generated (`sp_1`, `sp_2` …): they do not make a new shape.
          if ((prevFlags & KW_SAVEPOINT) !== 0 && prevKind === TokenKind.Word) {
            key.pushChar(63 /* ? */);
          } else {
            const bits = lexer.wordBits;
            if ((bits & WORD_NON_ASCII) === 0) key.pushWord(units, lexer.start, lexer.end);
            else key.push(lower, 0, lower.length);
            if ((flags & KW_TYPED_LITERAL) !== 0) typedWordAt = key.count - 1;
          }
          this.verbatim(lexer.start, lexer.end, space);
          this.markNonConst();
          if ((flags & KW_VALUES) !== 0 && this.values === null) {
            const v = this.valuesState;
            v.depth = depth;
            v.expectRow = true;
            v.prevKeyStart = -1;
            v.prevKeyEnd = -1;
            v.prevSanStart = -1;
            v.prevSanEnd = -1;
            v.commaKey = -1;
            v.commaSan = -1;
            v.rowKeyStart = -1;
            v.rowSanStart = -1;
            this.values = v;
          }
          if ((flags & SUMMARY_WORD_FLAGS) === 0 && summary.quiet) {
            // Most words of a query (columns, aliases, AND, AS, WHERE …) only move the summary's token-level
            // state: SummaryBuilder.nameStep, inline (a call per word was most of the summary's cost).
            const tok = summary.tok;
            let name = 0;
            if ((tok & Tok.Dot) !== 0) {
              if ((tok & Tok.Name) === 0) summary.nameStart = lexer.start;
              name = Tok.Name;
            } else if ((flags & KW_KNOWN) === 0 && (tok & KW_AS) === 0) {
              summary.nameStart = lexer.start;
              name = Tok.Name;
            }
            summary.tok = name | (flags & SUMMARY_PREV_FLAGS);
            if ((flags & KW_FROM_END) !== 0) summary.endFromList(depth);
          } else {
            summary.word(lower, depth, flags, lexer.start, lexer.end, (lexer.wordBits & WORD_UPPER) !== 0);
          }
          break;
        }
        case TokenKind.QuotedIdent: {
          if (skipCastType) {
            skipCastType = false;
            this.lastVerbatim(lexer.start, lexer.end, space);
            prevConst = true;
            break;
          }
          // The lexer told us while scanning it (see checkQuotedIdent above) whether the name is a plain lower-case one.
          if (quoted.canonical && !isReservedName(units, quoted.open + 1, lexer.end - 1, quoted.hash)) key.pushAsciiUnits(units, quoted.open + 1, lexer.end - 1);
          else if (quoted.plainAscii) key.pushAsciiUnits(units, lexer.start, lexer.end);
          else key.push(sql, lexer.start, lexer.end);
          this.verbatim(lexer.start, lexer.end, space);
          this.markNonConst();
          if (summary.quiet) {
            summary.quietQuotedIdent(lexer.start, lexer.end - quoted.open > 2);
          } else {
            const inner = sql.slice(quoted.open + 1, lexer.end - 1);
            summary.quotedIdent(quoted.doubled ? inner.split('""').join('"') : inner, lexer.start);
          }
          break;
        }
        case TokenKind.Operator: {
          const opStart = lexer.start;
          const opEnd = lexer.end;
          const single = opEnd - opStart === 1 ? units[opStart] : 0;
          const signContext = isSignContext(prevKind, prevFlags);
          if (single === 63 /* ? */ && signContext) {
            // A `?` where an operand is expected is a placeholder (mysql2, knex, JDBC style) — or an
            // already sanitized literal — not PostgreSQL's jsonb `?` operator, which sits between two
            // operands. Treated as a constant, so `IN (?, ?, ?)` groups like `IN (1, 2)`.
            this.emitLiteral(space);
            prevConst = true;
            summary.other();
            break;
          }
          if ((single === 45 /* - */ || single === 43 /* + */) && signContext) {
            // A sign in front of a number is part of the constant: `= -5` groups with `= 5`.
            const mark = lexer.mark();
            if (lexer.next() === TokenKind.Number) {
              this.emitLiteral(space);
              prevConst = true;
              summary.other();
              prevKind = TokenKind.Number;
              prevWord = '';
              prevFlags = 0;
              continue;
            }
            lexer.reset(mark);
          }
          key.pushAsciiUnits(units, opStart, opEnd);
          this.verbatim(opStart, opEnd, space);
          this.markNonConst();
          summary.other();
          break;
        }
        case TokenKind.Cast: {
          if (wasConst) {
            // Keep the cast in the sanitized text, drop it (and its type) from the key.
            this.lastVerbatim(lexer.start, lexer.end, space);
            skipCastType = true;
            prevConst = true;
            prevKind = kind;
            continue;
          }
          key.pushAscii('::');
          this.verbatim(lexer.start, lexer.end, space);
          this.markNonConst();
          summary.other();
          break;
        }
        case TokenKind.OpenParen:
        case TokenKind.OpenBracket: {
          const isParen = kind === TokenKind.OpenParen;
          const openStart = lexer.start;
          const openEnd = lexer.end;
          // `?::int[]` — the array brackets belong to the dropped cast type.
          if (!isParen && wasConst && prevKind === TokenKind.Word && key.lastIsChar(63 /* ? */)) {
            const mark = lexer.mark();
            if (lexer.next() === TokenKind.CloseBracket) {
              this.text('[]', space);
              prevConst = true;
              prevKind = TokenKind.CloseBracket;
              continue;
            }
            lexer.reset(mark);
          }
          const v = this.values;
          const isRow = rowStart && isParen && v !== null;
          if (isRow) v!.expectRow = false;
          this.markElement(false);
          // An opening bracket makes the enclosing list non-constant unless this one collapses (checked at close).
          let frame = this.framePool[depth];
          if (frame === undefined) {
            frame = { keyOpen: 0, sanStart: 0, constOnly: true, hasElement: false, hasParam: false, sanCollapsible: false, valuesRow: false };
            this.framePool[depth] = frame;
          }
          frame.keyOpen = key.count;
          frame.constOnly = true;
          frame.hasElement = false;
          frame.hasParam = false;
          frame.sanCollapsible = prevKind === TokenKind.Word && (isParen ? prevWord === 'in' : prevWord === 'array');
          frame.valuesRow = isRow;
          key.pushChar(isParen ? 40 : 91);
          if (isRow) {
            // Rows are compared as text: the row's output starts a piece of its own.
            this.separator(space);
            v!.rowSanStart = san.length;
            this.verbatim(openStart, openEnd, false);
          } else {
            this.verbatim(openStart, openEnd, space);
          }
          if (frame.sanCollapsible) this.flushRun();
          frame.sanStart = san.length;
          frames.push(frame);
          summary.openParen(openStart);
          break;
        }
        case TokenKind.CloseParen:
        case TokenKind.CloseBracket: {
          const close = kind === TokenKind.CloseParen ? 41 /* ) */ : 93 /* ] */;
          const frame = frames.pop();
          if (frame === undefined) {
            // Unbalanced closer: keep it as is.
            key.pushChar(close);
            this.verbatim(lexer.start, lexer.end, space);
            summary.other();
            break;
          }
          let collapsed = false;
          if (frame.constOnly && frame.hasElement) {
            collapsed = true;
            // Key: every constant-only list is one `?`. `x IN (…)` and `x = ANY(…)` of constants
            // read as `x = ?`, which is how PostgreSQL's own fingerprint groups them.
            key.truncate(frame.keyOpen);
            const before = key.count - 1;
            if (close === 41 && key.tokenIs(before, 'in')) {
              if (key.tokenIs(before - 1, 'not')) {
                key.truncate(before - 1);
                key.pushAscii('<>');
              } else {
                key.truncate(before);
                key.pushChar(61 /* = */);
              }
              key.pushChar(63 /* ? */);
            } else if (close === 41 && (key.tokenIs(before, 'any') || key.tokenIs(before, 'some') || key.tokenIs(before, 'all'))) {
              key.truncate(before);
              key.pushChar(63 /* ? */);
            } else {
              key.pushChar(close === 41 ? 40 : 91);
              key.pushChar(63 /* ? */);
              key.pushChar(close);
            }
            if (frame.sanCollapsible && !frame.hasParam) {
              // Everything after the bracket is in `san` from `sanStart` on, or in the pending run.
              this.runStart = -1;
              truncateParts(san, frame.sanStart);
              san.push(PLACEHOLDER);
            }
          } else {
            key.pushChar(close);
          }
          this.verbatim(lexer.start, lexer.end, false);
          if (frames.length > 0) {
            const parent = frames[frames.length - 1];
            if (!collapsed) parent.constOnly = false;
            if (frame.hasParam) parent.hasParam = true;
          }
          if (frame.valuesRow && this.values !== null) {
            this.flushRun();
            dedupeRow(this.values, key, san);
          }
          prevConst = collapsed;
          summary.closeParen(frames.length);
          break;
        }
        case TokenKind.Comma:
          key.pushChar(44 /* , */);
          this.verbatim(lexer.start, lexer.end, space);
          summary.comma(depth);
          break;
        case TokenKind.Semicolon:
          if (depth === 0) {
            // Statement separator: drop empty statements and a trailing semicolon from both outputs.
            if (key.count > 0 && !key.lastIsChar(59 /* ; */)) {
              key.pushChar(59 /* ; */);
              this.lastVerbatim(lexer.start, lexer.end, space);
            }
            summary.endStatement();
            this.values = null;
          } else {
            key.pushChar(59 /* ; */);
            this.lastVerbatim(lexer.start, lexer.end, space);
            this.markNonConst();
          }
          break;
        case TokenKind.Dot:
          key.pushChar(46 /* . */);
          this.verbatim(lexer.start, lexer.end, space);
          this.markNonConst();
          summary.dot();
          break;
        default: {
          key.push(sql, lexer.start, lexer.end);
          this.verbatim(lexer.start, lexer.end, space);
          this.markNonConst();
          summary.other();
          break;
        }
      }
      prevKind = kind;
      if (kind === TokenKind.Word) {
        prevWord = lower;
        prevFlags = flags;
      } else {
        prevWord = '';
        prevFlags = 0;
      }
    }

    // A trailing `;` is not part of the shape: drop it, and the text of the last token emitted.
    if (key.lastIsChar(59 /* ; */)) {
      key.truncate(key.count - 1);
      this.dropLastToken();
    }

    summary.finish();
    this.flushRun();
    // join, not a `+=` loop: it builds one flat string at once, where `+=` builds a rope that the cache
    // would keep as such (tens of bytes per piece) and that hashing or reading must flatten anyway.
    let sanitized = san.length <= 1 ? (san.length === 1 ? san[0] : '') : san.length < 32 ? concatFlat(san) : san.join('');
    if (sanitized.charCodeAt(sanitized.length - 1) === 32) sanitized = sanitized.slice(0, -1);
    let truncated = false;
    if (sanitized.length > this.maxLength) {
      sanitized = truncate(sanitized, this.maxLength);
      truncated = true;
    }
    const hashKey = this.hashKey;
    if (hashKey === undefined) {
      return { sanitized, key: key.toString(), summary: summary.summary, operation: summary.operation, collection: summary.collection, unterminated: false, truncated };
    }
    // `hash` in the literal: added afterwards, it cost a map transition and a property backing store per statement.
    const hash = hashKey(key.hashInput(), key.hashWords());
    if (this.hashVersion !== '') {
      return queryInfo(sanitized, summary.summary, hash, this.hashVersion, summary.operation, summary.collection, false, truncated) as unknown as NormalizedSql;
    }
    return { sanitized, key: '', summary: summary.summary, operation: summary.operation, collection: summary.collection, unterminated: false, truncated, hash } as NormalizedSql;
  }

  /** Remove the text of the token `lastTok` notes (a trailing `;`, or what followed it in the text only) from the sanitized output. */
  private dropLastToken(): void {
    if (!this.lastTokInRun) {
      if (this.lastTok >= 0 && this.lastTok < this.san.length) truncateParts(this.san, this.lastTok);
      return;
    }
    if (this.runStart >= 0 && this.lastTok >= this.runStart) {
      this.runEnd = this.lastTok;
      if (this.runEnd <= this.runStart) this.runStart = -1;
      return;
    }
    // The token's run was already moved into `san`: it ends the last piece.
    const san = this.san;
    if (san.length === 0 || this.flushedRunStart < 0) return;
    const keep = this.lastTok - this.flushedRunStart;
    const last = san[san.length - 1];
    if (keep <= 0) san.length--;
    else if (keep < last.length) san[san.length - 1] = last.slice(0, keep);
  }
}

/** Placeholder for the sanitized pieces between runs (never written to: `init` allocates a fresh array). */
const NO_PARTS: string[] = [];

let shared: Normalizer | undefined;
let lastTextHash = 0;

function normalize(sql: string, maxLength: number, hashKey: KeyHasher | undefined, hashText: boolean, hashVersion: string): NormalizedSql {
  const n = shared ?? (shared = new Normalizer());
  n.init(sql, maxLength, hashKey, hashText, hashVersion);
  try {
    return n.run();
  } finally {
    n.release();
  }
}

/** Tokens that are operands on their own (two of them glued together is not SQL), as a bit mask of kinds. */
const ATOM_KINDS =
  (1 << TokenKind.Word) | (1 << TokenKind.Number) | (1 << TokenKind.String) | (1 << TokenKind.QuotedIdent) | (1 << TokenKind.Param);
const QUOTED_KINDS = (1 << TokenKind.String) | (1 << TokenKind.QuotedIdent);

/** What checkQuotedIdent found out about the quoted identifier last checked. */
const quoted = {
  /** Offset of the opening `"` (after `U&` for a Unicode identifier). */
  open: 0,
  /**
   * A plain `"…"` holding only what an unquoted name may (lower-case letters, `_`, digits and `$`
   * after the first): the key writes it unquoted — PostgreSQL folds unquoted names to lower case, so
   * `"accounts"` is `accounts` (ORMs quote everything, hand-written SQL does not; both must group
   * together), unless it is a reserved word.
   */
  canonical: false,
  /** Holds a doubled `""` (an escaped quote). */
  doubled: false,
  /** When `canonical`: the name's hash as the lexer computes a word's (for isReservedName). */
  hash: 0,
  /** A plain `"…"` of ASCII without spaces: its key bytes are its code units (KeyBytes.push's general path is not needed). */
  plainAscii: false,
};

/**
 * Check a quoted identifier: false when it is suspicious — holding quotes, dollars, `=`, line breaks,
 * or far longer than PostgreSQL's 63-byte name limit is more likely a stray `"` pairing across a
 * literal than a name. Otherwise fills `quoted`. A plain `"…"` was looked at by the lexer while
 * scanning it (SqlLexer.nameBits); a `U&"…"` (rare) is scanned here.
 */
function checkQuotedIdent(units: Uint16Array, sql: string, start: number, end: number, lexer: SqlLexer): boolean {
  if (units[start] === 34) {
    const bits = lexer.nameBits;
    if ((bits & NAME_SUSPICIOUS) !== 0 || end - start - 2 > 128) return false;
    quoted.hash = lexer.nameHash;
    quoted.plainAscii = (bits & NAME_NOT_PLAIN) === 0;
    quoted.open = start;
    quoted.canonical = (bits & NAME_NOT_CANONICAL) === 0;
    quoted.doubled = (bits & NAME_DOUBLED) !== 0;
    return true;
  }
  // `U&"…"` may hold escapes; measure the part between the quotes.
  const open = sql.indexOf('"', start);
  if (end - open - 2 > 128) return false;
  let doubled = false;
  for (let i = open + 1; i < end - 1; i++) {
    const c = units[i];
    if (c === 39 /* ' */ || c === 36 /* $ */ || c === 61 /* = */ || c === 10 || c === 13) return false;
    if (c === 34) doubled = true;
  }
  quoted.hash = 0;
  quoted.plainAscii = false;
  quoted.open = open;
  quoted.canonical = false;
  quoted.doubled = doubled;
  return true;
}

/** A few pieces: `+=` then one read (which makes V8 flatten the rope in place) beats Array.prototype.join. */
function concatFlat(parts: string[]): string {
  let out = parts[0];
  for (let i = 1; i < parts.length; i++) out += parts[i];
  out.charCodeAt(0);
  return out;
}

function isSignContext(prevKind: TokenKind, prevFlags: number): boolean {
  switch (prevKind) {
    case TokenKind.End:
    case TokenKind.OpenParen:
    case TokenKind.OpenBracket:
    case TokenKind.Comma:
    case TokenKind.Operator:
    case TokenKind.Semicolon:
    case TokenKind.Colon:
      return true;
    case TokenKind.Word:
      return (prevFlags & KW_SIGN_CONTEXT) !== 0;
    default:
      return false;
  }
}

/** Do the pieces `parts[a, aEnd)` and `parts[b, bEnd)` spell the same text? No string is built. */
function piecesEqual(parts: string[], a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a === bEnd - b) {
    let same = true;
    for (let i = 0; i < aEnd - a; i++) {
      if (parts[a + i] !== parts[b + i]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  // Character by character across piece boundaries.
  let pa = a;
  let pb = b;
  let oa = 0;
  let ob = 0;
  for (;;) {
    while (pa < aEnd && oa >= parts[pa].length) {
      pa++;
      oa = 0;
    }
    while (pb < bEnd && ob >= parts[pb].length) {
      pb++;
      ob = 0;
    }
    if (pa >= aEnd || pb >= bEnd) return pa >= aEnd && pb >= bEnd;
    if (parts[pa].charCodeAt(oa) !== parts[pb].charCodeAt(ob)) return false;
    oa++;
    ob++;
  }
}

/** Drop a VALUES row that repeats the previous one (separately in the key and the sanitized text). */
function dedupeRow(v: ValuesState, key: KeyBytes, san: string[]): void {
  const keyEnd = key.count;
  const sanEnd = san.length;
  if (v.prevKeyStart >= 0 && v.commaKey >= 0 && key.rangesEqual(v.prevKeyStart, v.prevKeyEnd, v.rowKeyStart, keyEnd)) {
    key.truncate(v.commaKey);
  } else {
    v.prevKeyStart = v.rowKeyStart;
    v.prevKeyEnd = keyEnd;
  }
  // The row's sanitized text is `san` from rowSanStart (its `(`) on; the kept row's pieces stay
  // untouched before it. Compared as text: equal rows may be cut into pieces differently.
  if (v.prevSanStart >= 0 && v.commaSan >= 0 && piecesEqual(san, v.prevSanStart, v.prevSanEnd, v.rowSanStart, sanEnd)) {
    truncateParts(san, v.commaSan);
  } else {
    v.prevSanStart = v.rowSanStart;
    v.prevSanEnd = sanEnd;
  }
}

/** `parts.length = length`, without the runtime call that setting `length` makes (a VALUES row drops a few pieces per row). */
function truncateParts(parts: string[], length: number): void {
  while (parts.length > length) parts.pop();
}

/** Cut at the last space before `max` (sanitized text holds no literal, so any cut is safe). */
function truncate(text: string, max: number): string {
  const marker = ' …';
  const limit = Math.max(0, max - marker.length);
  let cut = text.lastIndexOf(' ', limit);
  if (cut < limit / 2) cut = limit;
  // Do not split a surrogate pair.
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return text.slice(0, cut) + marker;
}
