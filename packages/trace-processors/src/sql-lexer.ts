/**
 * A PostgreSQL lexer, written after the rules of the server's own scanner (scan.l), reduced to what
 * a normalizer needs: where each token starts and ends and what kind of thing it is.
 *
 * Why a hand-written scanner instead of regular expressions: every construct that can hide a literal
 * (nested block comments, dollar quotes with tags, E'' backslash escapes, doubled quotes) needs state,
 * and a regex that tries to express that state is either wrong or backtracks catastrophically on
 * hostile input. This scanner looks at every character a bounded number of times (the only searches,
 * for a closing dollar tag or the end of a line comment, move strictly forward), so its cost is linear
 * in the input on any input, and it never throws.
 *
 * It allocates nothing per token: `next()` returns the kind and leaves the bounds in `start`/`end`.
 *
 * It reads the text's UTF-16 code units from a typed array filled once per text (natively, by
 * `Buffer#write`), not through `charCodeAt`: every `charCodeAt` in optimised code dispatches on the
 * string's representation, which cost about a third of the lexer's time (and the normalizer reads
 * the same units again through `units`).
 */

export const enum TokenKind {
  /** End of input. */
  End = 0,
  /** Unquoted identifier or keyword (`select`, `users`, `a$b`). */
  Word,
  /** Quoted identifier (`"Users"`, `U&"d\0061t"`). Kept verbatim: quoting makes it case-sensitive. */
  QuotedIdent,
  /** Any string literal: `'…'`, `E'…'`, `N'…'`, `B'…'`, `X'…'`, `U&'…'`, `$$…$$`, `$tag$…$tag$`. */
  String,
  /** Numeric literal: `42`, `4.2`, `.5`, `1e5`, `0x1F`, `0o17`, `0b101`, `1_000`. */
  Number,
  /** Positional parameter `$1`. */
  Param,
  /** Operator (`=`, `<>`, `||`, `->>`, `@>`, `?|` …). */
  Operator,
  /** `(` */
  OpenParen,
  /** `)` */
  CloseParen,
  /** `[` */
  OpenBracket,
  /** `]` */
  CloseBracket,
  /** `,` */
  Comma,
  /** `;` */
  Semicolon,
  /** `.` (qualified names) */
  Dot,
  /** `::` (type cast) */
  Cast,
  /** `:` or `:=` (array slices, named arguments) */
  Colon,
  /** Any other single character (`\`, `{`, a stray control character …). */
  Other,
  /**
   * An unterminated string, quoted identifier, dollar quote or block comment. The lexer stops here:
   * everything from `start` to the end of the input is the unterminated construct.
   */
  Unterminated,
}

const CH_TAB = 9;
const CH_LF = 10;
const CH_VT = 11;
const CH_FF = 12;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_DQUOTE = 34;
const CH_DOLLAR = 36;
const CH_AMP = 38;
const CH_SQUOTE = 39;
const CH_LPAREN = 40;
const CH_RPAREN = 41;
const CH_STAR = 42;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_SLASH = 47;
const CH_0 = 48;
const CH_9 = 57;
const CH_COLON = 58;
const CH_SEMI = 59;
const CH_EQUALS = 61;
const CH_LBRACKET = 91;
const CH_BACKSLASH = 92;
const CH_RBRACKET = 93;
const CH_UNDERSCORE = 95;

/** Character classes, indexed by code unit for ASCII. Bit flags. */
const IDENT_START = 1;
const IDENT_CONT = 2;
const DIGIT = 4;
const OP_CHAR = 8;
const SPACE = 16;
const HEX = 32;

const CLASS = new Uint8Array(128);
(() => {
  for (let c = 65; c <= 90; c++) CLASS[c] |= IDENT_START | IDENT_CONT;
  for (let c = 97; c <= 122; c++) CLASS[c] |= IDENT_START | IDENT_CONT;
  CLASS[CH_UNDERSCORE] |= IDENT_START | IDENT_CONT;
  CLASS[CH_DOLLAR] |= IDENT_CONT;
  for (let c = CH_0; c <= CH_9; c++) CLASS[c] |= IDENT_CONT | DIGIT | HEX;
  for (const ch of 'abcdefABCDEF') CLASS[ch.charCodeAt(0)] |= HEX;
  // PostgreSQL's operator characters (scan.l `op_chars`).
  for (const ch of '~!@#^&|`?+-*/%<>=') CLASS[ch.charCodeAt(0)] |= OP_CHAR;
  for (const c of [CH_SPACE, CH_TAB, CH_LF, CH_VT, CH_FF, CH_CR]) CLASS[c] |= SPACE;
})();

