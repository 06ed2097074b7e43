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
import { SqlLexer, TokenKind } from './sql-lexer';
import { SummaryBuilder } from './sql-summary';

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

/** Words after which a `-` or `+` is a sign, not a binary operator. */
const SIGN_CONTEXT_WORDS = new Set([
  'select', 'where', 'and', 'or', 'not', 'when', 'then', 'else', 'values', 'in', 'between', 'limit',
  'offset', 'by', 'having', 'on', 'set', 'like', 'ilike', 'is', 'return', 'returning', 'case',
  'distinct', 'all', 'any', 'some', 'fetch', 'first', 'next', 'default', 'to', 'from',
]);

/** Type names that prefix a string literal (`DATE '2024-01-01'`): in the key the pair is one constant. */
const TYPED_LITERAL_WORDS = new Set([
  'date', 'time', 'timestamp', 'timestamptz', 'interval', 'int', 'integer', 'bigint', 'smallint',
  'numeric', 'decimal', 'real', 'float', 'text', 'varchar', 'char', 'boolean', 'bool', 'json', 'jsonb',
  'uuid', 'inet', 'cidr', 'bytea', 'money', 'point', 'xml',
]);

/** Frame for one open `(` or `[`. */
interface Frame {
  /** Index in `key` of the opening bracket. */
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

function rangesEqual(parts: string[], a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let i = 0; i < aEnd - a; i++) if (parts[a + i] !== parts[b + i]) return false;
  return true;
}

/**
 * Keywords that cannot be used as a bare column/table name (reserved, and "type or function name"
 * keywords): `"user"` is a table, `user` is CURRENT_USER, so quoting them changes meaning.
 */
const RESERVED_WORDS = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast',
  'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role',
  'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do',
  'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in',
  'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not',
  'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select',
  'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true', 'union',
  'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with', 'authorization', 'binary',
  'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full', 'ilike', 'inner', 'is',
  'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps', 'right', 'similar',
  'tablesample', 'verbose',
]);

/**
 * In the key, `"accounts"` is written `accounts`: PostgreSQL folds unquoted names to lower case, so
 * a quoted all-lower-case name that is not a reserved word is the very same identifier (ORMs quote
 * everything, hand-written SQL does not; both must group together). Anything else stays quoted.
 */
function canonicalQuotedIdent(raw: string): string {
  if (raw.charCodeAt(0) !== 34 /* " */ || raw.length < 3) return raw;
  const end = raw.length - 1;
  for (let i = 1; i < end; i++) {
    const c = raw.charCodeAt(i);
    const lowerAlpha = c >= 97 && c <= 122;
    if (!(lowerAlpha || c === 95 || (i > 1 && ((c >= 48 && c <= 57) || c === 36)))) return raw;
  }
  const inner = raw.slice(1, end);
  return RESERVED_WORDS.has(inner) ? raw : inner;
}

/** `"a""b"` → `a"b` (for the summary, which names collections without quotes). */
function unquoteIdent(raw: string): string {
  const open = raw.indexOf('"');
  const inner = raw.slice(open + 1, raw.length - 1);
  return inner.indexOf('""') >= 0 ? inner.split('""').join('"') : inner;
}

/**
 * Normalize one PostgreSQL statement (or several separated by `;`). Never throws.
 */
export function normalizeSql(sql: string, options?: NormalizeOptions): NormalizedSql {
  if (typeof sql !== 'string') return UNTERMINATED;
  try {
    return normalize(sql, options?.maxLength ?? DEFAULT_MAX_SANITIZED_LENGTH);
  } catch {
    // Defensive: a bug must not surface in the host application, nor fall back to the raw text.
    return UNTERMINATED;
  }
}

/**
 * One normalization run. A class rather than closures: the per-token state lives in fields of one
 * object instead of a captured context, and no function objects are allocated per call.
 */
