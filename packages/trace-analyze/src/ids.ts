/**
 * Trace/span ids arrive as hex (OTLP JSON spec, Jaeger; upper or lower case, Jaeger v1 drops leading
 * zeros) or base64 (protobuf-JSON mapping, some Tempo versions). Everything downstream uses
 * lower-case, zero-padded hex. Standard base64 of 8 or 16 bytes always ends in '=' so it can never be
 * mistaken for hex; unpadded base64 is accepted when it is not valid hex.
 */
const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Normalise an id to `bytes*2` hex chars; '' for empty/all-zero (= no id), undefined for garbage. */
export function normalizeId(v: unknown, bytes: 8 | 16): string | undefined {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') return undefined;
  const hexLen = bytes * 2;
  let hex: string;
  const h = v.length <= hexLen ? hexCase(v) : 0;
  if (h === 3) return ''; // all zeros: "no parent"
  if (h !== 0) {
    const lower = h === 1 ? v : v.toLowerCase();
    return lower.length === hexLen ? lower : lower.padStart(hexLen, '0');
  } else if (B64.test(v)) {
    hex = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex');
    if (hex.length !== hexLen) return undefined;
  } else {
    return undefined;
  }
  return isAllZero(hex) ? '' : hex;
}

function isAllZero(hex: string): boolean {
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * 0 = not hex, 1 = lower-case hex (use as is), 2 = hex with upper-case letters, 3 = all zeros.
 * One loop, not regexes: this runs three times per span.
 */
function hexCase(v: string): 0 | 1 | 2 | 3 {
  let upper = false;
  let zero = true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 48) continue;
    zero = false;
    if ((c > 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
    if (c >= 65 && c <= 70) upper = true;
    else return 0;
  }
  return zero ? 3 : upper ? 2 : 1;
}
