import { EMPTY_ATTRS, isEntrySpan, keepOnAnySpan, RESOURCE_COMPARE_KEYS } from './attributes';
import { normalizeId } from './ids';
import { intern, isErrorStatus, parseKind, type ReadContext } from './otlp-json-reader';
import { hexFromWords, wordsFromHex } from './id-words';
import { isPartsSink } from './span-columns';
import { SpanRecord, type AttrValue, type Attrs, type SpanKind } from './types';

/**
 * Fast path for one line of OTLP JSON lines, read straight from the bytes.
 *
 * `JSON.parse` builds the whole object graph of a line (every attribute, event, scope…) only for the
 * reader to keep a few fields of each span: at 1M spans that was most of the read time and of the
 * garbage. This scanner validates the line as strictly as `JSON.parse` does, but materialises only
 * what `readOtlpDocument` would keep, and produces exactly the same `SpanRecord`s.
 *
 * It only takes the clean, common shape (`resourceSpans` envelope, well-typed spans, string
 * nanoseconds, plain AnyValues). Anything else — a syntax error, a wrong type, an unusual encoding,
 * a span the general reader would report — makes it return -1 *without any side effect*, and the
 * caller runs the general path (`JSON.parse` + `readDocument`), which owns every error message. Spans
 * and time-base seeding are committed only once the whole line has been scanned.
 */
export function readOtlpLineFast(buf: Buffer, start: number, end: number, ctx: ReadContext): number {
  if (!fastPathEnabled) return -1;
  b = buf;
  p = start;
  lim = end;
  count = 0;
  const base = ctx.time.base;
  lineBase = base;
  let ok = false;
  try {
    scanDocument();
    ok = true;
  } catch (e) {
    // FALLBACK, or a RangeError from absurdly deep nesting: the general path decides. Anything else
    // is a bug and must not be hidden.
    if (e !== FALLBACK && !(e instanceof RangeError)) throw e;
  }
  const n = ok ? count : -1;
  if (ok) {
    // Commit: the time base is the first span's start second, as TimeBase.fromNanos would pick.
    if (base === undefined && lineBase !== undefined) ctx.time.seed(lineBase);
    const sink = ctx.sink;
    const store = isPartsSink(sink) ? sink : undefined;
    for (let i = 0; i < count; i++) {
      const kind = KINDS[lKind[i]];
      const err = lError[i] === 1;
      const from = lAttrFrom[i];
      const to = lAttrTo[i];
      if (store) store.addPartsPairs(lTrace[i], lSpanHi[i], lSpanLo[i], lParHi[i], lParLo[i], lName[i], kind, lService[i], lStart[i], lEnd[i], err, lPairK, lPairV, from, to);
      else {
        let attrs: Attrs = EMPTY_ATTRS;
        if (from >= 0) {
          attrs = {};
          for (let j = from; j < to; j++) attrs[lPairK[j]] = lPairV[j];
        }
        const parent = lParHi[i] === 0 && lParLo[i] === 0 ? '' : hexFromWords(lParHi[i], lParLo[i]);
        sink.add(new SpanRecord(lTrace[i], hexFromWords(lSpanHi[i], lSpanLo[i]), parent, lName[i], kind, lService[i], lStart[i], lEnd[i], err, attrs));
      }
    }
  }
  // Drop references (strings, attribute values) so a long line's leftovers do not linger.
  lTrace.length = lName.length = lService.length = lPairK.length = lPairV.length = 0;
  lPairs = 0;
  b = EMPTY_BUF;
  return n;
}

let fastPathEnabled = process.env.TRACE_ANALYZE_NO_FAST_PATH !== '1';
/** Tests compare the fast path against the general reader on the same input. */
export function setFastPath(enabled: boolean): void {
  fastPathEnabled = enabled;
}

// ---- scanner state (module-level: one line at a time, no allocation per call) ----------------------
// `var`, not `let`: module-level `let`s cost a hole check on every access from these hot functions.
/* eslint-disable no-var */
var b: Buffer = Buffer.alloc(0);
const EMPTY_BUF = b;
var p = 0;
var lim = 0;
/** Flags of the last string scanned: contains escapes / bytes >= 0x80. */
var strEsc = false;
var strHigh = false;
/** Contents of the last string scanned: [strS, strE). */
var strS = 0;
var strE = 0;

