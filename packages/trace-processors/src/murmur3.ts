/**
 * MurmurHash3, x86 128-bit variant (Austin Appleby's `MurmurHash3_x86_128`, seed 0), of a byte
 * array; returns the first 8 bytes of its 16-byte digest as 16 lower-case hex digits — the digest
 * being h1…h4, each written little-endian, as the reference implementation and Python's
 * `mmh3.hash_bytes(key, 0, False)` write it.
 *
 * Why this and not SHA-256 (the fingerprint's hash up to `pg-1`): the fingerprint only has to tell
 * query shapes apart, and its input, the canonical key, holds no literal to protect. `crypto.hash`
 * costs ~0.3 µs per statement, nearly all of it fixed cost of calling into OpenSSL (a third of the
 * whole cache miss for a short statement); this costs ~0.1 µs for a 160-byte key. It is written with
 * 32-bit operations only (`Math.imul`), which V8 compiles to plain machine multiplies; the 64-bit
 * x64 variant would need BigInt or 16-bit limbs in JavaScript.
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789 | 0;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93 | 0;

/** Int32Array reads are in the host's byte order; the hash is defined on little-endian words. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const HEX_DIGITS = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX_DIGITS[i] = '0123456789abcdef'.charCodeAt(i);

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Little-endian 32-bit words of `bytes`, read without copying when they are 4-byte aligned. */
function wordsOf(bytes: Uint8Array): Int32Array {
  if (!LITTLE_ENDIAN) return assembleWords(bytes);
  if ((bytes.byteOffset & 3) === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Int32Array(copy.buffer, 0, bytes.length >> 2);
}

/**
 * First 64 bits of MurmurHash3_x86_128(bytes, seed 0), as 16 hex digits (see above). `words`, when
 * the caller has it, is the same memory as 32-bit words from the same offset (the normalizer keeps
 * one over its key buffer): making that view per call, or checking a cached one against
 * `bytes.buffer`, measured at 30–80 ns — up to half of the hash itself.
 */
export function murmur3Hex64(bytes: Uint8Array, words?: Int32Array): string {
  const len = bytes.length;
  const w = words !== undefined && LITTLE_ENDIAN ? words : wordsOf(bytes);
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  const blocks = len >> 4;
  for (let i = 0; i < blocks; i++) {
    const b = i << 2;
    h1 ^= Math.imul(rotl(Math.imul(w[b], C1), 15), C2);
    h1 = (Math.imul((rotl(h1, 19) + h2) | 0, 5) + 0x561ccd1b) | 0;
    h2 ^= Math.imul(rotl(Math.imul(w[b + 1], C2), 16), C3);
    h2 = (Math.imul((rotl(h2, 17) + h3) | 0, 5) + 0x0bcaa747) | 0;
    h3 ^= Math.imul(rotl(Math.imul(w[b + 2], C3), 17), C4);
    h3 = (Math.imul((rotl(h3, 15) + h4) | 0, 5) + 0x96cd1c35) | 0;
    h4 ^= Math.imul(rotl(Math.imul(w[b + 3], C4), 18), C1);
    h4 = (Math.imul((rotl(h4, 13) + h1) | 0, 5) + 0x32ac3b17) | 0;
  }
  // The tail: up to 15 bytes, little-endian into k1…k4 (the reference's fall-through switch).
  const t = blocks << 4;
  const rest = len & 15;
  if (rest > 12) {
    let k4 = bytes[t + 12];
    if (rest > 13) k4 |= bytes[t + 13] << 8;
    if (rest > 14) k4 |= bytes[t + 14] << 16;
    h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
  }
  if (rest > 8) {
    let k3 = bytes[t + 8];
    if (rest > 9) k3 |= bytes[t + 9] << 8;
    if (rest > 10) k3 |= bytes[t + 10] << 16;
    if (rest > 11) k3 |= bytes[t + 11] << 24;
    h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
  }
  if (rest > 4) {
    let k2 = bytes[t + 4];
    if (rest > 5) k2 |= bytes[t + 5] << 8;
    if (rest > 6) k2 |= bytes[t + 6] << 16;
    if (rest > 7) k2 |= bytes[t + 7] << 24;
    h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
  }
  if (rest > 0) {
    let k1 = bytes[t];
    if (rest > 1) k1 |= bytes[t + 1] << 8;
    if (rest > 2) k1 |= bytes[t + 2] << 16;
    if (rest > 3) k1 |= bytes[t + 3] << 24;
    h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
  }
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  // h1 then h2, each little-endian: one flat string of 16 digits (no rope of byte pieces).
  const d = HEX_DIGITS;
  return String.fromCharCode(
    d[(h1 >>> 4) & 15], d[h1 & 15], d[(h1 >>> 12) & 15], d[(h1 >>> 8) & 15],
    d[(h1 >>> 20) & 15], d[(h1 >>> 16) & 15], d[h1 >>> 28], d[(h1 >>> 24) & 15],
    d[(h2 >>> 4) & 15], d[h2 & 15], d[(h2 >>> 12) & 15], d[(h2 >>> 8) & 15],
    d[(h2 >>> 20) & 15], d[(h2 >>> 16) & 15], d[h2 >>> 28], d[(h2 >>> 24) & 15],
  );
}

/** Big-endian hosts (Int32Array reads words in the host's order): the words put together byte by byte. */
function assembleWords(bytes: Uint8Array): Int32Array {
  const words = new Int32Array(bytes.length >> 2);
  for (let i = 0; i < words.length; i++) {
    const b = i << 2;
    words[i] = bytes[b] | (bytes[b + 1] << 8) | (bytes[b + 2] << 16) | (bytes[b + 3] << 24);
  }
  return words;
}
