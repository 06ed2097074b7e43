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
  DML_STARTS,
  NAMED_UTILITIES,
  TARGET_NOISE,
} from './sql-summary-words';
import { KW_KNOWN, KW_DML_OP as W_DML_OP, KW_FROM_END as W_FROM_END, KW_INTRODUCER as W_INTRODUCER, KW_NOISE as W_NOISE, KW_NOT_OP_AFTER as W_NOT_OP_AFTER } from './sql-keywords';

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

/** Join a handful of words: cheaper than Array.prototype.join for arrays this short. */
function joinWords(words: string[], separator: string): string {
  if (words.length === 1) return words[0];
  let out = words.length > 0 ? words[0] : '';
  for (let i = 1; i < words.length; i++) out += separator + words[i];
  return out;
}

/** Placeholder between statements (never written to: `reset` allocates fresh arrays). */
const NO_WORDS: string[] = [];

/** Flags of the words a DML statement's summary reacts to (see `dmlWord`). */
const DML_WORD_FLAGS = W_DML_OP | W_INTRODUCER | W_FROM_END;

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

export class SummaryBuilder {
  /** The statement: words the keyword table does not know are sliced from it only when kept. */
  private text = '';
  /** Bounds of the word being fed, and whether it holds an upper-case letter (see `name`). */
  private wordStart = 0;
  private wordEnd = 0;
  private wordUpper = false;
  private statements: string[] = [];
  private parts: string[] = [];
  private mode = Mode.None;
  private prevWord = '';
  /** KW_* flags of `prevWord` (0 for punctuation). */
  private prevFlags = 0;
  private expectTarget = false;
  /** The current target was introduced by FROM/JOIN: if a `(` follows, it was a function call. */
  private targetIsFromItem = false;
  private target: string | null = null;
  private targetDot = false;
  private fromDepth = -1;
  private ddlStage = 0;
  private lastOp = '';
  private ops = 0;
  private targets: string[] = [];
  private firstOperation = '';
  /** First operation outside parentheses: for `WITH x AS (SELECT …) INSERT …` that is INSERT. */
  private topOperation = '';
  /** Targets (collections and functions) named in the current statement. */
  private stmtTargets = 0;
  /** The (qualified) name just read outside a target position, `''` if the last token was not part of one. */
  private chainDot = false;
  /**
   * That name as pieces (words, quoted names and the dots between them), joined only when it becomes
   * the function candidate: most qualified names (`u.id`, `"public"."Post"."id"`) never do, and
   * concatenating them as they were read cost two string allocations each. `chainLen` is the length
   * the joined name would have (0: no name). A piece '' is a word not sliced yet: its bounds are in
   * `chainBounds` (start, then end negated when it holds an upper-case letter).
   */
  private chainParts: string[] = [];
  private chainBounds: number[] = [];
  private chainCount = 0;
  private chainLen = 0;
  /** First function called outside FROM in the current statement. */
  private fnCandidate = '';

  /**
   * Feed an unquoted word `text[start, end)` at paren depth `depth`: lower-cased, with its KW_* flags
   * — or '' for an ASCII word the keyword table does not know (`upper`: it holds an upper-case
   * letter), sliced only if the summary keeps it.
   */
  word(lower: string, depth: number, flags: number, start: number, end: number, upper: boolean): void {
    this.wordStart = start;
    this.wordEnd = end;
    this.wordUpper = upper;
    if ((flags & DML_WORD_FLAGS) === 0 && this.mode === Mode.Dml && this.target === null && !this.expectTarget) {
      // Most words of a query (columns, aliases, AND, AS …): only the qualified-name chain moves.
      this.chainWord(lower, flags);
      this.prevWord = lower;
      this.prevFlags = flags;
      return;
    }
    if (this.target !== null && this.targetDot) {
      this.target += this.name(lower);
      this.targetDot = false;
      return;
    }
    this.chainWord(lower, flags);
    // `FROM ROWS FROM (f(), g())`: `rows` is no table.
    this.flushTarget(lower === 'from' && this.target === 'rows' && this.targetIsFromItem ? TargetKind.Discard : TargetKind.Collection);
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
    this.prevWord = lower;
    this.prevFlags = flags;
  }

  /** Feed a quoted identifier (quotes removed, doubled quotes undone). */
  quotedIdent(name: string, depth: number): void {
    if (this.target !== null && this.targetDot) {
      this.target += name;
      this.targetDot = false;
      return;
    }
    this.flushTarget(TargetKind.Collection);
    if (this.chainDot) this.appendChain(name);
    else this.setChain(this.prevWord !== ')' && this.prevWord !== 'as' ? name : '');
    this.chainDot = false;
    if (this.expectTarget) {
      this.target = name;
      this.expectTarget = false;
      if (this.mode === Mode.Ddl) this.ddlStage = 3;
    } else if (this.mode === Mode.None) {
      this.mode = Mode.Keyword;
    }
    this.prevWord = '"';
    this.prevFlags = 0;
    void depth;
  }