const FALLBACK = { fallback: true };
function fail(): never {
  throw FALLBACK;
}

/** Spans of the current line (columns), committed only once the whole line has been scanned. */
var count = 0;
var lTrace: string[] = [];
var lName: string[] = [];
var lService: string[] = [];
/**
 * Attributes of the line's spans as (key, value) pairs in the order read, span i owning
 * [lAttrFrom[i], lAttrTo[i]); lAttrFrom -1 = the shared EMPTY_ATTRS. The object is rebuilt from them
 * by assignment, in that order, so repeated keys, array-index keys and `__proto__` come out exactly
 * as the general reader's assignments make them.
 */
var lPairK: string[] = [];
var lPairV: AttrValue[] = [];
var lPairs = 0;
var lAttrFrom = new Int32Array(1024);
var lAttrTo = new Int32Array(1024);
var lSpanHi = new Uint32Array(1024);
var lSpanLo = new Uint32Array(1024);
var lParHi = new Uint32Array(1024);
var lParLo = new Uint32Array(1024);
var lKind = new Uint8Array(1024);
var lError = new Uint8Array(1024);
var lStart = new Float64Array(1024);
var lEnd = new Float64Array(1024);
const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_CODE: Record<SpanKind, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

function growLine(): void {
  const g = <T extends Uint32Array | Uint8Array | Float64Array | Int32Array>(a: T): T => {
    const x = new (a.constructor as new (n: number) => T)(a.length * 2);
    x.set(a);
    return x;
  };
  lSpanHi = g(lSpanHi);
  lSpanLo = g(lSpanLo);
  lParHi = g(lParHi);
  lParLo = g(lParLo);
  lKind = g(lKind);
  lError = g(lError);
  lStart = g(lStart);
  lEnd = g(lEnd);
  lAttrFrom = g(lAttrFrom);
  lAttrTo = g(lAttrTo);
}
/** Time base (seconds) the line's relative times are computed against. */
var lineBase: number | undefined;

// ---- JSON lexing ----------------------------------------------------------------------------------

function ws(): void {
  const buf = b;
  const l = lim;
  let i = p;
  while (i < l) {
    const c = buf[i];
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else break;
  }
  p = i;
}

function expect(c: number): void {
  ws();
  if (p >= lim || b[p] !== c) fail();
  p++;
}

/** Scans a string at p (which must be '"'); sets strS/strE/strEsc/strHigh; p after the closing quote. */
function scanString(): void {
  const buf = b;
  const l = lim;
  if (p >= l || buf[p] !== 34) fail();
  let i = p + 1;
  let esc = false;
  let high = false;
  for (;;) {
    if (i >= l) fail();
    const c = buf[i];
    if (c === 34) break;
    if (c === 92) {
      esc = true;
      const e = buf[i + 1];
      if (e === 117) {
        if (i + 6 > l || !isHex(buf[i + 2]) || !isHex(buf[i + 3]) || !isHex(buf[i + 4]) || !isHex(buf[i + 5])) fail();
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) fail();
      i += 2;
      continue;
    }
    if (c < 32) fail(); // raw control characters are invalid JSON
    if (c >= 128) high = true;
    i++;
  }
  strS = p + 1;
  strE = i;
  strEsc = esc;
  strHigh = high;
  p = i + 1;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** The last scanned string as JS string, decoded exactly as JSON.parse would. */
function strValue(): string {
  if (strEsc) return JSON.parse(b.toString('utf8', strS - 1, strE + 1)) as string;
  if (strHigh) return b.toString('utf8', strS, strE);
  const n = strE - strS;
  return n <= 48 ? cachedAscii(strS, n) : latin1(strS, strE);
}

/**
 * Attribute keys, names, services and most values repeat endlessly: a small cache keyed by the bytes
 * returns the same string object without calling into C++ or allocating (and interns on the way).
 */
const CACHE_SIZE = 4096;
const cacheStr: string[] = new Array<string>(CACHE_SIZE).fill('');
const cacheBytes: Uint8Array[] = new Array<Uint8Array>(CACHE_SIZE).fill(new Uint8Array(0));
function cachedAscii(s: number, n: number): string {
  const buf = b;
  let h = n * 31;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ buf[s + i], 16777619);
  const slot = (h ^ (h >>> 15)) & (CACHE_SIZE - 1);
  const kb = cacheBytes[slot];
  if (kb.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (kb[i] !== buf[s + i]) {
        same = false;
        break;
      }
    }
    if (same) return cacheStr[slot];
  }
  const str = latin1(s, s + n);
  cacheBytes[slot] = new Uint8Array(buf.subarray(s, s + n)); // a copy: never pin the chunk
  cacheStr[slot] = str;
  return str;
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (s: number, e: number) => string }).latin1Slice;
function latin1(s: number, e: number): string {
  return latin1Slice ? latin1Slice.call(b, s, e) : b.toString('latin1', s, e);
}