/** For ASCII identifier characters after the first: the character lower-cased; 0 for any other character. */
const IDENT_LOWER = new Uint8Array(128);
(() => {
  for (let c = 0; c < 128; c++) if ((CLASS[c] & IDENT_CONT) !== 0) IDENT_LOWER[c] = c >= 65 && c <= 90 ? c | 0x20 : c;
})();

/**
 * `IDENT_LOWER` without `$`, for `next`'s word scan: a `$` ends it there (the full scan then looks
 * for a dollar quote).
 */
const WORD_LOWER = new Uint8Array(128);
(() => {
  for (let c = 0; c < 128; c++) WORD_LOWER[c] = c === CH_DOLLAR ? 0 : IDENT_LOWER[c];
})();

/** Token kinds of the one-character punctuation tokens, by code unit (0: not one). */
const PUNCTUATION = new Uint8Array(128);
(() => {
  PUNCTUATION[CH_LPAREN] = TokenKind.OpenParen;
  PUNCTUATION[CH_RPAREN] = TokenKind.CloseParen;
  PUNCTUATION[CH_LBRACKET] = TokenKind.OpenBracket;
  PUNCTUATION[CH_RBRACKET] = TokenKind.CloseBracket;
  PUNCTUATION[CH_COMMA] = TokenKind.Comma;
  PUNCTUATION[CH_SEMI] = TokenKind.Semicolon;
  PUNCTUATION[CH_DOT] = TokenKind.Dot;
})();

/** Non-ASCII code units count as identifier characters, as in PostgreSQL (`ident_start` includes \200-\377). */
function isIdentStart(c: number): boolean {
  return c >= 128 ? true : (CLASS[c] & IDENT_START) !== 0;
}
function isIdentCont(c: number): boolean {
  return c >= 128 ? true : (CLASS[c] & IDENT_CONT) !== 0;
}
function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}
/** Dollar-quote tags may not contain `$` (unlike identifiers). */
function isTagCont(c: number): boolean {
  return c >= 128 ? true : (CLASS[c] & IDENT_CONT) !== 0 && c !== CH_DOLLAR;
}

/** `SqlLexer.nameBits`: the quoted name holds `'`, `$`, `=` or a line break (suspicious, see the normalizer). */
export const NAME_SUSPICIOUS = 1;
/** … a doubled `""`. */
export const NAME_DOUBLED = 2;
/** … something besides `a`–`z`, `_` and (not first) digits, or nothing: not what an unquoted name folds to. */
export const NAME_NOT_CANONICAL = 4;
/** … a space or a non-ASCII unit (its UTF-8 is not its code units; a space may sit inside a key token). */
export const NAME_NOT_PLAIN = 8;
/** NAME_* flags of an ASCII code unit inside a quoted name. */
const NAME_CLASS = new Uint8Array(128);
(() => {
  for (let c = 0; c < 128; c++) {
    const canonical = (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57);
    NAME_CLASS[c] = canonical ? 0 : NAME_NOT_CANONICAL;
  }
  for (const c of [39, 36, 61, 10, 13]) NAME_CLASS[c] |= NAME_SUSPICIOUS;
  NAME_CLASS[32] |= NAME_NOT_PLAIN;
})();

/** `SqlLexer.wordBits`: the word has an ASCII upper-case letter. */
export const WORD_UPPER = 1;
/** … a non-ASCII character. */
export const WORD_NON_ASCII = 2;
/** … `$$` after its first character (`E$$x$$` is a name for PostgreSQL, a broken dollar quote for us). */
export const WORD_DOLLAR_QUOTE = 4;

