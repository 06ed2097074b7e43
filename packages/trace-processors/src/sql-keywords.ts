/**
 * Word recognition for the normalizer without allocating: a word of the statement (given by its
 * bounds in the text) is looked up case-insensitively in a small open-addressing hash table of the
 * keywords the normalizer and the summary care about (plus the most common SQL keywords). A hit
 * yields the interned lower-case spelling and the word's flags. An ASCII word that is not in the
 * table is not sliced out of the text at all: the normalizer writes it into the key from the text,
 * and the summary slices the few it keeps (table names).
 *
 * Why: the normalizer used to slice + `toLowerCase()` every word and then test it against half a
 * dozen Sets and Maps; for typical SQL (upper-case keywords) that was most of its time.
 */
import {
  DDL_MODIFIERS,
  DDL_OBJECTS,
  DDL_VERBS,
  DML_OPERATIONS,
  DML_STARTS,
  FROM_LIST_END,
  NAMED_UTILITIES,
  NOT_AN_OPERATION_AFTER,
  TARGET_INTRODUCERS,
  TARGET_NOISE,
} from './sql-summary-words';

/** Flags of a word (bit set). The first five are the summary's, the rest the normalizer's. */
export const KW_DML_OP = 1;
export const KW_NOT_OP_AFTER = 2;
export const KW_INTRODUCER = 4;
export const KW_NOISE = 8;
export const KW_FROM_END = 16;
/** After this word a `-`/`+` is a sign and a `?` a placeholder. */
export const KW_SIGN_CONTEXT = 32;
/** A keyword or a well-known function, not an application's own name (every word of the table but the reserved-only ones). */
export const KW_KNOWN = 64;
/** `true`, `false`, `null`: constants in the key. */
export const KW_CONSTANT = 128;
/** `savepoint`: the name after it is generated, a constant in the key. */
export const KW_SAVEPOINT = 256;
/** `values`: starts a VALUES list. */
export const KW_VALUES = 512;
/** A type name that may prefix a string literal (`DATE '2024-01-01'`): in the key the pair is one constant. */
export const KW_TYPED_LITERAL = 1024;
/**
 * Cannot be used as a bare column/table name (reserved, and "type or function name" keywords):
 * `"user"` is a table, `user` is CURRENT_USER, so quoting them changes meaning.
 */
export const KW_RESERVED = 2048;
/** `as`: a name right after it is an alias, never a function (the summary reads this from a word's flags). */
export const KW_AS = 4096;

/** Words after which a `-` or `+` is a sign, not a binary operator. */
const SIGN_CONTEXT_WORDS = [
  'select', 'where', 'and', 'or', 'not', 'when', 'then', 'else', 'values', 'in', 'between', 'limit',
  'offset', 'by', 'having', 'on', 'set', 'like', 'ilike', 'is', 'return', 'returning', 'case',
  'distinct', 'all', 'any', 'some', 'fetch', 'first', 'next', 'default', 'to', 'from',
];

const TYPED_LITERAL_WORDS = [
  'date', 'time', 'timestamp', 'timestamptz', 'interval', 'int', 'integer', 'bigint', 'smallint',
  'numeric', 'decimal', 'real', 'float', 'text', 'varchar', 'char', 'boolean', 'bool', 'json', 'jsonb',
  'uuid', 'inet', 'cidr', 'bytea', 'money', 'point', 'xml',
];

const RESERVED_WORDS = [
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
];