/** Scans a number with JSON's strict grammar; returns its text span in [numS, p). */
var numS = 0;
function scanNumber(): void {
  numS = p;
  if (b[p] === 45) p++; // -
  if (p >= lim) fail();
  const c = b[p];
  if (c === 48) p++;
  else if (c >= 49 && c <= 57) {
    p++;
    while (p < lim && b[p] >= 48 && b[p] <= 57) p++;
  } else fail();
  if (p < lim && b[p] === 46) {
    p++;
    if (p >= lim || b[p] < 48 || b[p] > 57) fail();
    while (p < lim && b[p] >= 48 && b[p] <= 57) p++;
  }
  if (p < lim && (b[p] === 101 || b[p] === 69)) {
    p++;
    if (p < lim && (b[p] === 43 || b[p] === 45)) p++;
    if (p >= lim || b[p] < 48 || b[p] > 57) fail();
    while (p < lim && b[p] >= 48 && b[p] <= 57) p++;
  }
}

function numberValue(): number {
  // Small non-negative integers (kinds, status codes) are common: no string for them.
  const n = p - numS;
  if (n <= 6) {
    let v = 0;
    let i = numS;
    for (; i < p; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === p) return v;
  }
  // Same decimal → double rounding as JSON.parse.
  return Number(latin1(numS, p));
}

function scanLiteral(word: Uint8Array): void {
  if (p + word.length > lim) fail();
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) fail();
  p += word.length;
}
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** Skips (and validates) any JSON value. */
function skipValue(depth = 0): void {
  ws();
  if (p >= lim) fail();
  const c = b[p];
  if (c === 34) scanString();
  else if (c === 123) {
    if (depth > 200) fail();
    p++;
    ws();
    if (b[p] === 125) {
      p++;
      return;
    }
    for (;;) {
      ws();
      scanString();
      expect(58);
      skipValue(depth + 1);
      ws();
      if (p >= lim) fail();
      if (b[p] === 44) p++;
      else if (b[p] === 125) {
        p++;
        return;
      } else fail();
    }
  } else if (c === 91) {
    if (depth > 200) fail();
    p++;
    ws();
    if (b[p] === 93) {
      p++;
      return;
    }
    for (;;) {
      skipValue(depth + 1);
      ws();
      if (p >= lim) fail();
      if (b[p] === 44) p++;
      else if (b[p] === 93) {
        p++;
        return;
      } else fail();
    }
  } else if (c === 116) scanLiteral(TRUE);
  else if (c === 102) scanLiteral(FALSE);
  else if (c === 110) scanLiteral(NULL);
  else if (c === 45 || (c >= 48 && c <= 57)) scanNumber();
  else fail();
}

/**
 * Object iteration without shared state (objects nest):
 *   let more = objOpen(); while (more) { readKey(); …value at p…; more = objNext(); }
 */
function objOpen(): boolean {
  ws();
  if (p >= lim || b[p] !== 123) fail();
  p++;
  ws();
  if (p < lim && b[p] === 125) {
    p++;
    return false;
  }
  return true;
}
/** Scans a key and its ':'; the key is in strS/strE, p is at the value. */
function readKey(): void {
  ws();
  scanString();
  // A key spelled with escapes ("trace\u0049d") is the same key to JSON.parse: not worth matching here.
  if (strEsc) fail();
  expect(58);
  ws();
}
function objNext(): boolean {
  ws();
  if (p >= lim) fail();
  const c = b[p++];
  if (c === 44) return true;
  if (c === 125) return false;
  return fail();
}

/** Arrays: let more = arrOpen(); while (more) { …item at p…; more = arrNext(); } */
function arrOpen(): boolean {
  ws();
  if (p >= lim || b[p] !== 91) fail();
  p++;
  ws();
  if (p < lim && b[p] === 93) {
    p++;
    return false;
  }
  return true;
}
function arrNext(): boolean {
  ws();
  if (p >= lim) fail();
  const c = b[p++];
  if (c === 44) {
    ws();
    return true;
  }
  if (c === 93) return false;
  return fail();
}

