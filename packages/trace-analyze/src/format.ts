/** Human latency: 0.42 ms, 12.3 ms, 812 ms, 1.41 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatPct(f: number | null | undefined): string {
  if (f === null || f === undefined || Number.isNaN(f)) return '–';
  const s = (f * 100).toFixed(1);
  return s === '-0.0' ? '0.0%' : `${s}%`; // no "-0.0%" for a component that shrank by a hair
}

export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}