/** Reads up to two units past the end of the text see zeros (the lookahead `charCodeAt` answered with NaN: both match no class). */
const PAD = 3;
/** A reused lexer keeps its buffer between texts up to this many units; a longer text's buffer is dropped by `release`. */
const KEPT_UNITS = 32 * 1024;
/** `Buffer#write(…, 'utf16le')` copies code units in our typed array's order only on little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const NO_UNITS = new Uint16Array(PAD);
/** Texts up to this long are copied by a loop rather than by `Buffer#write`. */
const COPIED_UNITS = 24;

export class SqlLexer {
  /** Start offset (inclusive) of the token last returned by `next()`. */
  start = 0;
  /** End offset (exclusive) of the token last returned by `next()`. */
  end = 0;
  /** True when whitespace or a comment separated the token last returned from the previous one. */
  spaceBefore = false;
  /** Number of comments skipped so far (useful to callers that report what was stripped). */
  commentCount = 0;
  /** For a Word: hash of its lower-cased characters (`h = h * 31 + c`, 32-bit), and WORD_* flags. */
  wordHash = 0;
  wordBits = 0;
  /**
   * For a plain quoted identifier (`"…"`, not `U&"…"`): NAME_* flags of what it holds, and the hash
   * of its inner code units as `wordHash` is made (a doubled quote counts as two `"`), gathered while
   * scanning it so that the normalizer need not read it again.
   */
  nameBits = 0;
  nameHash = 0;
  /** The text's code units, then PAD zeros; valid until the next `init`. */
  units: Uint16Array = NO_UNITS;
  /** Byte view of `units` for `Buffer#write`. */
  private unitBytes: Buffer | null = null;
  /** Int32 view of `units` (`releaseHashing`); null with `unitBytes`. */
  private unitWords: Int32Array | null = null;

  private pos = 0;
  private len = 0;
  private text = '';
  /**
   * Operator characters before this offset are known to lex one at a time (the tail of a run of
   * `+`/`-` cut off by the trailing-sign rule). Without this memo, `+-+-+-…` would rescan the rest
   * of the run for every character: quadratic.
   */
  private opSingleUntil = 0;

  constructor(text: string) {
    this.init(text);
  }

  /** Start over on another text (lets a caller reuse one lexer instead of allocating one per statement). */
  init(text: string): void {
    this.loadUnits(text);
    this.restart(text);
  }

  /** Start over on the text `source` holds, sharing its code units (valid while `source` keeps that text). */
  share(source: SqlLexer): void {
    this.units = source.units;
    this.unitBytes = null;
    this.unitWords = null;
    this.restart(source.text);
  }

  /**
   * Drop the text, and a buffer grown for a long one (`init` makes a new one when needed). A kept
   * buffer is zeroed first: the statement's literals must not outlive it in memory we hold on to.
   */
  release(): void {
    if (this.unitBytes !== null) this.units.fill(0, 0, this.len);
    this.dropText();
  }