function keyIs(word: Uint8Array): boolean {
  const n = word.length;
  const s = strS;
  if (strE - s !== n) return false;
  const buf = b;
  for (let i = 0; i < n; i++) if (buf[s + i] !== word[i]) return false;
  return true;
}
const K = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s));
const K_RESOURCE_SPANS = K('resourceSpans');
const K_DATA = K('data');
const K_RESOURCE = K('resource');
const K_ATTRIBUTES = K('attributes');
const K_SCOPE_SPANS = K('scopeSpans');
const K_IL_SPANS = K('instrumentationLibrarySpans');
const K_SPANS = K('spans');
const K_KEY = K('key');
const K_VALUE = K('value');
const K_TRACE_ID = K('traceId');
const K_SPAN_ID = K('spanId');
const K_PARENT = K('parentSpanId');
const K_NAME = K('name');
const K_KIND = K('kind');
const K_START = K('startTimeUnixNano');
const K_END = K('endTimeUnixNano');
const K_STATUS = K('status');
const K_CODE = K('code');
const K_STRING_VALUE = K('stringValue');
const K_INT_VALUE = K('intValue');
const K_DOUBLE_VALUE = K('doubleValue');
const K_BOOL_VALUE = K('boolValue');

// ---- OTLP structure ------------------------------------------------------------------------------

function scanDocument(): void {
  let seen = false;
  let more = objOpen();
  while (more) {
    readKey();
    if (keyIs(K_RESOURCE_SPANS)) {
      if (seen) fail(); // duplicate key: JSON.parse keeps the last, not worth modelling
      seen = true;
      let item = arrOpen();
      while (item) {
        scanResourceSpans();
        item = arrNext();
      }
    } else if (keyIs(K_DATA)) fail(); // maybe a Jaeger document
    else skipValue();
    more = objNext();
  }
  ws();
  if (p !== lim || !seen) fail();
}

/** Per resource block: service and comparable resource attributes. */
var service = 'unknown_service';
var resCompare: Attrs = {};

function scanResourceSpans(): void {
  service = 'unknown_service';
  resCompare = {};
  let sawResource = false;
  let sawScopes = false;
  let more = objOpen();
  while (more) {
    readKey();
    if (keyIs(K_RESOURCE)) {
      // Spans before their resource would need the service back-filled: leave that to JSON.parse.
      if (sawResource || sawScopes) fail();
      sawResource = true;
      scanResource();
    } else if (keyIs(K_SCOPE_SPANS) || keyIs(K_IL_SPANS)) {
      // Both keys, or null (the general reader falls back from one to the other): general path.
      if (sawScopes) fail();
      sawScopes = true;
      let item = arrOpen();
      while (item) {
        scanScope();
        item = arrNext();
      }
    } else skipValue();
    more = objNext();
  }
}

function scanResource(): void {
  let sawAttrs = false;
  let more = objOpen(); // null resource: general path
  while (more) {
    readKey();
    if (keyIs(K_ATTRIBUTES)) {
      if (sawAttrs) fail();
      sawAttrs = true;
      let item = arrOpen();
      while (item) {
        scanKeyValue(true);
        const key = kvKey;
        const value = kvValue;
        if (key !== undefined) {
          if (key === 'service.name') {
            if (value !== undefined && value !== '') service = intern(String(value));
          } else if (RESOURCE_COMPARE_KEYS.has(key) && value !== undefined) resCompare[key] = value;
        }
        item = arrNext();
      }
    } else skipValue();
    more = objNext();
  }
}

function scanScope(): void {
  let sawSpans = false;
  let more = objOpen(); // null scope: general path
  while (more) {
    readKey();
    if (keyIs(K_SPANS)) {
      if (sawSpans) fail();
      sawSpans = true;
      let item = arrOpen();
      while (item) {
        scanSpan();
        item = arrNext();
      }
    } else skipValue();
    more = objNext();
  }
}

// Per-key bits of the span being scanned (a key seen twice sends the line to the general path).
const B_TRACE = 1;
const B_SPAN = 2;
const B_PARENT = 4;
const B_NAME = 8;
const B_KIND = 16;
const B_START = 32;
const B_END = 64;
const B_ATTRS = 128;
const B_STATUS = 256;

