/**
 * Builds `db.query.summary` ("SELECT users orders", "INSERT orders SELECT carts", "CREATE TABLE users")
 * from the token stream the normalizer already produces, so a summary costs no second scan.
 *
 * The summary is made only of keywords and identifiers — never of literals — so it is safe to use as
 * the span name. It follows the OpenTelemetry database conventions: operations and the collections
 * they touch, in order of appearance, short (≤ 255 characters) and low in cardinality.
 */

import {
  DDL_MODIFIERS,
  DDL_OBJECTS,
  DDL_VERBS,
  NAMED_UTILITIES,
  TARGET_NOISE,
} from './sql-summary-words';
import { KW_AS as W_AS, KW_KNOWN, KW_DML_OP as W_DML_OP, KW_FROM_END as W_FROM_END, KW_INTRODUCER as W_INTRODUCER, KW_NOISE as W_NOISE, KW_NOT_OP_AFTER as W_NOT_OP_AFTER } from './sql-keywords';
import { SqlLexer, TokenKind } from './sql-lexer';

/** Upper bound for `db.query.summary`, from the semantic conventions. */
export const MAX_SUMMARY_LENGTH = 255;

/** Upper-case spellings of keywords, computed once: `toUpperCase` per operation was a measurable cost. */
const UPPER = new Map<string, string>();
function upper(lower: string): string {
  let u = UPPER.get(lower);
  if (u === undefined) {
    u = lower.toUpperCase();
    // Only keywords come here, but stay bounded whatever the input.
    if (UPPER.size < 512) UPPER.set(lower, u);
  }
  return u;
}

/**
 * `upper` for an operation (KW_DML_OP: the keyword table's interned spelling, so each test is a
 * pointer comparison) without the Map lookup.
 */
function upperOp(lower: string): string {
  return lower === 'select' ? 'SELECT' : lower === 'insert' ? 'INSERT' : lower === 'update' ? 'UPDATE' : lower === 'delete' ? 'DELETE' : upper(lower);
}

/**
 * The first word of a statement's summary with the space that joins it to the second: for the four
 * operations a constant, one concatenation fewer per summary (~7 of ~21 ns for the join).
 */
function spaced(first: string): string {
  return first === 'SELECT' ? 'SELECT ' : first === 'INSERT' ? 'INSERT ' : first === 'UPDATE' ? 'UPDATE ' : first === 'DELETE' ? 'DELETE ' : first + ' ';
}

/** `parts` longer than this (a statement naming that many tables) is dropped by `release`, not kept for reuse. */
const MAX_KEPT_PARTS = 64;

/**
 * Flags of the words that take `word`'s full path in a DML statement (see `dmlWord`); the normalizer
 * tests them. The other word the DML summary reacts to, KW_FROM_END, only needs `endFromList`.
 */
export const SUMMARY_WORD_FLAGS = W_DML_OP | W_INTRODUCER;

/** The flags of the previous word the summary looks at (kept in `SummaryBuilder.tok`). */
export const SUMMARY_PREV_FLAGS = W_NOT_OP_AFTER | W_AS;
/** Bits of `SummaryBuilder.tok` besides SUMMARY_PREV_FLAGS (a const enum: literals, also in the normalizer). */
export const enum Tok {
  /** A (qualified) name is being read, from `nameStart` on. */
  Name = 1 << 13,
  /** A dot followed: the next name continues the one being read (or starts one, if none was). Name << 1 (see `dot`). */
  Dot = 1 << 14,
}

const enum TargetKind {
  Collection,
  Function,
  Discard,
}

const enum Mode {
  None,
  Dml,
  Ddl,
  Named,
  Keyword,
}

/**
 * The summary is a state machine over the normalizer's tokens. Most tokens of a query (columns,
 * aliases, operators, literals, punctuation) only move the token-level state `tok` — flags of the
 * previous word, and whether a qualified name is being read. While `quiet`, the normalizer does that
 * for a word inline, and the other token methods do it in a path small enough for V8 to inline into
 * the normalizer's token loop: that loop is too large for V8 to inline much else, and a call per token
 * was most of the summary's cost. Operations, collections and DDL/utility shapes take the full paths.
 */
