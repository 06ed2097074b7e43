/**
 * Epoch nanoseconds (~1.7e18) exceed 2^53, so a double cannot hold them exactly. We keep every time
 * as integer nanoseconds relative to a base second picked from the first timestamp seen: that stays
 * exact for data spanning ±104 days around it, and the arithmetic stays plain `number` (fast).
 */
export class TimeBase {
  private baseSec: number | undefined;

  /** Relative ns from an OTLP time value: decimal string or number of epoch nanoseconds. */
  fromNanos(v: unknown): number | undefined {
    if (typeof v === 'string') {
      if (v.length === 0 || v.length > 20) return undefined;
      // Split the decimal string so that no intermediate value exceeds 2^53.
      const cut = v.length - 9;
      const sec = cut > 0 ? Number(v.slice(0, cut)) : 0;
      const ns = Number(cut > 0 ? v.slice(cut) : v);
      // Number() accepts '1e3', ' 7', '0x1f': reject anything but plain digits without a regex per call.
      if (!Number.isInteger(sec) || !Number.isInteger(ns) || sec < 0 || ns < 0 || !isDigit(v.charCodeAt(0)) || !isDigit(v.charCodeAt(v.length - 1)) || v.includes('e') || v.includes('x')) return undefined;
      if (this.baseSec === undefined) this.baseSec = sec;
      return (sec - this.baseSec) * 1e9 + ns;
    }
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
      // A JSON number of epoch ns was already rounded by JSON.parse; keep what precision is left.
      const sec = Math.floor(v / 1e9);
      if (this.baseSec === undefined) this.baseSec = sec;
      return Math.round(v - this.baseSec * 1e9);
    }
    return undefined;
  }

  /** Relative ns from epoch microseconds (Jaeger v1). µs values fit a double exactly. */
  fromMicros(us: number): number {
    const sec = Math.floor(us / 1e6);
    if (this.baseSec === undefined) this.baseSec = sec;
    return (us - this.baseSec * 1e6) * 1000;
  }

  /** Relative ns → epoch milliseconds, for display and time windows. */
  toEpochMs(rel: number): number {
    return (this.baseSec ?? 0) * 1000 + rel / 1e6;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