/** The previous trace id (bytes and string): spans of one trace usually sit together. */
const lastTraceBytes = new Uint8Array(32);
var lastTraceId = '';

function scanSpan(): void {
  let seen = 0;
  let traceId = '';
  let hasSpan = false;
  let spanHi = 0;
  let spanLo = 0;
  let parHi = 0;
  let parLo = 0;
  let name = '';
  let kind: SpanKind = 'unspecified';
  let ss = 0;
  let sn = 0;
  let es = 0;
  let en = 0;
  let error = false;
  let attrsS = -1;
  let attrsE = -1;
  let attrFrom = -1;
  let attrTo = -1;
  let attrsDone = false;
  let more = objOpen();
  while (more) {
    readKey();
    const len = strE - strS;
    let bit = 0;
    const c0 = b[strS];
    if (len === 7 && keyIs(K_TRACE_ID)) {
      bit = B_TRACE;
      traceId = scanId(16, true);
    } else if (len === 6 && c0 === 115 && keyIs(K_SPAN_ID)) {
      bit = B_SPAN;
      scanSpanId(false);
      spanHi = idHi;
      spanLo = idLo;
      hasSpan = true;
    } else if (len === 12 && keyIs(K_PARENT)) {
      bit = B_PARENT;
      scanSpanId(true);
      parHi = idHi;
      parLo = idLo;
    } else if (len === 4 && c0 === 110 && keyIs(K_NAME)) {
      bit = B_NAME;
      if (b[p] === 34) {
        scanString();
        // Short ASCII names come from the byte cache, one string object each: interning is done.
        name = strEsc || strHigh || strE - strS > 48 ? intern(strValue()) : strValue();
      } else {
        skipValue();
        name = ''; // not a string: the general reader uses '' too
      }
    } else if (len === 4 && c0 === 107 && keyIs(K_KIND)) {
      bit = B_KIND;
      kind = scanKind();
    } else if (len === 17 && keyIs(K_START)) {
      bit = B_START;
      scanNanos();
      ss = nanoSec;
      sn = nanoNs;
    } else if (len === 15 && keyIs(K_END)) {
      bit = B_END;
      scanNanos();
      es = nanoSec;
      en = nanoNs;
    } else if (len === 10 && keyIs(K_ATTRIBUTES)) {
      bit = B_ATTRS;
      if ((seen & (B_ATTRS | B_KIND | B_PARENT)) === (B_KIND | B_PARENT)) {
        // Kind and parent known (the usual key order): decode right away.
        attrFrom = lPairs;
        if (!scanSpanAttrs(isEntrySpan(kind, parHi === 0 && parLo === 0 ? '' : 'x'))) attrFrom = -1;
        attrTo = lPairs;
        attrsDone = true;
      } else {
        // Which attributes to keep depends on kind and parent, which come later: decode after.
        attrsS = p;
        skipValue();
        attrsE = p;
      }
    } else if (len === 6 && c0 === 115 && keyIs(K_STATUS)) {
      bit = B_STATUS;
      error = scanStatus();
    } else skipValue();
    if (bit !== 0) {
      if ((seen & bit) !== 0) fail();
      seen |= bit;
    }
    more = objNext();
  }
  // What readSpan would reject (and report) goes to the general path.
  if (traceId === '' || !hasSpan || (seen & (B_START | B_END)) !== (B_START | B_END)) fail();
  // Relative times exactly as TimeBase.fromNanos computes them; the base is the first start seen.
  if (lineBase === undefined) lineBase = ss;
  const start = (ss - lineBase) * 1e9 + sn;
  const end = (es - lineBase) * 1e9 + en;
  if (end < start) fail(); // reported by the general reader
  const entry = isEntrySpan(kind, parHi === 0 && parLo === 0 ? '' : 'x');
  if (attrsS >= 0) {
    const pEnd = p;
    const l0 = lim;
    p = attrsS;
    lim = attrsE;
    attrFrom = lPairs;
    if (!scanSpanAttrs(entry)) attrFrom = -1;
    attrTo = lPairs;
    lim = l0;
    p = pEnd;
  } else if (!attrsDone && entry) {
    // readAttributes starts from a copy of the resource's comparable attributes.
    attrFrom = lPairs;
    for (const k in resCompare) pushPair(k, resCompare[k]);
    attrTo = lPairs;
  }
  const i = count++;
  if (i === lSpanHi.length) growLine();
  lTrace[i] = traceId;
  lSpanHi[i] = spanHi;
  lSpanLo[i] = spanLo;
  lParHi[i] = parHi;
  lParLo[i] = parLo;
  lName[i] = name;
  lKind[i] = KIND_CODE[kind];
  lService[i] = service;
  lStart[i] = start;
  lEnd[i] = end;
  lError[i] = error ? 1 : 0;
  lAttrFrom[i] = attrFrom;
  lAttrTo[i] = attrTo;
}