  dot(): void {
    if (this.target !== null) {
      this.target += '.';
      this.targetDot = true;
    } else if (this.chainLen !== 0 && !this.chainDot) {
      this.appendChain('.');
      this.chainDot = true;
    }
  }

  openParen(): void {
    // `FROM generate_series(…)`: a function, not a collection. `INSERT INTO t (a, b)` keeps `t`.
    const wasTarget = this.target !== null;
    this.flushTarget(this.targetIsFromItem ? TargetKind.Function : TargetKind.Collection);
    this.expectTarget = false;
    if (wasTarget) this.clearChain();
    // `SELECT pg_advisory_lock($1)`, `SELECT app.refresh($1)`: a function called outside FROM. Named
    // only when the statement names nothing else (see endStatement); keywords (`IN (`, `EXISTS (`,
    // `count(`, `coalesce(` …) are not candidates.
    if (this.chainLen !== 0 && !this.chainDot && this.fnCandidate === '' && this.mode === Mode.Dml) this.fnCandidate = this.chainText();
    this.clearChain();
    this.prevWord = '(';
    this.prevFlags = 0;
  }

  closeParen(depthAfter: number): void {
    this.flushTarget(TargetKind.Collection);
    this.clearChain();
    this.chainDot = false;
    if (depthAfter < this.fromDepth) this.fromDepth = -1;
    this.prevWord = ')';
    this.prevFlags = 0;
  }

  comma(depth: number): void {
    this.flushTarget(TargetKind.Collection);
    this.clearChain();
    this.chainDot = false;
    if (this.mode === Mode.Dml && depth === this.fromDepth) {
      this.expectTarget = true;
      this.targetIsFromItem = true;
    }
    this.prevWord = ',';
    this.prevFlags = 0;
  }

  /** Any other token (literal, operator …). */
  other(): void {
    this.flushTarget(TargetKind.Collection);
    this.clearChain();
    this.chainDot = false;
    this.prevWord = '';
    this.prevFlags = 0;
  }

  endStatement(): void {
    this.flushTarget(TargetKind.Collection);
    // A statement that names nothing but calls a function (`SELECT pg_advisory_lock($1)`) is
    // summarised by that function, as a procedure call would be.
    if (this.mode === Mode.Dml && this.stmtTargets === 0 && this.fnCandidate !== '' && this.parts.length > 0) this.parts.push(this.fnCandidate);
    this.stmtTargets = 0;
    this.fnCandidate = '';
    this.clearChain();
    this.chainDot = false;
    if (this.parts.length > 0) {
      this.statements.push(joinWords(this.parts, ' '));
      this.parts = [];
    }
    this.mode = Mode.None;
    this.prevWord = '';
    this.prevFlags = 0;
    this.expectTarget = false;
    this.fromDepth = -1;
    this.ddlStage = 0;
    this.lastOp = '';
  }

  /** The summary, capped at 255 characters on a word boundary. */
  finish(): { summary: string; operation: string; collection: string } {
    this.endStatement();
    let summary = joinWords(this.statements, '; ');
    if (summary.length > MAX_SUMMARY_LENGTH) {
      const cut = summary.lastIndexOf(' ', MAX_SUMMARY_LENGTH);
      summary = summary.slice(0, cut > 0 ? cut : MAX_SUMMARY_LENGTH);
    }
    const single = this.statements.length === 1;
    let collection = '';
    if (single && this.ops > 0 && this.targets.length > 0) {
      collection = this.targets[0];
      for (let i = 1; i < this.targets.length; i++) {
        if (this.targets[i] !== collection) {
          collection = '';
          break;
        }
      }
    }
    return { summary, operation: single ? this.topOperation || this.firstOperation : '', collection };
  }

  /** Drop what the last statement left (names may be slices of its text); `reset` before reuse. */
  release(): void {
    this.text = '';
    this.statements = NO_WORDS;
    this.parts = NO_WORDS;
    this.targets = NO_WORDS;
    this.prevWord = '';
    this.target = null;
    this.lastOp = '';
    this.releaseChain();
    this.fnCandidate = '';
    this.firstOperation = '';
    this.topOperation = '';
  }

  /** Back to the state of a new builder for the statement `text` (the normalizer reuses one). */
  reset(text: string): void {
    this.text = text;
    this.statements = [];
    this.parts = [];
    this.mode = Mode.None;
    this.prevWord = '';
    this.prevFlags = 0;
    this.expectTarget = false;
    this.targetIsFromItem = false;
    this.target = null;
    this.targetDot = false;
    this.fromDepth = -1;
    this.ddlStage = 0;
    this.lastOp = '';
    this.ops = 0;
    this.stmtTargets = 0;
    this.clearChain();
    this.chainDot = false;
    this.fnCandidate = '';
    this.targets = [];
    this.firstOperation = '';
    this.topOperation = '';
  }

  private setChain(piece: string): void {
    if (piece.length === 0) {
      this.chainCount = 0;
      this.chainLen = 0;
    } else {
      this.chainParts[0] = piece;
      this.chainCount = 1;
      this.chainLen = piece.length;
    }
  }

  private appendChain(piece: string): void {
    this.chainParts[this.chainCount++] = piece;
    this.chainLen += piece.length;
  }

