import type { Analyzer, UnitRecord } from './analyzer';
import type { AttributeFinding } from './report-schema';

/**
 * Attribute values over-represented in slow traces (e.g. customer.tier=gold). A value is reported
 * when it is in at least 3 slow traces and 20% of them, at least twice as frequent as in the
 * baseline, and 20 points more frequent. Keys with near-unique values (ids) are skipped.
 */
export function compareAttributes(an: Analyzer, slow: UnitRecord[], baseline: UnitRecord[], limit = 5): AttributeFinding[] {
  if (slow.length < 3 || baseline.length === 0) return [];
  const slowCount = countAttrs(slow);
  const baseCount = countAttrs(baseline);
  const distinct = new Map<string, number>();
  for (const id of new Set([...slowCount.keys(), ...baseCount.keys()])) {
    const k = an.attrNames[id][0];
    distinct.set(k, (distinct.get(k) ?? 0) + 1);
  }
  const n = slow.length + baseline.length;
  const maxDistinct = Math.max(20, n / 2);
  const out: AttributeFinding[] = [];
  for (const [id, sc] of slowCount) {
    const [k, v] = an.attrNames[id];
    if ((distinct.get(k) ?? 0) > maxDistinct) continue;
    const sf = sc / slow.length;
    const bf = (baseCount.get(id) ?? 0) / baseline.length;
    if (sc >= 3 && sf >= 0.2 && sf >= 2 * bf && sf - bf >= 0.2) {
      out.push({ attribute: k, value: v, slow_fraction: sf, baseline_fraction: bf, slow_count: sc });
    }
  }
  out.sort((a, b) => b.slow_fraction - b.baseline_fraction - (a.slow_fraction - a.baseline_fraction));
  return out.slice(0, limit);
}

function countAttrs(units: UnitRecord[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const u of units) for (const id of u.attrs) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}