/** A trace id: fast for lower-case hex of the right length, else `normalizeId` decides. */
function scanId(bytes: 8 | 16, isTrace: boolean): string {
  if (b[p] !== 34) fail(); // not a string (or null: "invalid id" in the general reader)
  scanString();
  const n = strE - strS;
  if (n === bytes * 2 && !strEsc) {
    const buf = b;
    const s0 = strS;
    if (isTrace && lastTraceId !== '') {
      let same = true;
      for (let i = 0; i < 32; i++) {
        if (buf[s0 + i] !== lastTraceBytes[i]) {
          same = false;
          break;
        }
      }
      if (same) return lastTraceId;
    }
    let lower = true;
    let zero = true;
    for (let i = s0; i < s0 + n; i++) {
      const c = buf[i];
      if (c === 48) continue;
      zero = false;
      if (!((c > 48 && c <= 57) || (c >= 97 && c <= 102))) {
        lower = false;
        break;
      }
    }
    if (lower && !zero) {
      const s = latin1(s0, s0 + n);
      if (isTrace) {
        for (let i = 0; i < 32; i++) lastTraceBytes[i] = buf[s0 + i];
        lastTraceId = s;
      }
      return s;
    }
  }
  const id = normalizeId(strValue(), bytes);
  if (!id) fail();
  return id;
}

/**
 * A span id (or, with `parent`, a parent span id, where missing/null/'' mean none) into idHi/idLo:
 * lower-case hex is converted straight from the bytes; other spellings go through `normalizeId`.
 */
var idHi = 0;
var idLo = 0;
function scanSpanId(parent: boolean): void {
  const c = b[p];
  if (parent && c === 110) {
    scanLiteral(NULL);
    idHi = idLo = 0;
    return;
  }
  if (c !== 34) fail(); // not a string: "invalid id" in the general reader
  scanString();
  const n = strE - strS;
  if (n === 16 && !strEsc) {
    const buf = b;
    let hi = 0;
    let lo = 0;
    let ok = true;
    for (let i = 0; i < 16; i++) {
      const x = buf[strS + i];
      let d: number;
      if (x >= 48 && x <= 57) d = x - 48;
      else if (x >= 97 && x <= 102) d = x - 87;
      else {
        ok = false;
        break;
      }
      if (i < 8) hi = (hi << 4) | d;
      else lo = (lo << 4) | d;
    }
    if (ok) {
      if (!parent && hi === 0 && lo === 0) fail(); // all zeros is no id: rejected
      idHi = hi >>> 0;
      idLo = lo >>> 0;
      return;
    }
  }
  const id = normalizeId(strValue(), 8);
  if (id === undefined || (!parent && id === '')) fail();
  wordsFromHex(id, WORDS);
  idHi = WORDS[0];
  idLo = WORDS[1];
}
const WORDS = new Uint32Array(2);

function scanKind(): SpanKind {
  const c = b[p];
  let k: SpanKind | undefined;
  if (c === 110) {
    scanLiteral(NULL);
    k = parseKind(null);
  } else if (c === 34) {
    scanString();
    k = parseKind(strValue());
  } else if (c === 45 || (c >= 48 && c <= 57)) {
    scanNumber();
    k = parseKind(numberValue());
  } else fail();
  if (k === undefined) fail();
  return k;
}

/** String nanoseconds, split like TimeBase.fromNanos: the last 9 digits are ns, the rest seconds. */
var nanoSec = 0;
var nanoNs = 0;
function scanNanos(): void {
  if (b[p] !== 34) fail(); // numbers (rounded by JSON.parse) and garbage: general path
  scanString();
  const len = strE - strS;
  if (strEsc || len === 0 || len > 20) fail();
  const cut = len - 9;
  let sec = 0;
  let ns = 0;
  const buf = b;
  const s0 = strS;
  for (let i = 0; i < len; i++) {
    const d = buf[s0 + i] - 48;
    if (d < 0 || d > 9) fail();
    if (i < cut) sec = sec * 10 + d;
    else ns = ns * 10 + d;
  }
  nanoSec = sec;
  nanoNs = ns;
}