  /**
   * `release`, returning a hash of the text's code units (QueryHasher's cache admission): computed
   * while zeroing them, which `release` does anyway. Hashing the string on its own (FNV-1a through
   * `charCodeAt`) cost ~0.3 µs at 183 characters; this reads two units per step through `unitWords`.
   * Not the same numbers as a hash of the string: only equal texts must hash alike.
   */
  releaseHashing(): number {
    let h = 0x811c9dc5 | 0;
    const words = this.unitWords;
    if (words !== null) {
      // The PAD zeros after the text fill the last word of an odd length.
      const count = (this.len + 1) >> 1;
      for (let i = 0; i < count; i++) {
        h = Math.imul(h ^ words[i], 16777619);
        words[i] = 0;
      }
    }
    h = Math.imul(h ^ this.len, 16777619);
    this.dropText();
    // A multiplication carries bits only upward: without this final mix (MurmurHash3's), the upper
    // unit of every word would never reach the low bits that pick a doorkeeper slot.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  /** The rest of `release`: a buffer grown for a long text is dropped, and the text. */
  private dropText(): void {
    if (this.units.length > KEPT_UNITS + PAD) {
      this.units = NO_UNITS;
      this.unitBytes = null;
      this.unitWords = null;
    }
    this.restart('');
  }

  private loadUnits(text: string): void {
    const n = text.length;
    let units = this.units;
    if (units.length < n + PAD || this.unitBytes === null) {
      // Room to spare: a reused lexer sees statements of many lengths.
      units = this.units = new Uint16Array(Math.max(n + PAD, Math.min(2 * n, KEPT_UNITS) + PAD, 256));
      this.unitBytes = Buffer.from(units.buffer, units.byteOffset, units.byteLength);
      this.unitWords = new Int32Array(units.buffer, units.byteOffset, units.byteLength >> 2);
    }
    // `write` costs a call into C++ (~60 ns), more than a loop over a couple of dozen characters.
    if (LITTLE_ENDIAN && n > COPIED_UNITS) this.unitBytes!.write(text, 0, 'utf16le');
    else for (let i = 0; i < n; i++) units[i] = text.charCodeAt(i);
    units[n] = 0;
    units[n + 1] = 0;
    units[n + 2] = 0;
  }

  private restart(text: string): void {
    this.text = text;
    this.len = text.length;
    this.pos = 0;
    this.start = 0;
    this.end = 0;
    this.spaceBefore = false;
    this.commentCount = 0;
    this.opSingleUntil = 0;
  }

  /** Current read position; `reset(mark)` returns to it (one token of lookahead for callers). */
  mark(): number {
    return this.pos;
  }

  reset(mark: number): void {
    this.pos = mark;
  }

  next(): TokenKind {
    // The common tokens — plain ASCII words, single-character operators, punctuation, numbers,
    // quoted literals and names, `$` parameters, after plain whitespace — first, in as few steps as
    // possible; anything else (comments, prefixed literals, `$` or non-ASCII in a word, operator
    // runs, `::`) takes the full scan in `nextFrom`, which gives the same answer for these too. Split
    // this way, a typical token costs ~8 instead of ~12 ns.
    const units = this.units;
    const len = this.len;
    let pos = this.pos;
    let space = false;
    while (pos < len) {
      const c = units[pos];
      if (c < 128 && (CLASS[c] & SPACE) !== 0) {
        pos++;
        space = true;
      } else {
        break;
      }
    }
    const c = units[pos];
    if (pos < len && c < 128) {
      const cls = CLASS[c];
      if ((cls & IDENT_START) !== 0) {
        const n = units[pos + 1];
        // Not a prefixed literal (`E'…'`, `U&"…"` …).
        if (n !== CH_SQUOTE && n !== CH_AMP) {
          // The text is followed by zeros (PAD), which end the word: no bounds check in the loop.
          let h = WORD_LOWER[c];
          let upper = h ^ c;
          let p = pos + 1;
          for (;;) {
            const d = units[p];
            if (d >= 128) break;
            const l = WORD_LOWER[d];
            if (l === 0) break;
            upper |= l ^ d;
            h = (Math.imul(h, 31) + l) | 0;
            p++;
          }
          const d = units[p];
          // A `$` (dollar quotes) or a non-ASCII character continuing the word: the full scan.
          if (d < 128 && d !== CH_DOLLAR) {
            this.spaceBefore = space;
            this.start = pos;
            this.wordHash = h;
            this.wordBits = upper !== 0 ? WORD_UPPER : 0;
            return this.token(p, TokenKind.Word);
          }
        }
      } else if ((cls & OP_CHAR) !== 0) {
        // One operator character followed by none: a one-character operator (`--`, `/*` are two).
        const n = units[pos + 1];
        if (n >= 128 || (CLASS[n] & OP_CHAR) === 0) {
          this.spaceBefore = space;
          this.start = pos;
          return this.token(pos + 1, TokenKind.Operator);
        }
      } else if ((cls & DIGIT) !== 0) {
        this.spaceBefore = space;
        this.start = pos;
        return this.number(pos);
      } else {
        const kind = PUNCTUATION[c];
        // `.5` is a number.
        if (kind !== 0 && !(c === CH_DOT && isDigit(units[pos + 1]))) {
          this.spaceBefore = space;
          this.start = pos;
          return this.token(pos + 1, kind);
        }
        if (c === CH_SQUOTE || c === CH_DQUOTE || c === CH_DOLLAR) {
          this.spaceBefore = space;
          this.start = pos;
          if (c === CH_SQUOTE) return this.quoted(pos, CH_SQUOTE, false, TokenKind.String);
          if (c === CH_DQUOTE) return this.quotedName(pos);
          return this.dollar(pos);
        }
      }
    }
    return this.nextFrom(pos, space);
  }

  /** `next` from `pos`, after whitespace when `space`: the full scan. */
  private nextFrom(pos: number, space: boolean): TokenKind {
    const units = this.units;
    const len = this.len;

    // Skip whitespace and comments; both separate tokens the same way.
    for (;;) {
      if (pos >= len) {
        this.start = this.end = this.pos = len;
        this.spaceBefore = space;
        return TokenKind.End;
      }
      const c = units[pos];
      if (c < 128 && (CLASS[c] & SPACE) !== 0) {
        pos++;
        space = true;
        continue;
      }
      if (c === CH_MINUS && units[pos + 1] === CH_MINUS) {
        // Line comment: to the end of the line (PostgreSQL ends it at \n or \r).
        let p = pos + 2;
        while (p < len) {
          const d = units[p];
          if (d === CH_LF || d === CH_CR) break;
          p++;
        }
        pos = p;
        space = true;
        this.commentCount++;
        continue;
      }
      if (c === CH_SLASH && units[pos + 1] === CH_STAR) {
        // Block comments nest in PostgreSQL (unlike the SQL standard's reading in other engines).
        let depth = 1;
        let p = pos + 2;
        while (p < len && depth > 0) {
          const d = units[p];
          if (d === CH_STAR && units[p + 1] === CH_SLASH) {
            depth--;
            p += 2;
          } else if (d === CH_SLASH && units[p + 1] === CH_STAR) {
            depth++;
            p += 2;
          } else {
            p++;
          }
        }
        if (depth > 0) return this.unterminated(pos, space);
        pos = p;
        space = true;
        this.commentCount++;
        continue;
      }
      break;
    }

    this.spaceBefore = space;
    this.start = pos;
    const c = units[pos];

    // Identifiers, keywords, and the prefixed literals that start like identifiers.
    if (isIdentStart(c)) {
      const n = units[pos + 1];
      if (n === CH_SQUOTE) {
        // E'…' (backslash escapes), B'…', X'…', N'…': a prefix letter glued to a quote.
        const lower = c | 0x20;
        if (lower === 101 /* e */) return this.quoted(pos + 1, CH_SQUOTE, true, TokenKind.String);
        if (lower === 98 /* b */ || lower === 120 /* x */ || lower === 110 /* n */) {
          return this.quoted(pos + 1, CH_SQUOTE, false, TokenKind.String);
        }
      } else if (n === CH_AMP && (c | 0x20) === 117 /* u */) {
        const q = units[pos + 2];
        if (q === CH_SQUOTE) return this.quoted(pos + 2, CH_SQUOTE, false, TokenKind.String);
        if (q === CH_DQUOTE) return this.quoted(pos + 2, CH_DQUOTE, false, TokenKind.QuotedIdent);
      }
      // While scanning the word, also compute what the normalizer needs to recognise it without a
      // second pass (see sql-keywords.ts): a hash of its lower-cased characters and a few flags.
      let bits = 0;
      let h = c;
      if (c >= 65 && c <= 90) {
        h = c | 0x20;
        bits = WORD_UPPER;
      } else if (c >= 128) {
        bits = WORD_NON_ASCII;
      }
      let dollar = false;
      let p = pos + 1;
      while (p < len) {
        const d = units[p];
        let l = d;
        if (d < 128) {
          l = IDENT_LOWER[d];
          if (l === 0) break;
          if (l !== d) bits |= WORD_UPPER;
          else if (d === CH_DOLLAR) dollar = true;
        } else {
          bits |= WORD_NON_ASCII;
        }
        h = (Math.imul(h, 31) + l) | 0;
        p++;
      }
      // `$$` after the first character (rare: looked for only in words holding a `$`).
      if (dollar) {
        for (let q = pos + 2; q < p; q++) {
          if (units[q] === CH_DOLLAR && units[q - 1] === CH_DOLLAR) {
            bits |= WORD_DOLLAR_QUOTE;
            break;
          }
        }
      }
      this.wordHash = h;
      this.wordBits = bits;
      return this.token(p, TokenKind.Word);
    }

    if (isDigit(c) || (c === CH_DOT && isDigit(units[pos + 1]))) return this.number(pos);

    switch (c) {
      case CH_SQUOTE:
        return this.quoted(pos, CH_SQUOTE, false, TokenKind.String);
      case CH_DQUOTE:
        return this.quotedName(pos);
      case CH_DOLLAR:
        return this.dollar(pos);
      case CH_LPAREN:
        return this.token(pos + 1, TokenKind.OpenParen);
      case CH_RPAREN:
        return this.token(pos + 1, TokenKind.CloseParen);
      case CH_LBRACKET:
        return this.token(pos + 1, TokenKind.OpenBracket);
      case CH_RBRACKET:
        return this.token(pos + 1, TokenKind.CloseBracket);
      case CH_COMMA:
        return this.token(pos + 1, TokenKind.Comma);
      case CH_SEMI:
        return this.token(pos + 1, TokenKind.Semicolon);
      case CH_DOT:
        return this.token(pos + 1, TokenKind.Dot);
      case CH_COLON: {
        const n = units[pos + 1];
        if (n === CH_COLON) return this.token(pos + 2, TokenKind.Cast);
        if (n === CH_EQUALS) return this.token(pos + 2, TokenKind.Colon);
        return this.token(pos + 1, TokenKind.Colon);
      }
    }

    if (c < 128 && (CLASS[c] & OP_CHAR) !== 0) return this.operator(pos);

    // Anything else is one character on its own; a surrogate pair stays whole.
    const wide = c >= 0xd800 && c <= 0xdbff && pos + 1 < len ? 2 : 1;
    return this.token(pos + wide, TokenKind.Other);
  }

  private token(end: number, kind: TokenKind): TokenKind {
    this.end = this.pos = end;
    return kind;
  }

  private unterminated(start: number, space: boolean): TokenKind {
    this.spaceBefore = space;
    this.start = start;
    this.end = this.pos = this.len;
    return TokenKind.Unterminated;
  }

  /**
   * A literal or identifier delimited by `quote` at `open` (the token itself may start earlier, at a
   * prefix). A doubled quote is an escaped quote. With `backslash`, `\` escapes the next character
   * (E'' strings). PostgreSQL also glues `'a'` + newline + `'b'` into one literal; the normalizer
   * merges adjacent literals, which has the same effect on the output.
   */
  private quoted(open: number, quote: number, backslash: boolean, kind: TokenKind): TokenKind {
    const units = this.units;
    const len = this.len;
    let p = open + 1;
    while (p < len) {
      const d = units[p];
      if (d === quote) {
        if (units[p + 1] === quote) {
          p += 2;
          continue;
        }
        return this.token(p + 1, kind);
      }
      p += backslash && d === CH_BACKSLASH ? 2 : 1;
    }
    return this.unterminated(this.start, this.spaceBefore);
  }

  /** A plain quoted identifier `"…"` at `pos` (`""` inside is a quote); fills `nameBits` and `nameHash`. */
  private quotedName(pos: number): TokenKind {
    const units = this.units;
    const len = this.len;
    let p = pos + 1;
    let h = 0;
    let bits = 0;
    for (;;) {
      if (p >= len) return this.unterminated(this.start, this.spaceBefore);
      const d = units[p];
      if (d === CH_DQUOTE) {
        if (units[p + 1] !== CH_DQUOTE) break;
        bits |= NAME_DOUBLED | NAME_NOT_CANONICAL;
        h = (Math.imul((Math.imul(h, 31) + CH_DQUOTE) | 0, 31) + CH_DQUOTE) | 0;
        p += 2;
        continue;
      }
      bits |= d < 128 ? NAME_CLASS[d] : NAME_NOT_CANONICAL | NAME_NOT_PLAIN;
      h = (Math.imul(h, 31) + d) | 0;
      p++;
    }
    // Empty, or a digit first: not a name PostgreSQL would fold (see NAME_NOT_CANONICAL).
    if (p === pos + 1 || isDigit(units[pos + 1])) bits |= NAME_NOT_CANONICAL;
    this.nameBits = bits;
    this.nameHash = h;
    return this.token(p + 1, TokenKind.QuotedIdent);
  }

  /** `$1` parameter, `$$…$$` or `$tag$…$tag$` dollar quote, or a lone `$` (an error in PostgreSQL). */
  private dollar(pos: number): TokenKind {
    const text = this.text;
    const units = this.units;
    const len = this.len;
    const n = units[pos + 1];
    if (isDigit(n)) {
      let p = pos + 2;
      while (p < len && isDigit(units[p])) p++;
      return this.token(p, TokenKind.Param);
    }
    let p = pos + 1;
    if (n !== CH_DOLLAR) {
      if (!isIdentStart(n)) return this.token(pos + 1, TokenKind.Other);
      p++;
      while (p < len && isTagCont(units[p])) p++;
      if (units[p] !== CH_DOLLAR) {
        // `$abc` without a closing `$` is not a dollar quote; leave `$` alone, `abc` is lexed next.
        return this.token(pos + 1, TokenKind.Other);
      }
    }
    const tag = text.slice(pos, p + 1);
    const close = text.indexOf(tag, p + 1);
    if (close < 0) return this.unterminated(pos, this.spaceBefore);
    return this.token(close + tag.length, TokenKind.String);
  }

  private number(pos: number): TokenKind {
    const units = this.units;
    const len = this.len;
    let p = pos;
    const c = units[p];
    const n = units[p + 1] | 0x20;
    if (c === CH_0 && (n === 120 /* x */ || n === 111 /* o */ || n === 98 /* b */)) {
      // 0x1F, 0o17, 0b101 (PostgreSQL 16+). Hex digits include letters, so scan the widest class.
      p += 2;
      while (p < len) {
        const d = units[p];
        if (d < 128 && ((CLASS[d] & HEX) !== 0 || d === CH_UNDERSCORE)) p++;
        else break;
      }
      return this.token(p, TokenKind.Number);
    }
    p = this.digits(p);
    if (units[p] === CH_DOT && units[p + 1] !== CH_DOT) {
      // `1.5`, `1.`, `.5` — but `1..5` is not a decimal (slice bounds in some dialects).
      p = this.digits(p + 1);
    }
    const e = units[p] | 0x20;
    if (e === 101 /* e */) {
      let q = p + 1;
      const sign = units[q];
      if (sign === 43 /* + */ || sign === CH_MINUS) q++;
      if (isDigit(units[q])) p = this.digits(q);
    }
    // PostgreSQL rejects `123abc` ("trailing junk"); we take the junk into the number so that no part
    // of a malformed literal survives as an identifier.
    while (p < len && isIdentCont(units[p])) p++;
    return this.token(p, TokenKind.Number);
  }

  private digits(p: number): number {
    const units = this.units;
    const len = this.len;
    while (p < len) {
      const d = units[p];
      if (isDigit(d) || (d === CH_UNDERSCORE && isDigit(units[p + 1]))) p++;
      else break;
    }
    return p;
  }

  /**
   * Operators follow scan.l: the longest run of operator characters, cut before an embedded comment
   * start, and a multi-character operator may not end in `+` or `-` unless it contains one of
   * `~!@#%^&|\`?` — which is why `a=-1` lexes as `=` then `-1`.
   */
  private operator(pos: number): TokenKind {
    if (pos < this.opSingleUntil) return this.token(pos + 1, TokenKind.Operator);
    const units = this.units;
    const len = this.len;
    let p = pos;
    let special = false;
    while (p < len) {
      const d = units[p];
      if (d >= 128 || (CLASS[d] & OP_CHAR) === 0) break;
      if (p > pos) {
        const prev = units[p - 1];
        if ((prev === CH_MINUS && d === CH_MINUS) || (prev === CH_SLASH && d === CH_STAR)) {
          p--;
          break;
        }
      }
      if (d !== 43 && d !== CH_MINUS && d !== CH_STAR && d !== CH_SLASH && d !== 60 && d !== 62 && d !== CH_EQUALS) {
        special = true;
      }
      p++;
    }
    if (p - pos > 1 && !special) {
      // What the rule cuts off is made of `+`/`-` only, and the run holds no special character:
      // every operator starting in the cut-off part is a single character.
      this.opSingleUntil = p;
      while (p - pos > 1) {
        const last = units[p - 1];
        if (last === 43 || last === CH_MINUS) p--;
        else break;
      }
    }
    if (p === pos) p = pos + 1; // `--`/`/*` at pos is handled as a comment before we get here
    return this.token(p, TokenKind.Operator);
  }
}