export class SummaryBuilder {
  /**
   * In a DML statement with no collection name pending: a word without SUMMARY_WORD_FLAGS only moves
   * the token-level state (the normalizer does that inline, see `word`) and may end a FROM list.
   * Kept up to date by every method that may change the statement state.
   */
  quiet = false;
  /**
   * Token-level state: SUMMARY_PREV_FLAGS of the previous word (none for punctuation and literals,
   * KW_AS for `)`), plus Tok.Name / Tok.Dot for the (qualified) name just read outside a target
   * position. That name's text is only built (by lexing it again, see `nameText`) when it becomes the
   * function candidate: most qualified names (`u.id`, `"public"."Post"."id"`) never do.
   */
  tok = 0;
  /** Start (in the statement) of the name being read, when Tok.Name. */
  nameStart = 0;
  /**
   * What `finish` found (fields rather than an object per statement; cleared by `release`): the
   * summary, capped at 255 characters on a word boundary, the operation and the collection.
   */
  summary = '';
  operation = '';
  collection = '';

  /** The statement: words the keyword table does not know are sliced from it only when kept. */
  private text = '';
  /** Re-reads a function candidate's name (see `nameText`) from the units `source` holds; made on first use. */
  private nameLexer: SqlLexer | null = null;
  private source: SqlLexer | null = null;
  /** Bounds of the word being fed, and whether it holds an upper-case letter (see `name`). */
  private wordStart = 0;
  private wordEnd = 0;
  private wordUpper = false;
  /**
   * The statements summarised so far, joined by '; ' (`statementCount` of them): one string rather
   * than an array joined by `finish`, as most inputs hold one statement.
   */
  private statements = '';
  private statementCount = 0;
  /**
   * The current statement's words: `parts[0, partCount)` (never ''). The array is kept across
   * statements and calls (`release` blanks it) rather than allocated per statement: with `statements`
   * a string and no `targets` array, no array (nor its backing store, allocated on the first push)
   * per statement, which with the DML_STARTS and `upperOp` changes measured -2..-5 % of a 200-byte
   * miss (interleaved A/B, both orders).
   */
  private parts: string[] = [];
  private partCount = 0;
  private mode = Mode.None;
  private expectTarget = false;
  /** The current target was introduced by FROM/JOIN: if a `(` follows, it was a function call. */
  private targetIsFromItem = false;
  private target: string | null = null;
  private targetDot = false;
  private fromDepth = -1;
  private ddlStage = 0;
  private lastOp = '';
  private ops = 0;
  /**
   * The collections named (all statements): only whether they are all one name matters (see
   * `finish`), so the first one and whether another differs from it, not an array of them.
   */
  private firstTarget = '';
  private targetsDiffer = false;
  private firstOperation = '';
  /** First operation outside parentheses: for `WITH x AS (SELECT …) INSERT …` that is INSERT. */
  private topOperation = '';
  /** Targets (collections and functions) named in the current statement. */
  private stmtTargets = 0;
  /** First function called outside FROM in the current statement. */
  private fnCandidate = '';

  /**
   * Feed an unquoted word `text[start, end)` at paren depth `depth`: lower-cased, with its KW_* flags
   * — or '' for an ASCII word the keyword table does not know (`upper`: it holds an upper-case
   * letter), sliced only if the summary keeps it. When `quiet` and the word has no
   * SUMMARY_WORD_FLAGS, the normalizer does not call this: it runs `nameStep` inline, sets `tok`,
   * and calls `endFromList` for a KW_FROM_END word.
   */
  word(lower: string, depth: number, flags: number, start: number, end: number, upper: boolean): void {
    this.wordStart = start;
    this.wordEnd = end;
    this.wordUpper = upper;
    if (this.target !== null && this.targetDot) {
      this.target += this.name(lower);
      this.targetDot = false;
      return;
    }
    const name = this.nameStep(flags, start);
    // `FROM ROWS FROM (f(), g())`: `rows` is no table. The flag first: a string comparison costs a
    // type check of `lower`, and `from` is KW_INTRODUCER.
    this.flushTarget((flags & W_INTRODUCER) !== 0 && lower === 'from' && this.target === 'rows' && this.targetIsFromItem ? TargetKind.Discard : TargetKind.Collection);
    switch (this.mode) {
      case Mode.None:
        this.startStatement(this.name(lower), flags);
        break;
      case Mode.Dml:
        this.dmlWord(lower, depth, flags);
        break;
      case Mode.Ddl:
        this.ddlWord(lower);
        break;
      case Mode.Named:
        if (this.expectTarget) {
          if (lower === 'table' || lower === 'only' || lower === 'materialized' || lower === 'view' || lower === 'verbose' || lower === 'full' || lower === 'analyze' || lower === 'concurrently') break;
          this.target = this.name(lower);
          this.expectTarget = false;
        }
        break;
      default:
        break;
    }
    this.tok = name | (flags & SUMMARY_PREV_FLAGS);
    this.sync();
  }

