/**
 * Builds `db.query.summary` ("SELECT users orders", "INSERT orders SELECT carts", "CREATE TABLE users")
 * from the token stream the normalizer already produces, so a summary costs no second scan.
 *
 * The summary is made only of keywords and identifiers — never of literals — so it is safe to use as
 * the span name. It follows the OpenTelemetry database conventions: operations and the collections
 * they touch, in order of appearance, short (≤ 255 characters) and low in cardinality.
 */

/** Upper bound for `db.query.summary`, from the semantic conventions. */
export const MAX_SUMMARY_LENGTH = 255;

const DML_OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'merge']);

/** Statements whose first word starts a data query (the operations are found as they appear). */
const DML_STARTS = new Set(['select', 'insert', 'update', 'delete', 'merge', 'with', 'values', 'table', 'explain']);

/** A DML keyword preceded by one of these is a clause, not an operation (`FOR UPDATE`, `ON DELETE`, `DO UPDATE`). */
const NOT_AN_OPERATION_AFTER = new Set(['for', 'key', 'do', 'on', 'then', 'share', 'no', 'of', 'grant', 'revoke']);

/** Keywords after which the next name is a collection. */
const TARGET_INTRODUCERS = new Set(['from', 'join', 'into', 'update', 'using', 'table']);

/** Words skipped while waiting for a collection name. */
const TARGET_NOISE = new Set(['only', 'lateral', 'if', 'not', 'exists', 'concurrently']);

/** Keywords that end a FROM list (after which a comma no longer introduces a collection). */
const FROM_LIST_END = new Set([
  'where', 'group', 'order', 'limit', 'offset', 'having', 'window', 'union', 'except', 'intersect',
  'returning', 'on', 'using', 'for', 'fetch', 'set', 'values', 'select', 'natural',
]);

/** Object kinds named in DDL (`CREATE <kind> name`). */
const DDL_OBJECTS = new Set([
  'table', 'index', 'view', 'sequence', 'schema', 'function', 'procedure', 'trigger', 'type',
  'extension', 'database', 'role', 'user', 'policy', 'domain', 'aggregate', 'collation',
  'publication', 'subscription', 'tablespace', 'rule', 'server', 'statistics',
]);

/** Statements summarised as keyword + object kind + name. */
const DDL_VERBS = new Set(['create', 'drop', 'alter', 'comment', 'reindex']);

/** Utility statements summarised as keyword + the name that follows (a table, a procedure…). */
const NAMED_UTILITIES = new Set(['truncate', 'copy', 'call', 'lock', 'vacuum', 'analyze', 'cluster', 'refresh']);

/** Words between a DDL verb and the object kind (`CREATE OR REPLACE TEMP VIEW`). */
const DDL_MODIFIERS = new Set([
  'or', 'replace', 'unique', 'temp', 'temporary', 'unlogged', 'materialized', 'global', 'local',
  'recursive', 'foreign', 'default', 'constraint', 'trusted', 'procedural', 'on',
]);

/** Bit flags of a word for the DML path, so a word costs one map lookup instead of five set lookups. */
const W_DML_OP = 1;
const W_NOT_OP_AFTER = 2;
const W_INTRODUCER = 4;
const W_NOISE = 8;
const W_FROM_END = 16;
const WORD_FLAGS = new Map<string, number>();
function addFlag(words: Iterable<string>, flag: number): void {
  for (const w of words) WORD_FLAGS.set(w, (WORD_FLAGS.get(w) ?? 0) | flag);
}
addFlag(DML_OPERATIONS, W_DML_OP);
addFlag(NOT_AN_OPERATION_AFTER, W_NOT_OP_AFTER);
addFlag(TARGET_INTRODUCERS, W_INTRODUCER);
addFlag(TARGET_NOISE, W_NOISE);
addFlag(FROM_LIST_END, W_FROM_END);

const enum Mode {
  None,
  Dml,
  Ddl,
  Named,
  Keyword,
}

export class SummaryBuilder {
  private statements: string[] = [];
  private parts: string[] = [];
  private mode = Mode.None;
  private prevWord = '';
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

  /** Feed an unquoted word (already lower-cased) at paren depth `depth`. */
  word(lower: string, depth: number): void {
    if (this.target !== null && this.targetDot) {
      this.target += lower;
      this.targetDot = false;
      return;
    }
    this.flushTarget(false);
    switch (this.mode) {
      case Mode.None:
        this.startStatement(lower);
        break;
      case Mode.Dml:
        this.dmlWord(lower, depth);
        break;
      case Mode.Ddl:
        this.ddlWord(lower);
        break;
      case Mode.Named:
        if (this.expectTarget) {
          if (lower === 'table' || lower === 'only' || lower === 'materialized' || lower === 'view' || lower === 'verbose' || lower === 'full' || lower === 'analyze' || lower === 'concurrently') break;
          this.target = lower;
          this.expectTarget = false;
        }
        break;
      default:
        break;
    }
    this.prevWord = lower;
  }

  /** Feed a quoted identifier (quotes removed, doubled quotes undone). */
  quotedIdent(name: string, depth: number): void {
    if (this.target !== null && this.targetDot) {
      this.target += name;
      this.targetDot = false;
      return;
    }
    this.flushTarget(false);
    if (this.expectTarget) {
      this.target = name;
      this.expectTarget = false;
      if (this.mode === Mode.Ddl) this.ddlStage = 3;
    } else if (this.mode === Mode.None) {
      this.mode = Mode.Keyword;
    }
    this.prevWord = '"';
    void depth;
  }

