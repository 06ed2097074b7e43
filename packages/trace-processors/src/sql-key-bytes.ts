/**
 * The canonical key as the normalizer builds it: its tokens written straight into a reused byte
 * buffer as UTF-8, separated by single spaces, with the start of every token remembered so that the
 * normalizer can look back at, compare and drop whole tokens (a collapsed list, a repeated VALUES
 * row, a trailing `;`).
 *
 * Why bytes and not an array of token strings: the fingerprint hashes the key's UTF-8 bytes, and
 * most tokens are keywords or pieces of punctuation that need no string of their own. Pushing ~50
 * strings per statement into an array and encoding them afterwards cost more than the hash itself.
 *
 * A lone surrogate (invalid UTF-16) is written as its generalized 3-byte form (WTF-8) so that the
 * buffer keeps telling tokens apart exactly as their strings did; such a key is hashed through its
 * string, for which Node writes U+FFFD — what the fingerprint has always hashed for it.
 */

/** Room for the keys of all but huge statements; a bigger one is allocated for a single statement only. */
const STANDARD_BYTES = 64 * 1024;
const STANDARD_TOKENS = 16 * 1024;
/** Keys up to this many bytes are hashed through a view kept per length (see `hashInput`). */
const VIEWED_BYTES = 512;

export class KeyBytes {
  bytes = new Uint8Array(STANDARD_BYTES);
  /** Views of the first n bytes of the standard buffer, by n, made on first use. */
  private readonly views: (Uint8Array | undefined)[] = [];
  private readonly standard = this.bytes;
  /** The standard buffer as 32-bit words (see `hashWords`). */
  private readonly standardWords = new Int32Array(this.standard.buffer);
  /** Bytes written. */
  length = 0;
  /** Tokens written; token `i` starts at `starts[i]` and ends one byte before the next one's start. */
  count = 0;
  starts = new Int32Array(STANDARD_TOKENS);
  /** Some byte is not ASCII (the string is then decoded as UTF-8 rather than Latin-1). */
  nonAscii = false;
  /** Some code unit was a lone surrogate (see the file comment). */
  loneSurrogate = false;
  /**
   * Some token holds a space (a quoted name): only then can equal bytes be different tokens, so only
   * then does `rangesEqual` compare token boundaries.
   */
  spaceInToken = false;

  /**
   * Ready for the key of a statement of `sourceLength` code units. Room for the whole key is made
   * here, once, so that writing a token checks no bounds: `open` stays small enough for V8 to inline
   * it (with the writers that call it) into the normalizer's token loop, whose inlining budget is
   * counted in bytecode (raising that budget by half made a short statement ~3 % faster). A token of
   * n code units writes at most 3n bytes (UTF-8) plus its separating space, and what the normalizer
   * writes in place of tokens (`?`, `( ? )`, `=`, `<>`) never outgrows what it replaces: 4 bytes and
   * one token start per code unit are always enough. Statements up to 16 K units fit the standard
   * buffers.
   */
  reset(sourceLength: number): void {
    const bytes = 4 * sourceLength + 16;
    if (bytes > this.bytes.length) this.bytes = new Uint8Array(bytes);
    if (sourceLength + 16 > this.starts.length) this.starts = new Int32Array(sourceLength + 16);
    this.length = 0;
    this.count = 0;
    this.nonAscii = false;
    this.loneSurrogate = false;
    this.spaceInToken = false;
  }

  /** Back to the standard buffers after a statement that needed bigger ones. */
  release(): void {
    if (this.bytes !== this.standard) this.bytes = this.standard;
    if (this.starts.length > STANDARD_TOKENS) this.starts = new Int32Array(STANDARD_TOKENS);
  }

  /** Start a token: writes the separating space, returns the write offset (room: see `reset`). */
  private open(): number {
    let n = this.length;
    if (this.count > 0) this.bytes[n++] = 32;
    this.starts[this.count++] = n;
    return n;
  }

  /** A one-character ASCII token (`(`, `?`, `,` …). */
  pushChar(c: number): void {
    const n = this.open();
    this.bytes[n] = c;
    this.length = n + 1;
  }

  /** A token known to be ASCII (a keyword's interned spelling, a fixed operator). */
  pushAscii(text: string): void {
    const len = text.length;
    let n = this.open();
    const bytes = this.bytes;
    for (let i = 0; i < len; i++) bytes[n++] = text.charCodeAt(i);
    this.length = n;
  }

  /**
   * An unquoted ASCII word, `units[start, end)`, its letters lower-cased (`pushAsciiUnits` copies
   * as they are: two small loops rather than one with a flag leave V8 more of its inlining budget for
   * the normalizer's token loop).
   */
  pushWord(units: Uint16Array, start: number, end: number): void {
    let n = this.open();
    const bytes = this.bytes;
    for (let i = start; i < end; i++) {
      const c = units[i];
      bytes[n++] = c >= 65 && c <= 90 ? c | 0x20 : c;
    }
    this.length = n;
  }

  /** ASCII code units `units[start, end)` as they are (an operator, a quoted name of plain ASCII). */
  pushAsciiUnits(units: Uint16Array, start: number, end: number): void {
    let n = this.open();
    const bytes = this.bytes;
    for (let i = start; i < end; i++) bytes[n++] = units[i];
    this.length = n;
  }