  /**
   * A word at `start` continues the qualified name after a dot, starts a new one (not a keyword, and
   * not an alias: `(VALUES …) v(x)`, `AS t(id)` name columns, not a function), or ends it: returns
   * Tok.Name or 0. The normalizer has a copy of this inline (see `word`).
   */
  private nameStep(flags: number, start: number): number {
    const tok = this.tok;
    if ((tok & Tok.Dot) !== 0) {
      if ((tok & Tok.Name) === 0) this.nameStart = start;
      return Tok.Name;
    }
    if ((flags & KW_KNOWN) === 0 && (tok & W_AS) === 0) {
      this.nameStart = start;
      return Tok.Name;
    }
    return 0;
  }

  /** Feed a quoted identifier (quotes removed, doubled quotes undone) starting at `start`. */
  quotedIdent(name: string, start: number): void {
    if (this.target !== null && this.targetDot) {
      this.target += name;
      this.targetDot = false;
      return;
    }
    this.flushTarget(TargetKind.Collection);
    const reading = this.quotedNameStep(start, name.length > 0);
    if (this.expectTarget) {
      this.target = name;
      this.expectTarget = false;
      if (this.mode === Mode.Ddl) this.ddlStage = 3;
    } else if (this.mode === Mode.None) {
      this.mode = Mode.Keyword;
    }
    this.tok = reading;
    this.sync();
  }

  /**
   * A quoted identifier at `start` while `quiet`: only the name state moves, so the normalizer does not
   * unquote the name (`nonEmpty`: it is not `""`).
   */
  quietQuotedIdent(start: number, nonEmpty: boolean): void {
    this.tok = this.quotedNameStep(start, nonEmpty);
  }

  /** `nameStep` for a quoted identifier. */
  private quotedNameStep(start: number, nonEmpty: boolean): number {
    const tok = this.tok;
    if ((tok & Tok.Dot) !== 0) {
      // An empty name (`""`) after a dot that ended no name leaves no name either.
      if ((tok & Tok.Name) !== 0) return Tok.Name;
    } else if ((tok & W_AS) !== 0) {
      return 0;
    }
    if (!nonEmpty) return 0;
    this.nameStart = start;
    return Tok.Name;
  }

  /** Small enough for V8 to inline into the normalizer's token loop: that is all a dot does in most queries. */
  dot(): void {
    // Tok.Dot (the next bit up) when a name is being read.
    if (this.quiet) this.tok |= (this.tok & Tok.Name) << 1;
    else this.anyDot();
  }

  private anyDot(): void {
    if (this.target !== null) {
      this.target += '.';
      this.targetDot = true;
    } else {
      this.tok |= (this.tok & Tok.Name) << 1;
    }
  }

  /** An opening parenthesis at `start`. The `quiet` paths here and below are what V8 inlines (see `dot`). */
  openParen(start: number): void {
    // No name before it that could be a function: only the name state moves.
    if (this.quiet && (this.tok & Tok.Name) === 0) this.tok &= Tok.Dot;
    else this.anyOpenParen(start);
  }

  private anyOpenParen(start: number): void {
    // `FROM generate_series(…)`: a function, not a collection. `INSERT INTO t (a, b)` keeps `t`.
    const wasTarget = this.target !== null;
    this.flushTarget(this.targetIsFromItem ? TargetKind.Function : TargetKind.Collection);
    this.expectTarget = false;
    // `SELECT pg_advisory_lock($1)`, `SELECT app.refresh($1)`: a function called outside FROM. Named
    // only when the statement names nothing else (see endStatement); keywords (`IN (`, `EXISTS (`,
    // `count(`, `coalesce(` …) are not candidates.
    if (!wasTarget && (this.tok & (Tok.Name | Tok.Dot)) === Tok.Name && this.fnCandidate === '' && this.mode === Mode.Dml) this.fnCandidate = this.nameText(start);
    // A dot before the `(` still continues a name after it (`a.(b.c(…))` calls `b.c`).
    this.tok &= Tok.Dot;
    this.sync();
  }