  /** The word being fed continues the qualified name after a dot, starts a new one, or ends it. */
  private chainWord(lower: string, flags: number): void {
    if (this.chainDot) {
      this.appendChainWord(lower);
      this.chainDot = false;
    } else if ((flags & KW_KNOWN) === 0 && this.prevWord !== ')' && this.prevWord !== 'as') {
      // Not a keyword, and not an alias: `(VALUES …) v(x)`, `AS t(id)` name columns, not a function.
      this.chainCount = 0;
      this.chainLen = 0;
      this.appendChainWord(lower);
    } else {
      this.clearChain();
    }
  }

  /** Append the word being fed (its text only when `lower` is '', see `word`). */
  private appendChainWord(lower: string): void {
    const i = this.chainCount++;
    this.chainParts[i] = lower;
    if (lower === '') {
      this.chainBounds[2 * i] = this.wordStart;
      this.chainBounds[2 * i + 1] = this.wordUpper ? -this.wordEnd : this.wordEnd;
      this.chainLen += this.wordEnd - this.wordStart;
    } else {
      this.chainLen += lower.length;
    }
  }

  /** The word being fed, lower-cased (`lower`, or sliced from the statement when that is ''). */
  private name(lower: string): string {
    if (lower !== '') return lower;
    const text = this.text.slice(this.wordStart, this.wordEnd);
    return this.wordUpper ? text.toLowerCase() : text;
  }

  private clearChain(): void {
    this.chainCount = 0;
    this.chainLen = 0;
  }

  private chainText(): string {
    const parts = this.chainParts;
    let out = '';
    for (let i = 0; i < this.chainCount; i++) {
      let part = parts[i];
      if (part === '') {
        const end = this.chainBounds[2 * i + 1];
        part = this.text.slice(this.chainBounds[2 * i], end < 0 ? -end : end);
        if (end < 0) part = part.toLowerCase();
      }
      out += part;
    }
    return out;
  }

  /** Pieces may be slices of the statement: drop them (a long name's array is not kept either). */
  private releaseChain(): void {
    this.clearChain();
    const parts = this.chainParts;
    if (parts.length > 16) {
      this.chainParts = [];
      this.chainBounds = [];
    } else {
      // A loop, not `fill`: the builtin call cost more than clearing the few pieces a name has.
      for (let i = 0; i < parts.length; i++) parts[i] = '';
    }
  }

  private startStatement(lower: string, flags: number): void {
    if (DML_STARTS.has(lower)) {
      this.mode = Mode.Dml;
      if (lower === 'explain') {
        this.parts.push('EXPLAIN');
        if (!this.firstOperation) this.firstOperation = 'EXPLAIN';
        if (!this.topOperation) this.topOperation = 'EXPLAIN';
      } else if (lower === 'table') {
        // `TABLE users` is short for `SELECT * FROM users`.
        this.addOp('select', 0);
        this.expectTarget = true;
      } else {
        this.dmlWord(lower, 0, flags);
      }
    } else if (DDL_VERBS.has(lower)) {
      this.mode = Mode.Ddl;
      this.parts.push(upper(lower));
      this.ddlStage = 1;
      if (!this.firstOperation) this.firstOperation = upper(lower);
    } else if (NAMED_UTILITIES.has(lower)) {
      this.mode = Mode.Named;
      this.parts.push(upper(lower));
      this.expectTarget = true;
      if (!this.firstOperation) this.firstOperation = upper(lower);
    } else {
      // SET, SHOW, BEGIN, COMMIT, SAVEPOINT …: the keyword alone. What follows is often a name with
      // high cardinality (savepoint names, setting values), so it stays out of the summary.
      this.mode = Mode.Keyword;
      this.parts.push(upper(lower));
      if (!this.firstOperation) this.firstOperation = upper(lower);
    }
  }

  private addOp(lower: string, depth: number): void {
    const op = upper(lower);
    this.ops++;
    if (!this.firstOperation) this.firstOperation = op;
    if (depth === 0 && !this.topOperation) this.topOperation = op;
    // An operation already named in this statement is not repeated: `WITH r AS (SELECT … FROM a)
    // SELECT … FROM r` reads `SELECT a r`, while `INSERT a SELECT b` keeps both operations.
    if (!this.parts.includes(op)) this.parts.push(op);
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
    if ((flags & W_DML_OP) !== 0 && (this.prevFlags & W_NOT_OP_AFTER) === 0) {
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
          if (lower === 'unique' || lower === 'materialized' || lower === 'foreign') this.parts.push(upper(lower));
          return;
        }
        if (DDL_OBJECTS.has(lower)) {
          this.parts.push(upper(lower));
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
    if (kind === TargetKind.Discard || name.length === 0 || name.endsWith('.')) return;
    if (kind === TargetKind.Collection) this.targets.push(name);
    this.stmtTargets++;
    // A self-join or repeated table adds nothing to a summary.
    for (let i = this.parts.length - 1; i >= 0; i--) {
      const p = this.parts[i];
      if (p === name) return;
      if (p === this.lastOp) break;
    }
    this.parts.push(name);
  }
}
