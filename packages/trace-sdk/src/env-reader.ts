// Typed readers over an environment map. Every reader validates, and on a bad value records ONE
// warning that names the variable, the bad value (truncated) and the default that is used instead.
// Nothing here throws: a typo in a deployment manifest must never take the app down.

export type Env = Record<string, string | undefined>;

export class EnvReader {
  /** Warnings collected while reading; the SDK logs them once, after the logger is configured. */
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();

  constructor(private readonly env: Env) {}

  /** Raw trimmed value, or undefined when unset or empty (the spec treats empty as unset). */
  raw(name: string): string | undefined {
    const v = this.env[name];
    if (v === undefined) return undefined;
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  warn(name: string, message: string): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.warnings.push(`${name}: ${message}`);
  }

  invalid(name: string, value: string, expected: string, fallback: unknown): void {
    this.warn(name, `invalid value ${quote(value)} (expected ${expected}); using ${describe(fallback)}`);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const l = v.toLowerCase();
    if (l === 'true' || l === '1' || l === 'yes' || l === 'on') return true;
    if (l === 'false' || l === '0' || l === 'no' || l === 'off') return false;
    this.invalid(name, v, 'true or false', fallback);
    return fallback;
  }

  /** Integer within [min, max]. */
  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^[+]?\d+$/.test(v)) {
      this.invalid(name, v, `an integer between ${min} and ${max}`, fallback);
      return fallback;
    }
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.invalid(name, v, `an integer between ${min} and ${max}`, fallback);
      return fallback;
    }
    return n;
  }

  /** Float within [min, max]. */
  number(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      this.invalid(name, v, `a number between ${min} and ${max}`, fallback);
      return fallback;
    }
    return n;
  }

  /** One of a fixed set (case-insensitive). */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const l = v.toLowerCase();
    const hit = allowed.find((a) => a === l);
    if (hit === undefined) {
      this.invalid(name, v, allowed.join(' | '), fallback);
      return fallback;
    }
    return hit;
  }

  /** Comma-separated list, trimmed, lower-cased, empties removed; undefined when unset. */
  list(name: string): string[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    return v
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== '');
  }

  /**
   * `key1=value1,key2=value2` with percent-encoded values (the W3C baggage-like format used by
   * OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS). Bad entries are skipped with ONE
   * warning. With `secret`, the warning never quotes an entry (header values are credentials:
   * `Authorization: Bearer …` written with a colon must not end up in the logs) — only how many
   * entries were bad and the text before their first separator.
   */
  keyValues(name: string, opts: { validKey?: (key: string) => boolean; secret?: boolean } = {}): Record<string, string> {
    const v = this.raw(name);
    const out: Record<string, string> = {};
    if (v === undefined) return out;
    const bad: string[] = [];
    for (const part of v.split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) {
        bad.push(part);
        continue;
      }
      const key = part.slice(0, eq).trim();
      let value = part.slice(eq + 1).trim();
      try {
        value = decodeURIComponent(value);
      } catch {
        bad.push(part);
        continue;
      }
      if (key === '' || /[\x00-\x1f\x7f]/.test(key) || /[\x00-\x08\x0a-\x1f\x7f]/.test(value) || (opts.validKey !== undefined && !opts.validKey(key))) {
        bad.push(part);
        continue;
      }
      out[key] = value;
    }
    if (bad.length > 0) {
      const shown = opts.secret ? bad.map((b) => quote(b.split(/[=:\s]/)[0].slice(0, 40))) : bad.map(quote);
      this.warn(
        name,
        `ignored ${bad.length} malformed entr${bad.length === 1 ? 'y' : 'ies'} (expected key=value with percent-encoded values${opts.validKey ? ' and valid names' : ''}): ${shown.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}${opts.secret ? ' (values not shown)' : ''}`,
      );
    }
    return out;
  }
}

export function quote(v: string): string {
  const s = v.length > 60 ? `${v.slice(0, 60)}…` : v;
  return JSON.stringify(s);
}

function describe(v: unknown): string {
  if (v === undefined) return 'the default';
  if (typeof v === 'string') return `the default "${v}"`;
  return `the default ${String(v)}`;
}
