import type { Analyzer, EndpointAcc, UnitRecord } from './analyzer';
import { mean, percentileSorted, sortedCopy } from './percentiles';
import type { ComponentReport, EndpointReport, FlameNode, WorstTrace } from './report-schema';
import type { SlowRule } from './slow-rule';
import type { SpanNode } from './trace-tree';
import { compareAttributes } from './attribute-compare';

const MS = 1e6;

/** The slow/baseline split of one endpoint, shared by the report and the findings. */
export interface EndpointSplit {
  acc: EndpointAcc;
  thresholdNs: number;
  slow: UnitRecord[];
  baseline: UnitRecord[];
}

export function splitEndpoint(acc: EndpointAcc, rule: SlowRule, sortedDur: Float64Array): EndpointSplit {
  const thresholdNs = rule.kind === 'percentile' ? percentileSorted(sortedDur, rule.p) : rule.ms * MS;
  const slow: UnitRecord[] = [];
  const baseline: UnitRecord[] = [];
  for (const u of acc.units) (u.dur > thresholdNs ? slow : baseline).push(u);
  return { acc, thresholdNs, slow, baseline };
}

/** Per-endpoint statistics: exact percentiles, component shares, excess shares, worst trace, flame. */
export function endpointReport(an: Analyzer, split: EndpointSplit): EndpointReport {
  const { acc, slow, baseline } = split;
  const durs = sortedCopy(acc.units.map((u) => u.dur));
  const basis = slow.length > 0 ? slow : acc.units;
  const basisMean = mean(basis.map((u) => u.dur));
  const slowMean = slow.length > 0 ? mean(slow.map((u) => u.dur)) : NaN;
  const baseMean = baseline.length > 0 ? mean(baseline.map((u) => u.dur)) : NaN;
  const excessDen = slowMean - baseMean;

  const nComp = an.components.infos.length;
  const basisSum = sumByComponent(basis, nComp);
  const baseSum = sumByComponent(baseline, nComp);
  const ids = new Set<number>([...basisSum.ids, ...baseSum.ids]);
  const components: ComponentReport[] = [];
  for (const id of ids) {
    const info = an.components.infos[id];
    const m = basisSum.sum[id] / basis.length;
    const bm = baseline.length > 0 ? baseSum.sum[id] / baseline.length : NaN;
    const excess = slow.length > 0 && baseline.length > 0 && excessDen > 0 ? (m - bm) / excessDen : null;
    components.push({
      component: info.label, service: info.service, kind: info.kind,
      share: basisMean > 0 ? m / basisMean : 0,
      excess_share: excess,
      mean_ms: m / MS,
      baseline_mean_ms: Number.isNaN(bm) ? null : bm / MS,
      presence: basisSum.count[id] / basis.length,
    });
  }
  components.sort((a, b) => b.share - a.share || (b.excess_share ?? 0) - (a.excess_share ?? 0) || a.component.localeCompare(b.component));

  return {
    name: acc.name, service: acc.service, operation: acc.operation, origin: acc.origin,
    count: acc.units.length,
    error_rate: acc.units.filter((u) => u.error).length / acc.units.length,
    mean_ms: mean(durs) / MS,
    p50_ms: percentileSorted(durs, 50) / MS,
    p90_ms: percentileSorted(durs, 90) / MS,
    p95_ms: percentileSorted(durs, 95) / MS,
    p99_ms: percentileSorted(durs, 99) / MS,
    max_ms: durs[durs.length - 1] / MS,
    slow_threshold_ms: split.thresholdNs / MS,
    slow_count: slow.length,
    slow_mean_ms: slow.length > 0 ? slowMean / MS : null,
    baseline_mean_ms: baseline.length > 0 ? baseMean / MS : null,
    components_basis: slow.length > 0 ? 'slow' : 'all',
    components,
    slow_attributes: compareAttributes(an, slow, baseline),
    worst_trace: worstTrace(an, acc),
    histogram: histogram(durs),
    flame: flame(an, basis),
  };
}

/**
 * Critical-path time and presence per component over `units`, in arrays indexed by component id
 * (a Map update per unit and component was a visible part of the report at 1M spans); `ids` lists
 * the components met, in first-seen order (the order the Maps iterated in).
 */
