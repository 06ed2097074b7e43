'use strict';
// Summaries of repeated measurements. Medians, because the machine is shared and a round that
// collided with someone else's build is an outlier, not information; the spread is reported next
// to every median so a reader can tell a real difference from noise.

function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** median, min, max and the relative spread (max - min) / median of a list of numbers. */
function summary(xs) {
  const med = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { median: med, min, max, spread: med === 0 ? 0 : (max - min) / Math.abs(med), n: xs.length };
}

/** A ratio rounded for tables; undefined when either side is missing. */
function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return Math.round((a / b) * 100) / 100;
}

function round(x, digits = 3) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

module.exports = { median, summary, ratio, round };
