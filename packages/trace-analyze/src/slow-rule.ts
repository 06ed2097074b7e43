/** Which traces of an endpoint count as slow: above a percentile of that endpoint, or above a fixed latency. */
export type SlowRule = { kind: 'percentile'; p: number } | { kind: 'absolute'; ms: number };

/** Parses `p95`, `p99.9`, `2000ms`, `2s`, `1.5s`, `250` (ms). Throws with a usable message. */
export function parseSlowRule(text: string): SlowRule {
  const s = text.trim().toLowerCase();
  let m = /^p(\d+(?:\.\d+)?)$/.exec(s);
  if (m) {
    const p = Number(m[1]);
    if (p > 0 && p < 100) return { kind: 'percentile', p };
    throw new Error(`--slow ${text}: percentile must be between 0 and 100 (exclusive)`);
  }
  const ms = parseDurationMs(s);
  if (ms !== undefined && ms >= 0) return { kind: 'absolute', ms };
  throw new Error(`--slow ${text}: expected a percentile like p95/p99 or a latency like 2000ms or 2s`);
}

/** `250`, `250ms`, `2s`, `1.5m`, `1h`, `1d`, `100us`/`100µs` → milliseconds; undefined when not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h|d)?$/.exec(text.trim().toLowerCase());
  if (!m) return undefined;
  const v = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };
  return v * factor[unit];
}

export function describeSlowRule(r: SlowRule): string {
  return r.kind === 'percentile' ? `p${r.p}` : `${r.ms}ms`;
}