function sumByComponent(units: UnitRecord[], nComp: number): { ids: number[]; sum: Float64Array; count: Float64Array } {
  const sum = new Float64Array(nComp);
  const count = new Float64Array(nComp);
  const ids: number[] = [];
  for (const u of units) {
    for (let i = 0; i < u.compIds.length; i++) {
      const id = u.compIds[i];
      if (count[id] === 0) ids.push(id);
      sum[id] += u.compNs[i];
      count[id]++;
    }
  }
  return { ids, sum, count };
}

/** Log-spaced latency histogram (≈ 4 buckets per doubling) between the endpoint's min and max. */
function histogram(sorted: Float64Array): { bucket_ms: number[]; counts: number[] } {
  if (sorted.length === 0) return { bucket_ms: [], counts: [] };
  let lo = Math.max(sorted[0] / MS, 0.001);
  let hi = sorted[sorted.length - 1] / MS;
  if (hi < lo * 1.05) {
    // One distinct latency (or nearly): widen so the buckets stay distinct after rounding.
    lo *= 0.9;
    hi = Math.max(hi, lo) * 1.1;
  }
  const n = Math.min(60, Math.max(8, Math.ceil(Math.log2(hi / lo) * 4)));
  const edges: number[] = [];
  for (let i = 0; i <= n; i++) edges.push(lo * Math.pow(hi / lo, i / n));
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < sorted.length; i++) {
    const v = Math.max(sorted[i] / MS, lo);
    let b = Math.floor((Math.log(v / lo) / Math.log(hi / lo)) * n);
    if (b >= n) b = n - 1;
    if (b < 0) b = 0;
    counts[b]++;
  }
  return { bucket_ms: edges.map((e) => round3(e)), counts };
}

function worstTrace(an: Analyzer, acc: EndpointAcc): WorstTrace | null {
  const w = acc.worst;
  if (!w) return null;
  const t0 = w.root.span.start;
  const spans: WorstTrace['spans'] = [];
  const stack: Array<[SpanNode, number]> = [[w.root, 0]];
  while (stack.length > 0 && spans.length < 2000) {
    const [n, d] = stack.pop()!;
    const s = n.span;
    spans.push({
      span_id: s.spanId, parent_span_id: s.parentSpanId, name: s.name, service: s.service, kind: s.kind,
      offset_ms: round3((s.start - t0) / MS), duration_ms: round3((s.end - s.start) / MS), error: s.error, depth: d,
    });
    const kids = [...n.children, ...n.detached].sort((a, b) => b.span.start - a.span.start);
    for (const c of kids) stack.push([c, d + 1]);
  }
  return {
    trace_id: w.unit.traceId,
    start: new Date(an.epochMs(t0)).toISOString(),
    duration_ms: w.unit.dur / MS,
    critical_path: w.sections.map((x) => {
      const info = an.components.infos[x.node.comp >= 0 ? x.node.comp : an.components.of(x.node)];
      return {
        component: info.label, kind: info.kind, service: x.node.span.service, span: x.node.span.name, span_id: x.node.span.spanId,
        offset_ms: round3((x.start - t0) / MS), duration_ms: (x.end - x.start) / MS, depth: x.depth,
      };
    }),
    spans,
  };
}

/** Aggregates per-path critical time of `units` into a component tree (mean ms per trace). */
function flame(an: Analyzer, units: UnitRecord[]): FlameNode | null {
  if (units.length === 0) return null;
  const total = new Map<number, number>();
  for (const u of units) for (let i = 0; i < u.pathIds.length; i++) total.set(u.pathIds[i], (total.get(u.pathIds[i]) ?? 0) + u.pathNs[i]);
  const nodes = new Map<number, FlameNode>();
  const root: FlameNode = { name: 'all', kind: 'root', value_ms: 0, children: [] };
  const get = (pid: number): FlameNode => {
    if (pid < 0) return root;
    let n = nodes.get(pid);
    if (n) return n;
    const info = an.components.infos[an.pathComp[pid]];
    n = { name: info.label, kind: info.kind, value_ms: 0, children: [] };
    nodes.set(pid, n);
    get(an.pathParent[pid]).children.push(n);
    return n;
  };
  for (const [pid, ns] of total) {
    // A node's value is its own time plus all descendants' (flame graph convention).
    const v = ns / units.length / MS;
    for (let p = pid; ; p = an.pathParent[p]) {
      get(p).value_ms += v;
      if (p < 0) break;
    }
  }
  const sortRec = (n: FlameNode): void => {
    n.value_ms = round3(n.value_ms);
    n.children.sort((a, b) => b.value_ms - a.value_ms);
    n.children.forEach(sortRec);
  };
  sortRec(root);
  return root;
}

export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
