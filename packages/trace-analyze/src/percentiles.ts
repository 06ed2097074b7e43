/**
 * Exact percentiles over all values (no sketches: a few hundred thousand doubles sort in
 * milliseconds). Linear interpolation between closest ranks — the definition of SQL's
 * PERCENTILE_CONT and numpy's default — so results can be checked against either.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (p <= 0) return sorted[0];
  if (p >= 100) return sorted[n - 1];
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const frac = rank - lo;
  return frac === 0 ? sorted[lo] : sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac;
}

/** Sorted copy as a Float64Array (numeric sort, no comparator call per element). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(values as ArrayLike<number>);
  a.sort();
  return a;
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Pearson correlation of paired samples; NaN when either side is constant. */
export function pearson(x: number[], y: number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 3) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}
