import type { Analyzer, UnitRecord } from './analyzer';
import { mean, pearson } from './percentiles';
import type { Finding } from './report-schema';
import { formatMs } from './format';

export interface CascadeOptions {
  /** Window size; default: the time range / 30, at least 100 ms. */
  windowMs?: number;
}

interface WindowStats {
  units: number;
  connWait: number;
}

/**
 * Cross-trace cascade: a slow dependency that is called while a DB connection is held drains the
 * pool, and endpoints that never call that dependency slow down waiting for connections. No single
 * trace shows this — it only appears when time windows are compared:
 *  1. per window, the mean critical-path time requests spend waiting for a DB connection;
 *  2. "hot" windows are those well above the typical (median) wait;
 *  3. the dependency whose call latency tracks that wait best (Pearson r over windows) and grew in
 *     hot windows is the suspect; how often it is called while holding a connection is the evidence;
 *  4. endpoints that do not call it but slowed in hot windows, mostly waiting, are the victims.
 */
export function findCascade(an: Analyzer, opts: CascadeOptions = {}): Finding[] {
  const all: Array<[number, UnitRecord]> = [];
  an.endpoints.forEach((e, i) => {
    if (e.origin !== 'async') for (const u of e.units) all.push([i, u]);
  });
  if (all.length < 20 || an.calls.length === 0) return [];
  const t0 = an.minStart;
  const range = an.maxEnd - t0;
  const win = Math.max(opts.windowMs !== undefined ? opts.windowMs * 1e6 : range / 30, 100e6);
  const nWin = Math.max(1, Math.ceil((range + 1) / win));
  if (nWin < 6) return [];
  const w = (t: number): number => Math.min(nWin - 1, Math.floor((t - t0) / win));

  const ws: WindowStats[] = Array.from({ length: nWin }, () => ({ units: 0, connWait: 0 }));
  let totalWait = 0;
  let totalDur = 0;
  for (const [, u] of all) {
    const s = ws[w(u.start)];
    s.units++;
    s.connWait += u.connWaitNs;
    totalWait += u.connWaitNs;
    totalDur += u.dur;
  }
  const active = ws.map((s, i) => [i, s] as const).filter(([, s]) => s.units > 0);
  if (active.length < 6 || totalWait < 0.02 * totalDur) return [];
  const waitMean = new Map(active.map(([i, s]) => [i, s.connWait / s.units]));
  const vals = [...waitMean.values()].sort((a, b) => a - b);
  const median = vals[Math.floor(vals.length / 2)];
  const max = vals[vals.length - 1];
  if (max < 1e6) return []; // under 1 ms of waiting per request at worst: no pool problem
  // Hot = clearly above the usual wait (a backlog drains slowly, so "hot" is not just the peak).
  const hotThr = Math.max(3 * median, median + 0.2 * (max - median), 1e6);
  const hot = new Set(active.filter(([i]) => waitMean.get(i)! >= hotThr && waitMean.get(i)! > median).map(([i]) => i));
  if (hot.size === 0 || hot.size === active.length) return [];

  // Dependency latency per window.
  const byCallee = new Map<number, Map<number, number[]>>();
  for (const c of an.calls) {
    let m = byCallee.get(c.callee);
    if (!m) byCallee.set(c.callee, (m = new Map()));
    const i = w(c.start);
    const l = m.get(i);
    if (l) l.push(c.dur);
    else m.set(i, [c.dur]);
  }
  const holdFracOf = (callee: number): number => {
    const cs = an.calls.filter((c) => c.callee === callee);
    return cs.length ? cs.filter((c) => c.holdsConnection).length / cs.length : 0;
  };
  let best: { callee: number; r: number; hotMean: number; coldMean: number; holds: number } | undefined;
  for (const [callee, m] of byCallee) {
    const xs: number[] = [];
    const ys: number[] = [];
    const hotD: number[] = [];
    const coldD: number[] = [];
    for (const [i, durs] of m) {
      if (!waitMean.has(i)) continue;
      xs.push(mean(durs));
      ys.push(waitMean.get(i)!);
      (hot.has(i) ? hotD : coldD).push(...durs);
    }
    if (hotD.length === 0 || coldD.length === 0) continue;
    const r = pearson(xs, ys);
    const hotMean = mean(hotD);
    const coldMean = mean(coldD);
    if (!(r >= 0.5) || hotMean < 1.5 * coldMean) continue;
    // A dependency called while holding a connection explains pool exhaustion; prefer it.
    const holds = holdFracOf(callee) >= 0.5 ? 1 : 0;
    if (!best || holds > best.holds || (holds === best.holds && r > best.r)) best = { callee, r, hotMean, coldMean, holds };
  }
  if (!best) return [];

  const depCalls = an.calls.filter((c) => c.callee === best!.callee);
  const holding = depCalls.filter((c) => c.holdsConnection);
  const holdFrac = holding.length / depCalls.length;
  const holders = [...new Set(holding.map((c) => c.caller))];
  const hotWait = mean(all.filter(([, u]) => hot.has(w(u.start))).map(([, u]) => u.connWaitNs));
  const coldWait = mean(all.filter(([, u]) => !hot.has(w(u.start))).map(([, u]) => u.connWaitNs));

  // Victims: endpoints that (almost) never call the dependency but slowed, mostly waiting.
  const victims: Array<{ endpoint: string; cold_ms: number; hot_ms: number; wait_fraction: number }> = [];
  an.endpoints.forEach((e) => {
    if (e.origin === 'async' || e.units.length === 0) return;
    const calling = e.units.filter((u) => u.callees.includes(best!.callee)).length / e.units.length;
    if (calling > 0.05) return;
    const h = e.units.filter((u) => hot.has(w(u.start)));
    const c = e.units.filter((u) => !hot.has(w(u.start)));
    if (h.length < 2 || c.length < 2) return;
    const hd = mean(h.map((u) => u.dur));
    const cd = mean(c.map((u) => u.dur));
    const dw = mean(h.map((u) => u.connWaitNs)) - mean(c.map((u) => u.connWaitNs));
    if (hd >= 1.3 * cd && hd - cd > 1e6 && dw >= 0.5 * (hd - cd)) {
      victims.push({ endpoint: e.name, cold_ms: cd / 1e6, hot_ms: hd / 1e6, wait_fraction: Math.min(1, dw / (hd - cd)) });
    }
  });
  victims.sort((a, b) => b.hot_ms - b.cold_ms - (a.hot_ms - a.cold_ms));

  const hotIdx = [...hot].sort((a, b) => a - b);
  const from = new Date(an.epochMs(t0 + hotIdx[0] * win)).toISOString();
  const to = new Date(an.epochMs(t0 + (hotIdx[hotIdx.length - 1] + 1) * win)).toISOString();
  const dep = an.callees[best.callee];
  let summary =
    `Cascade: in ${hot.size} of ${active.length} time windows (${from.slice(11, 19)}–${to.slice(11, 19)} UTC) ` +
    `calls to ${dep} slowed ${(best.hotMean / best.coldMean).toFixed(1)}× (mean ${formatMs(best.coldMean / 1e6)} → ${formatMs(best.hotMean / 1e6)}) ` +
    `while DB connection wait rose from ${formatMs(coldWait / 1e6)} to ${formatMs(hotWait / 1e6)} per request (r = ${best.r.toFixed(2)}).`;
  if (holdFrac > 0) {
    summary += ` ${Math.round(holdFrac * 100)}% of ${dep} calls are made while holding a DB connection (${holders.join(', ')}), draining the pool.`;
  }
  if (victims.length > 0) {
    const v = victims[0];
    summary += ` ${v.endpoint}, which does not call ${dep}, slowed from ${formatMs(v.cold_ms)} to ${formatMs(v.hot_ms)}, ${Math.round(v.wait_fraction * 100)}% of that waiting for a connection`;
    summary += victims.length > 1 ? ` (and ${victims.length - 1} more endpoint${victims.length > 2 ? 's' : ''}).` : '.';
  }
  summary += ` The root cause is ${dep} latency, not the database.`;
  return [{
    type: 'cascade', summary, dependency: dep, correlation: round2(best.r),
    dependency_mean_ms: { normal: best.coldMean / 1e6, degraded: best.hotMean / 1e6 },
    connection_wait_mean_ms: { normal: coldWait / 1e6, degraded: hotWait / 1e6 },
    holds_connection_fraction: round2(holdFrac), holders, window_ms: win / 1e6,
    degraded_windows: { count: hot.size, of: active.length, from, to }, victims,
  }];
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