  closeParen(depthAfter: number): void {
    if (this.quiet && depthAfter >= this.fromDepth) this.tok = W_AS;
    else this.anyCloseParen(depthAfter);
  }

  private anyCloseParen(depthAfter: number): void {
    this.flushTarget(TargetKind.Collection);
    if (depthAfter < this.fromDepth) this.fromDepth = -1;
    // A name right after `)` is an alias's (`(VALUES …) v(x)`), like one after AS.
    this.tok = W_AS;
    this.sync();
  }

  comma(depth: number): void {
    if (this.quiet && depth !== this.fromDepth) this.tok = 0;
    else this.anyComma(depth);
  }

  private anyComma(depth: number): void {
    this.flushTarget(TargetKind.Collection);
    if (this.mode === Mode.Dml && depth === this.fromDepth) {
      this.expectTarget = true;
      this.targetIsFromItem = true;
    }
    this.tok = 0;
    this.sync();
  }

  /** A KW_FROM_END word (`WHERE`, `ON`, `ORDER` …) while `quiet`: it ends a FROM list at its depth. */
  endFromList(depth: number): void {
    if (depth === this.fromDepth) this.fromDepth = -1;
  }

  /** Any other token (literal, operator …); small enough for V8 to inline (see `dot`). */
  other(): void {
    if (this.quiet) this.tok = 0;
    else this.anyOther();
  }

  private anyOther(): void {
    if (this.target !== null) {
      this.flushTarget(TargetKind.Collection);
      this.sync();
    }
    this.tok = 0;
  }

  endStatement(): void {
    const words = this.closeStatement();
    if (words === '') return;
    // Past MAX_SUMMARY_LENGTH nothing appended changes what `finish` keeps (it cuts at or before it).
    if (this.statementCount === 0) this.statements = words;
    else if (this.statements.length <= MAX_SUMMARY_LENGTH) this.statements += '; ' + words;
    this.statementCount++;
  }

  /** Ends the current statement: its summary words, joined ('' when it has none: a part is never ''). */
  private closeStatement(): string {
    this.flushTarget(TargetKind.Collection);
    // A statement that names nothing but calls a function (`SELECT pg_advisory_lock($1)`) is
    // summarised by that function, as a procedure call would be.
    if (this.mode === Mode.Dml && this.stmtTargets === 0 && this.fnCandidate !== '' && this.partCount > 0) this.addPart(this.fnCandidate);
    this.stmtTargets = 0;
    this.fnCandidate = '';
    const count = this.partCount;
    let words = '';
    if (count > 0) {
      const parts = this.parts;
      words = count === 1 ? parts[0] : spaced(parts[0]) + parts[1];
      for (let i = 2; i < count; i++) words += ' ' + parts[i];
      this.partCount = 0;
    }
    this.mode = Mode.None;
    this.tok = 0;
    this.expectTarget = false;
    this.fromDepth = -1;
    this.ddlStage = 0;
    this.lastOp = '';
    this.quiet = false;
    return words;
  }

  /** Ends the last statement and sets `summary`, `operation` and `collection`. */
  finish(): void {
    // The last statement's words are not stored in `statements` first: one write barrier fewer (the
    // builder is old, the words are new; under perf, write barriers called from the summary's code
    // were ~0.8 % of a 200-byte miss). With the flag test in `word`, -1..-2 % more.
    const last = this.closeStatement();
    let count = this.statementCount;
    let summary = this.statements;
    if (last !== '') {
      if (count === 0) summary = last;
      else if (summary.length <= MAX_SUMMARY_LENGTH) summary += '; ' + last;
      count++;
    }
    if (summary.length > MAX_SUMMARY_LENGTH) {
      const cut = summary.lastIndexOf(' ', MAX_SUMMARY_LENGTH);
      summary = summary.slice(0, cut > 0 ? cut : MAX_SUMMARY_LENGTH);
    }
    const single = count === 1;
    this.summary = summary;
    this.operation = single ? this.topOperation || this.firstOperation : '';
    this.collection = single && this.ops > 0 && !this.targetsDiffer ? this.firstTarget : '';
  }