/** More words worth recognising without a slice: frequent keywords and functions of application SQL. */
const COMMON_WORDS = [
  'as', 'asc', 'desc', 'join', 'left', 'right', 'inner', 'outer', 'cross', 'full', 'natural', 'end',
  'null', 'true', 'false', 'exists', 'array', 'count', 'sum', 'min', 'max', 'avg', 'now', 'coalesce',
  'interval', 'date', 'time', 'timestamp', 'timestamptz', 'int', 'integer', 'bigint', 'smallint',
  'numeric', 'decimal', 'real', 'float', 'text', 'varchar', 'char', 'boolean', 'bool', 'json', 'jsonb',
  'uuid', 'inet', 'cidr', 'bytea', 'money', 'point', 'xml', 'conflict', 'nothing', 'do', 'excluded',
  'begin', 'commit', 'rollback', 'savepoint', 'release', 'show', 'reset', 'nulls', 'last', 'over',
  'partition', 'filter', 'within', 'lateral', 'recursive', 'ordinality', 'rows', 'row', 'only',
  'current_timestamp', 'current_date', 'current_user', 'extract', 'epoch', 'cast', 'isnull', 'notnull',
  'lower', 'upper', 'length', 'substring', 'trim', 'concat', 'string_agg', 'array_agg', 'json_agg',
  'jsonb_build_object', 'json_build_object', 'row_number', 'rank', 'greatest', 'least', 'nullif',
  'unnest', 'generate_series', 'skip', 'locked', 'nowait', 'key', 'share', 'no', 'action', 'cascade',
  'restrict', 'references', 'primary', 'foreign', 'unique', 'check', 'constraint', 'serial',
  'bigserial', 'add', 'column', 'rename', 'owner', 'grant', 'revoke', 'if', 'transaction', 'isolation',
  'level', 'read', 'write', 'committed', 'serializable', 'repeatable', 'work', 'escape', 'similar',
  'collate', 'at', 'zone', 'local', 'cube', 'rollup', 'grouping', 'sets', 'of', 'with', 'without',
  'recursive', 'materialized', 'into', 'returning', 'merge', 'matched', 'listen', 'notify', 'unlisten',
  'execute', 'prepare', 'deallocate', 'discard', 'explain', 'analyze', 'verbose', 'union', 'except',
  'intersect', 'window', 'group', 'order', 'for', 'update', 'delete', 'insert', 'table', 'values',
];

/** Longest word in the table: anything longer is not looked up. */
let maxLength = 0;
const SIZE = 1024;
const MASK = SIZE - 1;
/** Interned lower-case spelling per slot ('' = empty slot). */
const TEXT: string[] = new Array<string>(SIZE).fill('');
const FLAGS = new Int32Array(SIZE);
/** Room per slot in CHARS (longer words are not added). */
const SLOT_CHARS = 32;
/**
 * Per slot, the word's length (0 = empty slot) and its characters `| 0x20`: among the characters of
 * an unquoted ASCII word (letters, digits, `_`, `$`), `| 0x20` folds only upper case to lower, so a
 * word's code units compare with one OR each.
 */
const LENGTHS = new Uint8Array(SIZE);
const CHARS = new Uint8Array(SIZE * SLOT_CHARS);
/** The same words by spelling: for non-ASCII words, which `toLowerCase` may turn into ASCII (`K` U+212A → `k`). */
const BY_TEXT = new Map<string, number>();

function hashLower(text: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h ^ (h >>> 10)) & MASK;
}

function add(words: Iterable<string>, flags: number): void {
  for (const word of words) {
    let slot = hashLower(word, 0, word.length);
    while (TEXT[slot] !== '' && TEXT[slot] !== word) slot = (slot + 1) & MASK;
    if (word.length > SLOT_CHARS) throw new Error(`keyword too long: ${word}`);
    TEXT[slot] = word;
    LENGTHS[slot] = word.length;
    for (let i = 0; i < word.length; i++) CHARS[slot * SLOT_CHARS + i] = word.charCodeAt(i) | 0x20;
    FLAGS[slot] |= flags;
    BY_TEXT.set(word, FLAGS[slot]);
    if (word.length > maxLength) maxLength = word.length;
  }
}
let built = false;
/**
 * Fills the table on first use, not at module load: these loops run a few thousand times, enough
 * for V8 to optimise `hashLower` with TurboFan while `--require @org/trace-register` loads — about
 * 3.5 MiB of compiler memory in the startup peak RSS of every process, whether or not it ever runs
 * a SQL query (measured with --trace-opt / --no-opt). Built lazily, that cost lands with the first
 * statement, where the normalizer's own code gets optimised anyway.
 */