  /** `text[start, end)` as a token, any characters. */
  push(text: string, start: number, end: number): void {
    let n = this.open();
    const bytes = this.bytes;
    for (let i = start; i < end; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        if (c === 32) this.spaceInToken = true;
        bytes[n++] = c;
        continue;
      }
      this.nonAscii = true;
      if (c < 0x800) {
        bytes[n++] = 0xc0 | (c >> 6);
        bytes[n++] = 0x80 | (c & 63);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = c <= 0xdbff && i + 1 < end ? text.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          bytes[n++] = 0xf0 | (c >> 18);
          bytes[n++] = 0x80 | ((c >> 12) & 63);
          bytes[n++] = 0x80 | ((c >> 6) & 63);
          bytes[n++] = 0x80 | (c & 63);
          i++;
          continue;
        }
        this.loneSurrogate = true;
      }
      bytes[n++] = 0xe0 | (c >> 12);
      bytes[n++] = 0x80 | ((c >> 6) & 63);
      bytes[n++] = 0x80 | (c & 63);
    }
    this.length = n;
  }

  /** Keep the first `count` tokens. */
  truncate(count: number): void {
    if (count >= this.count) return;
    this.length = count > 0 ? this.starts[count] - 1 : 0;
    this.count = count;
  }

  /** Token `i` spells the ASCII `text`. */
  tokenIs(i: number, text: string): boolean {
    if (i < 0 || i >= this.count) return false;
    const start = this.starts[i];
    const end = i + 1 < this.count ? this.starts[i + 1] - 1 : this.length;
    if (end - start !== text.length) return false;
    const bytes = this.bytes;
    for (let k = 0; k < text.length; k++) if (bytes[start + k] !== text.charCodeAt(k)) return false;
    return true;
  }

  /** The last token is the one-character `c`. */
  lastIsChar(c: number): boolean {
    return this.count > 0 && this.length - this.starts[this.count - 1] === 1 && this.bytes[this.length - 1] === c;
  }

  /** Tokens `[a, aEnd)` and `[b, bEnd)` are the same tokens (`bEnd` is the current end). */
  rangesEqual(a: number, aEnd: number, b: number, bEnd: number): boolean {
    if (aEnd - a !== bEnd - b) return false;
    if (aEnd === a) return true;
    const starts = this.starts;
    const aStart = starts[a];
    const bStart = starts[b];
    const aStop = aEnd < this.count ? starts[aEnd] - 1 : this.length;
    const bStop = bEnd < this.count ? starts[bEnd] - 1 : this.length;
    if (aStop - aStart !== bStop - bStart) return false;
    const bytes = this.bytes;
    for (let i = 0; i < aStop - aStart; i++) if (bytes[aStart + i] !== bytes[bStart + i]) return false;
    if (this.spaceInToken) for (let i = 1; i < aEnd - a; i++) if (starts[a + i] - aStart !== starts[b + i] - bStart) return false;
    return true;
  }

  /** The key as a string (tokens joined by single spaces). */
  toString(): string {
    if (this.loneSurrogate) return decodeWtf8(this.bytes, this.length);
    return Buffer.from(this.bytes.buffer, 0, this.length).toString(this.nonAscii ? 'utf8' : 'latin1');
  }

  /** What the fingerprint hashes: the bytes, or for a key with a lone surrogate its string (see above). */
  hashInput(): Uint8Array | string {
    if (this.loneSurrogate) return decodeWtf8(this.bytes, this.length);
    const n = this.length;
    // Creating the view cost ~50 ns per statement (a tenth of the hash), so short keys reuse one
    // per length. Longer ones get a fresh view (not subarray(), which looks up the species constructor).
    if (n <= VIEWED_BYTES && this.bytes === this.standard) return (this.views[n] ??= new Uint8Array(this.standard.buffer, 0, n));
    return new Uint8Array(this.bytes.buffer, 0, n);
  }

  /**
   * `hashInput`'s bytes as 32-bit words (same memory, same start) for a hash that reads words, when
   * they are in the standard buffer; otherwise undefined (the hash makes its own view).
   */
  hashWords(): Int32Array | undefined {
    return this.bytes === this.standard && !this.loneSurrogate ? this.standardWords : undefined;
  }
}

/** UTF-8 that may hold encoded lone surrogates, back to UTF-16 (only keys with a lone surrogate come here). */
function decodeWtf8(bytes: Uint8Array, length: number): string {
  const units: number[] = [];
  let out = '';
  for (let i = 0; i < length; ) {
    const b = bytes[i];
    let c: number;
    if (b < 0x80) {
      c = b;
      i++;
    } else if (b < 0xe0) {
      c = ((b & 31) << 6) | (bytes[i + 1] & 63);
      i += 2;
    } else if (b < 0xf0) {
      c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      i += 3;
    } else {
      c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
      i += 4;
    }
    if (c >= 0x10000) {
      c -= 0x10000;
      units.push(0xd800 + (c >> 10), 0xdc00 + (c & 1023));
    } else {
      units.push(c);
    }
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}