  /** Drop what the last statement left (names may be slices of its text); `reset` before reuse. */
  release(): void {
    this.text = '';
    this.summary = '';
    this.operation = '';
    this.collection = '';
    this.nameLexer?.release();
    this.statements = '';
    const parts = this.parts;
    if (parts.length > MAX_KEPT_PARTS) this.parts = [];
    // A loop, not `fill` or a length write: a runtime call each.
    else for (let i = 0; i < parts.length; i++) parts[i] = '';
    this.firstTarget = '';
    this.target = null;
    this.lastOp = '';
    this.fnCandidate = '';
    this.firstOperation = '';
    this.topOperation = '';
  }

  /** Back to the state of a new builder for the statement `text`, which `source` is lexing (the normalizer reuses one). */
  reset(text: string, source: SqlLexer): void {
    this.text = text;
    this.source = source;
    this.statements = '';
    this.statementCount = 0;
    this.partCount = 0;
    this.mode = Mode.None;
    this.quiet = false;
    this.tok = 0;
    this.expectTarget = false;
    this.targetIsFromItem = false;
    this.target = null;
    this.targetDot = false;
    this.fromDepth = -1;
    this.ddlStage = 0;
    this.lastOp = '';
    this.ops = 0;
    this.stmtTargets = 0;
    this.fnCandidate = '';
    this.firstTarget = '';
    this.targetsDiffer = false;
    this.firstOperation = '';
    this.topOperation = '';
  }

  private sync(): void {
    this.quiet = this.mode === Mode.Dml && this.target === null && !this.expectTarget;
  }

  /**
   * The qualified name from `nameStart` to `end`, as the summary names it: words lower-cased, quoted
   * names unquoted, dots kept, whatever spacing or comments stood between them dropped. Lexed again
   * from the statement: only the names that become a function candidate (one per statement) get here.
   */
  private nameText(end: number): string {
    const lexer = this.nameLexer ?? (this.nameLexer = new SqlLexer(''));
    const text = this.text;
    lexer.share(this.source!);
    lexer.reset(this.nameStart);
    let out = '';
    let dot = false;
    for (;;) {
      const kind = lexer.next();
      if (lexer.start >= end) break;
      if (kind === TokenKind.Word) {
        out += text.slice(lexer.start, lexer.end).toLowerCase();
      } else if (kind === TokenKind.QuotedIdent) {
        // `U&"…"` starts before its quote.
        const inner = text.slice(text.indexOf('"', lexer.start) + 1, lexer.end - 1);
        out += inner.indexOf('"') >= 0 ? inner.split('""').join('"') : inner;
      } else if (kind === TokenKind.Dot) {
        // `a..b` reads `a.b`: a dot right after a dot is not part of the name (see `dot`).
        if (!dot) out += '.';
        dot = true;
        continue;
      } else {
        break;
      }
      dot = false;
    }
    return out;
  }

  /** The word being fed, lower-cased (`lower`, or sliced from the statement when that is ''). */
  private name(lower: string): string {
    if (lower !== '') return lower;
    const text = this.text;
    const name = text.slice(this.wordStart, this.wordEnd);
    return this.wordUpper ? name.toLowerCase() : name;
  }

  private startStatement(lower: string, flags: number): void {
    // DML_STARTS, tested without a Set lookup: the operations (KW_DML_OP, from the keyword table that
    // gave `lower`) and four more words, compared as interned strings (a test pins the list).
    if ((flags & W_DML_OP) !== 0 || lower === 'with' || lower === 'values' || lower === 'table' || lower === 'explain') {
      this.mode = Mode.Dml;
      if (lower === 'explain') {
        this.addPart('EXPLAIN');
        if (!this.firstOperation) this.firstOperation = 'EXPLAIN';
        if (!this.topOperation) this.topOperation = 'EXPLAIN';
      } else if (lower === 'table') {
        // `TABLE users` is short for `SELECT * FROM users`.
        this.addOp('select', 0);
        this.expectTarget = true;
      } else {
        this.dmlWord(lower, 0, flags);
      }
    } else {
      const op = upper(lower);
      if (DDL_VERBS.has(lower)) {
        this.mode = Mode.Ddl;
        this.ddlStage = 1;
      } else if (NAMED_UTILITIES.has(lower)) {
        this.mode = Mode.Named;
        this.expectTarget = true;
      } else {
        // SET, SHOW, BEGIN, COMMIT, SAVEPOINT …: the keyword alone. What follows is often a name with
        // high cardinality (savepoint names, setting values), so it stays out of the summary.
        this.mode = Mode.Keyword;
      }
      this.addPart(op);
      if (!this.firstOperation) this.firstOperation = op;
    }
  }

