import * as crypto from 'crypto';

/** How a legacy id became a W3C trace id. */
export type LegacyIdKind = 'uuid' | 'hex128' | 'hex64' | 'hash';

/** Why a legacy id was not used. */
export type LegacyIdRejection = 'empty' | 'too_long' | 'invalid_characters' | 'all_zero' | 'ambiguous';

export type LegacyIdMapping =
  | {
      readonly ok: true;
      /** The received value with surrounding blanks removed. Safe to forward: printable ASCII, bounded. */
      readonly value: string;
      /** 32 lower-case hex digits, never all zero. */
      readonly traceId: string;
      readonly kind: LegacyIdKind;
    }
  | { readonly ok: false; readonly reason: LegacyIdRejection };

/** Values longer than this are not ids but garbage or an attack; 256 leaves room for composite ids. */
export const DEFAULT_MAX_LEGACY_ID_LENGTH = 256;

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX_RE = /^[0-9a-fA-F]+$/;
const PRINTABLE_RE = /^[\x20-\x7e]+$/;
const ZERO_PAD_64 = '0000000000000000';
const ZERO_128 = ZERO_PAD_64 + ZERO_PAD_64;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Maps a received legacy id onto a W3C trace id. Pure and total: any input (including non-strings and
 * arrays from carriers that keep repeated headers apart) gives a result, never an exception.
 *
 * Rules, in order:
 * - an array with differing values is ambiguous (we cannot know which hop is right); so is a
 *   comma-joined string of differing values (node's form of a repeated header), while identical
 *   repeats count as one value — commas therefore never appear in an accepted value;
 * - blanks around the value are ignored (HTTP optional whitespace), an empty value is ignored;
 * - longer than `maxLength` → rejected before anything else is looked at (cheap on 8 KiB junk);
 * - any character outside printable ASCII (0x20–0x7E) → rejected: control characters (CR/LF),
 *   non-ASCII and raw bytes never reach a span, a log line or an outgoing header;
 * - UUID 8-4-4-4-12, any case → its 32 hex digits, lower case;
 * - 32 hex digits, any case → lower case; 16 hex digits (64-bit ids) → left-padded with 16 zeros;
 * - an all-zero id of those shapes is invalid in W3C → rejected;
 * - anything else → first 16 bytes of SHA-256 over the value's bytes, so every service (in any
 *   language) maps the same legacy value to the same trace id.
 */
export function mapLegacyId(input: unknown, maxLength: number = DEFAULT_MAX_LEGACY_ID_LENGTH): LegacyIdMapping {
  let raw: unknown = input;
  if (Array.isArray(raw)) {
    if (raw.length === 0) return { ok: false, reason: 'empty' };
    const first: unknown = raw[0];
    for (let i = 1; i < raw.length; i++) {
      if (raw[i] !== first) return { ok: false, reason: 'ambiguous' };
    }
    raw = first;
  }
  if (typeof raw !== 'string') return { ok: false, reason: 'empty' };
  // Length check on the untrimmed value first: an 8 KiB header costs nothing to refuse.
  if (raw.length > maxLength + 64) return { ok: false, reason: 'too_long' };
  let value = trimBlanks(raw);
  if (value.length === 0) return { ok: false, reason: 'empty' };
  // node:http joins a repeated header into one `a, b` string. Identical copies (a proxy that adds
  // what was already there) are one id; different copies are ambiguous.
  if (value.indexOf(',') !== -1) {
    const parts = value.split(',');
    const first = trimBlanks(parts[0]);
    for (let i = 1; i < parts.length; i++) {
      if (trimBlanks(parts[i]) !== first) return { ok: false, reason: 'ambiguous' };
    }
    if (first.length === 0) return { ok: false, reason: 'empty' };
    value = first;
  }
  if (value.length > maxLength) return { ok: false, reason: 'too_long' };

  // Well-formed ids first: their shape already proves the characters are safe, and they are the
  // common case worth keeping cheap.
  const len = value.length;
  if (len === 36 && UUID_RE.test(value)) {
    if (value === ZERO_UUID) return { ok: false, reason: 'all_zero' };
    const l = value.toLowerCase();
    return { ok: true, value, traceId: l.slice(0, 8) + l.slice(9, 13) + l.slice(14, 18) + l.slice(19, 23) + l.slice(24), kind: 'uuid' };
  }
  if (len === 32 && HEX_RE.test(value)) {
    if (value === ZERO_128) return { ok: false, reason: 'all_zero' };
    return { ok: true, value, traceId: value.toLowerCase(), kind: 'hex128' };
  }
  if (len === 16 && HEX_RE.test(value)) {
    if (value === ZERO_PAD_64) return { ok: false, reason: 'all_zero' };
    return { ok: true, value, traceId: ZERO_PAD_64 + value.toLowerCase(), kind: 'hex64' };
  }

  if (!PRINTABLE_RE.test(value)) return { ok: false, reason: 'invalid_characters' };
  const traceId = hashToTraceId(value);
  // 2^-128: not reachable in practice, but an all-zero trace id would make every span invalid.
  if (traceId === ZERO_128) return { ok: false, reason: 'all_zero' };
  return { ok: true, value, traceId, kind: 'hash' };
}

/** First 16 bytes of SHA-256 of the (ASCII) value, as 32 lower-case hex digits. */
export function hashToTraceId(value: string): string {
  return sha256Hex(value).slice(0, 32);
}

// `crypto.hash` (Node >= 20.12 / 21.7) skips the Hash object and is about twice as fast for short
// inputs; older supported Nodes use createHash. Values reaching here are printable ASCII, so
// 'latin1' and 'utf8' give the same bytes.
type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;
const sha256Hex: (value: string) => string =
  typeof oneShot === 'function'
    ? value => oneShot('sha256', value, 'hex')
    : value => crypto.createHash('sha256').update(value, 'latin1').digest('hex');

export type TraceIdFormat = 'uuid' | 'hex';

/** Renders a W3C trace id for the legacy header: `uuid` (8-4-4-4-12, lower case) or plain `hex`. */
export function formatTraceId(traceId: string, format: TraceIdFormat): string {
  if (format === 'hex') return traceId;
  if (traceId.length === 32) return uuidOf32(traceId);
  return (
    traceId.slice(0, 8) +
    '-' +
    traceId.slice(8, 12) +
    '-' +
    traceId.slice(12, 16) +
    '-' +
    traceId.slice(16, 20) +
    '-' +
    traceId.slice(20, 32)
  );
}

const HYPHEN = 0x2d;

/**
 * 8-4-4-4-12 of a 32-character id as one flat string. The echo renders it for every response:
 * five slices joined by `+` make a rope that Node.js flattens again when it writes the header
 * (measured: ~1.5× the time of this, flattening included).
 */
function uuidOf32(t: string): string {
  const c = (i: number) => t.charCodeAt(i);
  // prettier-ignore
  return String.fromCharCode(
    c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7), HYPHEN,
    c(8), c(9), c(10), c(11), HYPHEN,
    c(12), c(13), c(14), c(15), HYPHEN,
    c(16), c(17), c(18), c(19), HYPHEN,
    c(20), c(21), c(22), c(23), c(24), c(25), c(26), c(27), c(28), c(29), c(30), c(31),
  );
}

function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s.charCodeAt(start))) start++;
  while (end > start && isBlank(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