function scanStatus(): boolean {
  if (b[p] !== 123) {
    skipValue(); // not an object: never an error status
    return false;
  }
  let code: unknown;
  let seen = false;
  let more = objOpen();
  while (more) {
    readKey();
    if (keyIs(K_CODE)) {
      if (seen) fail();
      seen = true;
      const x = b[p];
      if (x === 34) {
        scanString();
        code = strValue();
      } else if (x === 45 || (x >= 48 && x <= 57)) {
        scanNumber();
        code = numberValue();
      } else {
        skipValue();
        code = undefined; // true/false/null/objects are never an error code
      }
    } else skipValue();
    more = objNext();
  }
  return seen && isErrorStatus({ code });
}

/**
 * The span's attributes, as readAttributes (entry spans) / readAnalysisAttributes would keep them,
 * appended as pairs from lPairs on. False when none is kept on a non-entry span (EMPTY_ATTRS).
 */
function scanSpanAttrs(entry: boolean): boolean {
  if (b[p] !== 91) fail(); // not an array: general path
  const from = lPairs;
  if (entry) for (const k in resCompare) pushPair(k, resCompare[k]);
  let item = arrOpen();
  while (item) {
    scanKeyValue(entry);
    const key = kvKey;
    const value = kvValue;
    if (key !== undefined && value !== undefined && (entry || keepOnAnySpan(key))) pushPair(key, value);
    item = arrNext();
  }
  return entry || lPairs > from;
}

function pushPair(key: string, value: AttrValue): void {
  lPairK[lPairs] = key;
  lPairV[lPairs] = value;
  lPairs++;
}

var kvKey: string | undefined;
var kvValue: AttrValue | undefined;

/**
 * One `{key, value}` into kvKey/kvValue; the value is decoded only when it can be kept (`all`, or a
 * key kept on any span). A non-object entry or an unusual AnyValue goes to the general path.
 */
function scanKeyValue(all: boolean): void {
  let key: string | undefined;
  let value: AttrValue | undefined;
  let sawKey = false;
  let sawValue = false;
  let more = objOpen();
  while (more) {
    readKey();
    const kl = strE - strS;
    if (kl === 3 && keyIs(K_KEY)) {
      if (sawKey) fail();
      sawKey = true;
      if (b[p] === 34) {
        scanString();
        key = strValue();
      } else {
        skipValue();
        key = undefined; // not a string: the general reader skips the entry
      }
    } else if (kl === 5 && keyIs(K_VALUE)) {
      if (sawValue) fail();
      sawValue = true;
      if (!all && sawKey && (key === undefined || !keepOnAnySpan(key))) skipValue();
      else value = scanAnyValue();
    } else skipValue();
    more = objNext();
  }
  kvKey = key;
  kvValue = value;
}

/** `{stringValue}`, `{intValue}`, `{doubleValue}`, `{boolValue}` or `{}`, decoded as `anyValue` does. */
function scanAnyValue(): AttrValue | undefined {
  let v: AttrValue | undefined;
  let n = 0;
  let more = objOpen();
  while (more) {
    readKey();
    if (++n > 1) fail();
    if (keyIs(K_STRING_VALUE)) {
      if (b[p] !== 34) fail();
      scanString();
      v = strValue();
    } else if (keyIs(K_INT_VALUE) || keyIs(K_DOUBLE_VALUE)) {
      let raw: string | number;
      if (b[p] === 34) {
        scanString();
        raw = strValue();
      } else {
        const c = b[p];
        if (!(c === 45 || (c >= 48 && c <= 57))) fail();
        scanNumber();
        raw = numberValue();
      }
      const x = Number(raw);
      v = Number.isFinite(x) ? x : String(raw);
    } else if (keyIs(K_BOOL_VALUE)) {
      if (b[p] === 116) {
        scanLiteral(TRUE);
        v = true;
      } else if (b[p] === 102) {
        scanLiteral(FALSE);
        v = false;
      } else fail();
    } else fail();
    more = objNext();
  }
  return v;
}