  /** Append to the current statement's words (see `parts`). */
  private addPart(word: string): void {
    this.parts[this.partCount++] = word;
  }

  private addOp(lower: string, depth: number): void {
    const op = upperOp(lower);
    this.ops++;
    if (!this.firstOperation) this.firstOperation = op;
    if (depth === 0 && !this.topOperation) this.topOperation = op;
    // An operation already named in this statement is not repeated: `WITH r AS (SELECT … FROM a)
    // SELECT … FROM r` reads `SELECT a r`, while `INSERT a SELECT b` keeps both operations.
    const parts = this.parts;
    for (let i = 0; i < this.partCount; i++) if (parts[i] === op) {
      this.lastOp = op;
      return;
    }
    this.addPart(op);
    this.lastOp = op;
  }

  private dmlWord(lower: string, depth: number, flags: number): void {
    if (this.expectTarget) {
      if ((flags & W_NOISE) !== 0) return;
      if ((flags & W_DML_OP) === 0 && lower !== 'values') {
        this.target = this.name(lower);
        this.targetDot = false;
        this.expectTarget = false;
        return;
      }
      this.expectTarget = false;
    }
    if ((flags & W_DML_OP) !== 0 && (this.tok & W_NOT_OP_AFTER) === 0) {
      this.addOp(lower, depth);
      if (lower === 'update') {
        this.expectTarget = true;
        this.targetIsFromItem = false;
      }
      return;
    }
    if ((flags & W_INTRODUCER) !== 0 && lower !== 'update') {
      // `USING (col)` in a join is not a collection; the `(` cancels the expectation.
      this.expectTarget = true;
      this.targetIsFromItem = lower === 'from' || lower === 'join' || lower === 'using';
      if (lower === 'from') this.fromDepth = depth;
      return;
    }
    if (this.fromDepth === depth && (flags & W_FROM_END) !== 0) this.fromDepth = -1;
  }

  private ddlWord(lower: string): void {
    switch (this.ddlStage) {
      case 1:
        if (DDL_MODIFIERS.has(lower)) {
          if (lower === 'unique' || lower === 'materialized' || lower === 'foreign') this.addPart(upper(lower));
          return;
        }
        if (DDL_OBJECTS.has(lower)) {
          this.addPart(upper(lower));
          this.ddlStage = 2;
          this.expectTarget = true;
          return;
        }
        this.ddlStage = 3; // unknown shape: keep the verb only
        return;
      case 2:
        if (TARGET_NOISE.has(lower)) return;
        if (this.expectTarget) {
          this.target = this.name(lower);
          this.targetDot = false;
          this.expectTarget = false;
          this.ddlStage = 3;
        }
        return;
      default:
        return;
    }
  }

  /**
   * End the pending target name: a collection (named in the summary and a `db.collection.name`
   * candidate), a function in FROM (`FROM fn($1)`, `LATERAL unnest(…)`: named in the summary like a
   * table, as the conventions name stored procedures, but not a collection), or nothing.
   */
  private flushTarget(kind: TargetKind): void {
    if (this.target === null) return;
    const name = this.target;
    this.target = null;
    this.targetDot = false;
    // 46: `.` (a name cut after its dot).
    if (kind === TargetKind.Discard || name.length === 0 || name.charCodeAt(name.length - 1) === 46) return;
    if (kind === TargetKind.Collection) {
      if (this.firstTarget === '') this.firstTarget = name;
      else if (name !== this.firstTarget) this.targetsDiffer = true;
    }
    this.stmtTargets++;
    // A self-join or repeated table adds nothing to a summary.
    const parts = this.parts;
    for (let i = this.partCount - 1; i >= 0; i--) {
      const p = parts[i];
      if (p === name) return;
      if (p === this.lastOp) break;
    }
    this.addPart(name);
  }
}