class Normalizer {
  private readonly lexer: SqlLexer;
  private readonly key: string[] = [];
  private readonly san: string[] = [];
  private readonly frames: Frame[] = [];
  private readonly summary = new SummaryBuilder();
  private values: ValuesState | null = null;
  /** Kind of the previous significant token, and its lower-cased text when it was a word. */
  private prevKind = TokenKind.End;
  private prevWord = '';
  /** The previous emitted token was a constant (literal, parameter, collapsed list). */
  private prevConst = false;
  /** The previous token was a string literal (PostgreSQL concatenates adjacent ones). */
  private prevString = false;
  /** Drop the type of a `::cast` from the key (it followed a constant). */
  private skipCastType = false;
  /** Index in `key` of the last word when it may prefix a typed literal (`DATE '…'`). */
  private typedWordAt = -1;
  /** Lower-cased text of the current token when it is a word. */
  private currentWord = '';

  constructor(
    private readonly sql: string,
    private readonly maxLength: number,
  ) {
    this.lexer = new SqlLexer(sql);
  }

  private pushSan(text: string, space: boolean): void {
    const san = this.san;
    if (space && san.length > 0 && san[san.length - 1] !== ' ') san.push(' ');
    san.push(text);
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

  /** Emit a constant: `?` in both outputs (or the `$n` text in the sanitized one). */
  private emitConst(sanText: string, space: boolean, param: boolean): void {
    const key = this.key;
    // The set lookup happens only here, when a literal follows a word — not for every word.
    if (this.typedWordAt >= 0 && this.typedWordAt === key.length - 1 && !param && TYPED_LITERAL_WORDS.has(key[this.typedWordAt])) key.pop();
    key.push(PLACEHOLDER);
    this.pushSan(sanText, space);
    this.markElement(param);
    this.prevConst = true;
  }

  run(): NormalizedSql {
    const { sql, lexer, key, san, frames, summary, maxLength } = this;
    for (;;) {
      const kind = lexer.next();
      if (kind === TokenKind.End) break;
      if (kind === TokenKind.Unterminated) {
        // Everything from here on is inside a literal or comment we cannot delimit: emit nothing of it.
        const s = summary.finish();
        return { ...UNTERMINATED, summary: s.summary, operation: s.operation, collection: s.collection };
      }
      const space = lexer.spaceBefore;
      const depth = frames.length;

      // A literal glued to a word (`'O'Brien'`, `name='x'y`) is how a broken quote looks once the
      // lexer has re-synchronised on the *wrong* quotes: what reads as words may be the inside of a
      // literal. Valid SQL essentially never glues them, so the statement is treated as unterminated.
      if (
        (!space && isAtom(kind) && isAtom(this.prevKind) && (isQuoted(kind) || isQuoted(this.prevKind))) ||
        (kind === TokenKind.Word && hasDollarQuote(sql, lexer.start, lexer.end))
      ) {
        const s = summary.finish();
        return { ...UNTERMINATED, summary: s.summary, operation: s.operation, collection: s.collection };
      }
      // Likewise a "quoted identifier" holding quotes, dollars, `=`, line breaks, or far longer than
      // PostgreSQL's 63-byte name limit, is more likely a stray `"` pairing across a literal than a
      // name. (ORM aliases such as `"Customer->Orders.id"` stay well within these rules.)
      if (kind === TokenKind.QuotedIdent && suspiciousQuotedIdent(sql, lexer.start, lexer.end)) {
        const s = summary.finish();
        return { ...UNTERMINATED, summary: s.summary, operation: s.operation, collection: s.collection };
      }

      // VALUES bookkeeping: leaving the list ends the state.
      if (this.values !== null && depth === this.values.depth) {
        if (kind === TokenKind.OpenParen && this.values.expectRow) {
          this.values.rowKeyStart = key.length;
          this.values.rowSanStart = san.length;
        } else if (kind === TokenKind.Comma && !this.values.expectRow) {
          this.values.expectRow = true;
          this.values.commaKey = key.length;
          this.values.commaSan = san.length;
        } else {
          this.values = null;
        }
      } else if (this.values !== null && depth < this.values.depth) {
        this.values = null;
      }

      const wasString = this.prevString;
      this.prevString = false;
      const wasConst = this.prevConst;
      this.prevConst = false;
      const wasTypedWordAt = this.typedWordAt;
      this.typedWordAt = -1;

      switch (kind) {
        case TokenKind.String: {
          if (wasString) {
            // 'abc'
            // 'def'  — one literal in PostgreSQL; one `?` here.
            this.prevString = true;
            this.prevConst = true;
            break;
          }
          this.typedWordAt = wasTypedWordAt;
          this.emitConst(PLACEHOLDER, space, false);
          this.prevString = true;
          summary.other();
          break;
        }
        case TokenKind.Number:
          this.emitConst(PLACEHOLDER, space, false);
          summary.other();
          break;
        case TokenKind.Param:
          this.emitConst(sql.slice(lexer.start, lexer.end), space, true);
          summary.other();
          break;
        case TokenKind.Word: {
          const raw = sql.slice(lexer.start, lexer.end);
          const lower = raw.toLowerCase();
          this.currentWord = lower;
          if (this.skipCastType) {
            // `'…'::int` groups with `'…'`: the type of a constant is dropped from the key.
            this.skipCastType = false;
            this.pushSan(raw, space);
            this.prevConst = true;
            this.prevWord = lower;
            this.prevKind = kind;
            continue;
          }
          if (
            (lower === 'true' || lower === 'false' || lower === 'null') &&
            !(lower === 'null' && (this.prevWord === 'is' || (this.prevWord === 'not' && key[key.length - 2] === 'is')))
          ) {
            key.push(PLACEHOLDER);
            this.pushSan(raw, space);
            this.markElement(false);
            this.prevConst = true;
            summary.other();
            break;
          }
          // Savepoint names are generated (`sp_1`, `sp_2` …): they do not make a new shape.
          key.push(this.prevWord === 'savepoint' && this.prevKind === TokenKind.Word ? PLACEHOLDER : lower);
          this.pushSan(raw, space);
          this.markNonConst();
          this.typedWordAt = key.length - 1;
          if (lower === 'values' && this.values === null) {
            this.values = {
              depth,
              expectRow: true,
              prevKeyStart: -1,
              prevKeyEnd: -1,
              prevSanStart: -1,
              prevSanEnd: -1,
              commaKey: -1,
              commaSan: -1,
              rowKeyStart: -1,
              rowSanStart: -1,
            };
          }
          summary.word(lower, depth);
          break;
        }
        case TokenKind.QuotedIdent: {
          const raw = sql.slice(lexer.start, lexer.end);
          if (this.skipCastType) {
            this.skipCastType = false;
            this.pushSan(raw, space);
            this.prevConst = true;
            break;
          }
          key.push(canonicalQuotedIdent(raw));
          this.pushSan(raw, space);
          this.markNonConst();
          summary.quotedIdent(unquoteIdent(raw), depth);
          break;
        }
        case TokenKind.Operator: {
          const op = sql.slice(lexer.start, lexer.end);
          if (op === '?' && isSignContext(this.prevKind, this.prevWord)) {
            // A `?` where an operand is expected is a placeholder (mysql2, knex, JDBC style) — or an
            // already sanitized literal — not PostgreSQL's jsonb `?` operator, which sits between two
            // operands. Treated as a constant, so `IN (?, ?, ?)` groups like `IN (1, 2)`.
            this.emitConst(PLACEHOLDER, space, false);
            summary.other();
            break;
          }
          if ((op === '-' || op === '+') && isSignContext(this.prevKind, this.prevWord)) {
            // A sign in front of a number is part of the constant: `= -5` groups with `= 5`.
            const mark = lexer.mark();
            const savedSpace = space;
            if (lexer.next() === TokenKind.Number) {
              this.emitConst(PLACEHOLDER, savedSpace, false);
              summary.other();
              this.prevKind = TokenKind.Number;
              this.prevWord = '';
              continue;
            }
            lexer.reset(mark);
          }
          key.push(op);
          this.pushSan(op, space);
          this.markNonConst();
          summary.other();
          break;
        }
        case TokenKind.Cast: {
          if (wasConst) {
            // Keep the cast in the sanitized text, drop it (and its type) from the key.
            this.pushSan('::', space);
            this.skipCastType = true;
            this.prevConst = true;
            this.prevKind = kind;
            continue;
          }
          key.push('::');
          this.pushSan('::', space);
          this.markNonConst();
          summary.other();
          break;
        }
        case TokenKind.OpenParen:
        case TokenKind.OpenBracket: {
          const open = kind === TokenKind.OpenParen ? '(' : '[';
          // `?::int[]` — the array brackets belong to the dropped cast type.
          if (kind === TokenKind.OpenBracket && wasConst && this.prevKind === TokenKind.Word && key[key.length - 1] === PLACEHOLDER) {
            const mark = lexer.mark();
            if (lexer.next() === TokenKind.CloseBracket) {
              this.pushSan('[]', space);
              this.prevConst = true;
              this.prevKind = TokenKind.CloseBracket;
              continue;
            }
            lexer.reset(mark);
          }
          const isRow = this.values !== null && depth === this.values.depth && this.values.expectRow && kind === TokenKind.OpenParen;
          if (isRow && this.values !== null) this.values.expectRow = false;
          this.markElement(false);
          // An opening bracket makes the enclosing list non-constant unless this one collapses (checked at close).
          const frame: Frame = {
            keyOpen: key.length,
            sanStart: 0,
            constOnly: true,
            hasElement: false,
            hasParam: false,
            sanCollapsible:
              (kind === TokenKind.OpenParen && this.prevKind === TokenKind.Word && this.prevWord === 'in') ||
              (kind === TokenKind.OpenBracket && this.prevKind === TokenKind.Word && this.prevWord === 'array'),
            valuesRow: isRow,
          };
          key.push(open);
          this.pushSan(open, space);
          frame.sanStart = san.length;
          frames.push(frame);
          summary.openParen();
          break;
        }
        case TokenKind.CloseParen:
        case TokenKind.CloseBracket: {
          const close = kind === TokenKind.CloseParen ? ')' : ']';
          const frame = frames.pop();
          if (frame === undefined) {
            // Unbalanced closer: keep it as is.
            key.push(close);
            this.pushSan(close, space);
            summary.other();
            break;
          }
          let collapsed = false;
          if (frame.constOnly && frame.hasElement) {
            collapsed = true;
            // Key: every constant-only list is one `?`. `x IN (…)` and `x = ANY(…)` of constants
            // read as `x = ?`, which is how PostgreSQL's own fingerprint groups them.
            key.length = frame.keyOpen;
            const before = key[key.length - 1];
            if (before === 'in' && close === ')') {
              if (key[key.length - 2] === 'not') {
                key.length -= 2;
                key.push('<>', PLACEHOLDER);
              } else {
                key.length -= 1;
                key.push('=', PLACEHOLDER);
              }
            } else if ((before === 'any' || before === 'some' || before === 'all') && close === ')') {
              key.length -= 1;
              key.push(PLACEHOLDER);
            } else {
              key.push(close === ')' ? '(' : '[', PLACEHOLDER, close);
            }
            if (frame.sanCollapsible && !frame.hasParam) {
              san.length = frame.sanStart;
              san.push(PLACEHOLDER);
            }
          } else {
            key.push(close);
          }
          this.pushSan(close, false);
          if (frames.length > 0) {
            const parent = frames[frames.length - 1];
            if (!collapsed) parent.constOnly = false;
            if (frame.hasParam) parent.hasParam = true;
          }
          if (frame.valuesRow && this.values !== null) {
            dedupeRow(this.values, key, san);
          }
          this.prevConst = collapsed;
          summary.closeParen(frames.length);
          break;
        }
        case TokenKind.Comma:
          key.push(',');
          this.pushSan(',', space);
          summary.comma(depth);
          break;
        case TokenKind.Semicolon:
          if (depth === 0) {
            // Statement separator: drop empty statements and a trailing semicolon from both outputs.
            if (key.length > 0 && key[key.length - 1] !== ';') {
              key.push(';');
              this.pushSan(';', space);
            }
            summary.endStatement();
            this.values = null;
          } else {
            key.push(';');
            this.pushSan(';', space);
            this.markNonConst();
          }
          break;
        case TokenKind.Dot:
          key.push('.');
          this.pushSan('.', space);
          this.markNonConst();
          summary.dot();
          break;
        default: {
          const raw = sql.slice(lexer.start, lexer.end);
          key.push(raw);
          this.pushSan(raw, space);
          this.markNonConst();
          summary.other();
          break;
        }
      }
      this.prevKind = kind;
      this.prevWord = kind === TokenKind.Word ? this.currentWord : '';
    }

    // A trailing `;` is not part of the shape.
    if (key.length > 0 && key[key.length - 1] === ';') {
      key.pop();
      san.pop();
    }
    if (san.length > 0 && san[san.length - 1] === ' ') san.pop();

    const s = summary.finish();
    // A `+=` rope of many pieces would be kept as such in the cache (tens of bytes per piece instead of
    // one byte per character): read one character, which makes V8 flatten it in place. Measured
    // cheaper than Array.prototype.join, which returns a flat string directly.
    let sanitized = concat(san, '');
    sanitized.charCodeAt(0);
    let truncated = false;
    if (sanitized.length > maxLength) {
      sanitized = truncate(sanitized, maxLength);
      truncated = true;
    }
    return {
      sanitized,
      key: concat(key, ' '),
      summary: s.summary,
      operation: s.operation,
      collection: s.collection,
      unterminated: false,
      truncated,
    };
  }
}

function normalize(sql: string, maxLength: number): NormalizedSql {
  return new Normalizer(sql, maxLength).run();
}

/** Tokens that are operands on their own: two of them glued together is not SQL. */
function isAtom(kind: TokenKind): boolean {
  return (
    kind === TokenKind.Word || kind === TokenKind.Number || kind === TokenKind.String || kind === TokenKind.QuotedIdent || kind === TokenKind.Param
  );
}

function isQuoted(kind: TokenKind): boolean {
  return kind === TokenKind.String || kind === TokenKind.QuotedIdent;
}

/**
 * `E$$secret$$` is one identifier for PostgreSQL (`$` continues a name), but a name holding `$$` is
 * far more likely a dollar-quoted literal with a stray letter in front of it.
 */
function hasDollarQuote(sql: string, start: number, end: number): boolean {
  for (let i = start + 1; i < end - 1; i++) {
    if (sql.charCodeAt(i) === 36 && sql.charCodeAt(i + 1) === 36) return true;
  }
  return false;
}

function suspiciousQuotedIdent(sql: string, start: number, end: number): boolean {
  // `U&"…"` may hold escapes; measure the part between the quotes.
  const open = sql.charCodeAt(start) === 34 ? start : sql.indexOf('"', start);
  if (end - open - 2 > 128) return true;
  for (let i = open + 1; i < end - 1; i++) {
    const c = sql.charCodeAt(i);
    if (c === 39 /* ' */ || c === 36 /* $ */ || c === 61 /* = */ || c === 10 || c === 13) return true;
  }
  return false;
}

/** Array.prototype.join is measurably slower than a concatenation loop for arrays of short strings. */
function concat(parts: string[], separator: string): string {
  const n = parts.length;
  if (n === 0) return '';
  let out = parts[0];
  if (separator.length === 0) for (let i = 1; i < n; i++) out += parts[i];
  else for (let i = 1; i < n; i++) out += separator + parts[i];
  return out;
}

function isSignContext(prevKind: TokenKind, prevWord: string): boolean {
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
      return SIGN_CONTEXT_WORDS.has(prevWord);
    default:
      return false;
  }
}

/** Drop a VALUES row that repeats the previous one (separately in the key and the sanitized text). */
function dedupeRow(v: ValuesState, key: string[], san: string[]): void {
  const keyEnd = key.length;
  const sanEnd = san.length;
  if (v.prevKeyStart >= 0 && v.commaKey >= 0 && rangesEqual(key, v.prevKeyStart, v.prevKeyEnd, v.rowKeyStart, keyEnd)) {
    key.length = v.commaKey;
  } else {
    v.prevKeyStart = v.rowKeyStart;
    v.prevKeyEnd = keyEnd;
  }
  // The sanitized row may start with a separating space; compare from the `(`.
  const rowSan = san[v.rowSanStart] === ' ' ? v.rowSanStart + 1 : v.rowSanStart;
  if (v.prevSanStart >= 0 && v.commaSan >= 0 && rangesEqual(san, v.prevSanStart, v.prevSanEnd, rowSan, sanEnd)) {
    san.length = v.commaSan;
  } else {
    v.prevSanStart = rowSan;
    v.prevSanEnd = san.length;
  }
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