function buildTable(): void {
  built = true;
  add(DML_OPERATIONS, KW_DML_OP);
  add(NOT_AN_OPERATION_AFTER, KW_NOT_OP_AFTER);
  add(TARGET_INTRODUCERS, KW_INTRODUCER);
  add(TARGET_NOISE, KW_NOISE);
  add(FROM_LIST_END, KW_FROM_END);
  add(SIGN_CONTEXT_WORDS, KW_SIGN_CONTEXT);
  for (const set of [DML_STARTS, DDL_VERBS, NAMED_UTILITIES, DDL_MODIFIERS, DDL_OBJECTS]) add(set, 0);
  add(COMMON_WORDS, 0);
  add(['true', 'false', 'null'], KW_CONSTANT);
  add(['savepoint'], KW_SAVEPOINT);
  add(['as'], KW_AS);
  add(['values'], KW_VALUES);
  add(TYPED_LITERAL_WORDS, KW_TYPED_LITERAL);
  // Last, and not KW_KNOWN by themselves: words in no list above (`both`, `variadic` …) stay unknown to the summary.
  for (let i = 0; i < SIZE; i++) if (TEXT[i] !== '') FLAGS[i] |= KW_KNOWN;
  add(RESERVED_WORDS, KW_RESERVED);
  // Word sets above may share words: BY_TEXT must hold the final flags.
  for (let i = 0; i < SIZE; i++) if (TEXT[i] !== '') BY_TEXT.set(TEXT[i], FLAGS[i]);
}

/** Result of `recognizeNonAsciiWord` (module state rather than an object per word). */
export const word = {
  /** The lower-cased word. */
  lower: '',
  /** KW_* flags (0 for words not in the table). */
  flags: 0,
};

/** Build the table now (see `buildTable`): the recognizers below assume it, to stay small enough for V8 to inline. */
export function prepareKeywords(): void {
  if (!built) buildTable();
}

/**
 * Find the ASCII word `units[start, end)` (code units, see SqlLexer), whose lower-cased hash the
 * lexer computed while scanning it, without slicing it: its slot (its spelling is
 * `KEYWORD_TEXT[slot]`, its flags `KEYWORD_FLAGS[slot]`), or -1 for a word not in the table. A slot
 * rather than filled-in state: fewer stores, and less bytecode for V8 to inline into the
 * normalizer's token loop, whose inlining budget it counts in bytecode.
 */
export function findAsciiWord(units: Uint16Array, start: number, end: number, hash: number): number {
  const len = end - start;
  if (len > maxLength) return -1;
  let slot = (hash ^ (hash >>> 10)) & MASK;
  for (;;) {
    const length = LENGTHS[slot];
    if (length === 0) return -1;
    if (length === len && sameFolded(units, start, len, slot * SLOT_CHARS)) return slot;
    slot = (slot + 1) & MASK;
  }
}

/** Interned lower-case spelling of the word in each slot (see `findAsciiWord`). */
export const KEYWORD_TEXT: readonly string[] = TEXT;
/** KW_* flags of the word in each slot (see `findAsciiWord`). */
export const KEYWORD_FLAGS: Int32Array = FLAGS;

/** Recognise a word holding a non-ASCII character: sliced and lower-cased (`toLowerCase` may turn it into a keyword). */
export function recognizeNonAsciiWord(text: string, start: number, end: number): void {
  const lower = text.slice(start, end).toLowerCase();
  word.lower = lower;
  word.flags = BY_TEXT.get(lower) ?? 0;
}

/**
 * Is the name `units[start, end)`, lower-case ASCII letters, digits and `_`, a reserved word
 * (KW_RESERVED)? `hash` is its hash as the lexer computes a word's (`h = h * 31 + c`, 32-bit), which
 * the lexer makes while scanning a quoted name (SqlLexer.nameHash): hashing and comparing it again
 * through `charCodeAt` cost ~7 ns per quoted name, and ORMs quote every name. Like `findAsciiWord`,
 * it assumes the table was built (`prepareKeywords`).
 */
export function isReservedName(units: Uint16Array, start: number, end: number, hash: number): boolean {
  const len = end - start;
  if (len > maxLength) return false;
  let slot = (hash ^ (hash >>> 10)) & MASK;
  for (;;) {
    const length = LENGTHS[slot];
    if (length === 0) return false;
    // `| 0x20` maps none of these characters onto another one (see CHARS): the comparison is exact.
    if (length === len && sameFolded(units, start, len, slot * SLOT_CHARS)) return (FLAGS[slot] & KW_RESERVED) !== 0;
    slot = (slot + 1) & MASK;
  }
}

/** The word `units[start, start + len)` is the table's word at `CHARS[at]` (see CHARS). */
function sameFolded(units: Uint16Array, start: number, len: number, at: number): boolean {
  for (let i = 0; i < len; i++) if ((units[start + i] | 0x20) !== CHARS[at + i]) return false;
  return true;
}
