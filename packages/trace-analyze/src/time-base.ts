/**
 * Epoch nanoseconds (~1.7e18) exceed 2^53, so a double cannot hold them exactly. We keep every time
 * as integer nanoseconds relative to a base second picked from the first timestamp seen: that stays
 * exact for data spanning ±104 days around it, and the arithmetic stays plain `number` (fast).
 */
export class TimeBase {
  private baseSec: number | undefined;

  /** The base second, once a timestamp has been seen. */
  get base(): number | undefined {
    return this.baseSec;
  }

  /** Sets the base second unless one is set (readers that parse timestamps themselves). */
  seed(sec: number): void {
    if (this.baseSec === undefined) this.baseSec = sec;
  }

  /** Relative ns from an OTLP time value: decimal string or number of epoch nanoseconds. */
  fromNanos(v: unknown): number | undefined {
    if (typeof v === 'string') {
      const len = v.length;
      if (len === 0 || len > 20) return undefined;
      // Seconds and nanoseconds parsed digit by digit: no substrings, no intermediate above 2^53,
      // and anything but plain digits is rejected on the way.
      const cut = len - 9;
      let sec = 0;
      let ns = 0;
      for (let i = 0; i < len; i++) {
        const d = v.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return undefined;
        if (i < cut) sec = sec * 10 + d;
        else ns = ns * 10 + d;
      }
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

