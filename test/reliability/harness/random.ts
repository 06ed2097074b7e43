// A seeded PRNG (mulberry32) for fuzz cases: a failure names its seed and replays exactly, and the
// suite's cost is fixed instead of depending on luck.
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }
  /** Random text: `printable` ASCII 0x20–0x7e, `alnum`, `unicode` (BMP letters, emoji, RTL, combining marks), `bytes` (0x01–0xff). */
  string(length: number, kind: 'printable' | 'alnum' | 'unicode' | 'bytes'): string {
    let out = '';
    const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    for (let i = 0; i < length; i++) {
      if (kind === 'alnum') out += alnum[this.int(0, alnum.length - 1)];
      else if (kind === 'printable') out += String.fromCharCode(this.int(0x20, 0x7e));
      else if (kind === 'bytes') out += String.fromCharCode(this.int(1, 0xff));
      else out += this.pick(['é', 'ß', '中', '文', '🙂', '\u202e', '\u0301', 'ﬀ', 'Ω', 'ا', '\u200b', 'a']);
    }
    return out;
  }
}