  dot(): void {
    if (this.target !== null) {
      this.target += '.';
      this.targetDot = true;
    }
  }

  openParen(): void {
    // `FROM generate_series(…)`: a function, not a collection. `INSERT INTO t (a, b)` keeps `t`.
    this.flushTarget(this.targetIsFromItem);
    this.expectTarget = false;
    this.prevWord = '(';
  }

  closeParen(depthAfter: number): void {
    this.flushTarget(false);
    if (depthAfter < this.fromDepth) this.fromDepth = -1;
    this.prevWord = ')';
  }

  comma(depth: number): void {
    this.flushTarget(false);
    if (this.mode === Mode.Dml && depth === this.fromDepth) {
      this.expectTarget = true;
      this.targetIsFromItem = true;
    }
    this.prevWord = ',';
  }

  /** Any other token (literal, operator …). */
  other(): void {
    this.flushTarget(false);
    this.prevWord = '';
  }

  endStatement(): void {
    this.flushTarget(false);
    if (this.parts.length > 0) this.statements.push(this.parts.join(' '));
    this.parts = [];
    this.mode = Mode.None;
    this.prevWord = '';
    this.expectTarget = false;
    this.fromDepth = -1;
    this.ddlStage = 0;
    this.lastOp = '';
  }

  /** The summary, capped at 255 characters on a word boundary. */
  finish(): { summary: string; operation: string; collection: string } {
    this.endStatement();
    let summary = this.statements.join('; ');
    if (summary.length > MAX_SUMMARY_LENGTH) {
      const cut = summary.lastIndexOf(' ', MAX_SUMMARY_LENGTH);
      summary = summary.slice(0, cut > 0 ? cut : MAX_SUMMARY_LENGTH);
    }
    const single = this.statements.length === 1;
    const distinct = single ? new Set(this.targets) : undefined;
    return {
      summary,
      operation: single ? this.topOperation || this.firstOperation : '',
      collection: distinct && distinct.size === 1 && this.ops > 0 ? this.targets[0] : '',
    };
  }

  private startStatement(lower: string): void {
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
        this.dmlWord(lower, 0);
      }
    } else if (DDL_VERBS.has(lower)) {
      this.mode = Mode.Ddl;
      this.parts.push(lower.toUpperCase());
      this.ddlStage = 1;
      if (!this.firstOperation) this.firstOperation = lower.toUpperCase();
    } else if (NAMED_UTILITIES.has(lower)) {
      this.mode = Mode.Named;
      this.parts.push(lower.toUpperCase());
      this.expectTarget = true;
      if (!this.firstOperation) this.firstOperation = lower.toUpperCase();
    } else {
      // SET, SHOW, BEGIN, COMMIT, SAVEPOINT …: the keyword alone. What follows is often a name with
      // high cardinality (savepoint names, setting values), so it stays out of the summary.
      this.mode = Mode.Keyword;
      this.parts.push(lower.toUpperCase());
      if (!this.firstOperation) this.firstOperation = lower.toUpperCase();
    }
  }

  private addOp(lower: string, depth: number): void {
    const op = lower.toUpperCase();
    this.ops++;
    if (!this.firstOperation) this.firstOperation = op;
    if (depth === 0 && !this.topOperation) this.topOperation = op;
    // An operation already named in this statement is not repeated: `WITH r AS (SELECT … FROM a)
    // SELECT … FROM r` reads `SELECT a r`, while `INSERT a SELECT b` keeps both operations.
    if (!this.parts.includes(op)) this.parts.push(op);
    this.lastOp = op;
  }

  private dmlWord(lower: string, depth: number): void {
    const flags = WORD_FLAGS.get(lower) ?? 0;
    if (this.expectTarget) {
      if ((flags & W_NOISE) !== 0) return;
      if ((flags & W_DML_OP) === 0 && lower !== 'values') {
        this.target = lower;
        this.targetDot = false;
        this.expectTarget = false;
        return;
      }
      this.expectTarget = false;
    }
    if ((flags & W_DML_OP) !== 0 && ((WORD_FLAGS.get(this.prevWord) ?? 0) & W_NOT_OP_AFTER) === 0) {
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
          if (lower === 'unique' || lower === 'materialized' || lower === 'foreign') this.parts.push(lower.toUpperCase());
          return;
        }
        if (DDL_OBJECTS.has(lower)) {
          this.parts.push(lower.toUpperCase());
          this.ddlStage = 2;
          this.expectTarget = true;
          return;
        }
        this.ddlStage = 3; // unknown shape: keep the verb only
        return;
      case 2:
        if (TARGET_NOISE.has(lower)) return;
        if (this.expectTarget) {
          this.target = lower;
          this.targetDot = false;
          this.expectTarget = false;
          this.ddlStage = 3;
        }
        return;
      default:
        return;
    }
  }

  private flushTarget(discard: boolean): void {
    if (this.target === null) return;
    const name = this.target;
    this.target = null;
    this.targetDot = false;
    if (discard || name.length === 0 || name.endsWith('.')) return;
    this.targets.push(name);
    // A self-join or repeated table adds nothing to a summary.
    for (let i = this.parts.length - 1; i >= 0; i--) {
      const p = this.parts[i];
      if (p === name) return;
      if (p === this.lastOp) break;
    }
    this.parts.push(name);
  }
}
