/**
 * Span ids (16 hex digits, normalised by `normalizeId`) held as two 32-bit words: eight bytes in a
 * typed array instead of a string object per span. 0,0 is the empty id ('': no parent).
 */

/** Fills `out` with the high and low words of a normalised 16-digit id ('' → 0,0). */
export function wordsFromHex(id: string, out: Uint32Array): void {
  if (id.length !== 16) {
    out[0] = 0;
    out[1] = 0;
    return;
  }
  out[0] = parseInt(id.slice(0, 8), 16) >>> 0;
  out[1] = parseInt(id.slice(8), 16) >>> 0;
}

const HEX: number[] = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/** The 16 lower-case hex digits of an id held as two words. */
export function hexFromWords(hi: number, lo: number): string {
  return String.fromCharCode(
    HEX[hi >>> 28], HEX[(hi >>> 24) & 15], HEX[(hi >>> 20) & 15], HEX[(hi >>> 16) & 15],
    HEX[(hi >>> 12) & 15], HEX[(hi >>> 8) & 15], HEX[(hi >>> 4) & 15], HEX[hi & 15],
    HEX[lo >>> 28], HEX[(lo >>> 24) & 15], HEX[(lo >>> 20) & 15], HEX[(lo >>> 16) & 15],
    HEX[(lo >>> 12) & 15], HEX[(lo >>> 8) & 15], HEX[(lo >>> 4) & 15], HEX[lo & 15],
  );
}
