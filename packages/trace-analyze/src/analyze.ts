import { Analyzer } from './analyzer';
import { findCascade } from './cascade';
import { endpointReport, splitEndpoint } from './endpoint-stats';
import { formatMs, formatPct } from './format';
import { expandInputs, readDocument, readFile, type ProgressFn } from './input-files';
import type { ParallelOptions } from './parallel-read';
import { sortedCopy } from './percentiles';
import type { AnalysisReport, EndpointReport, Finding } from './report-schema';
import { describeSlowRule, parseSlowRule, type SlowRule } from './slow-rule';
import { TimeBase } from './time-base';
import { TraceStore } from './trace-store';
import type { InputIssue } from './types';

export interface AnalyzeOptions {
  /** Slow set per endpoint: 'p95' (default), 'p99', '2000ms', '2s', or a parsed rule. */
  slow?: SlowRule | string;
  /** Overlap between siblings accepted as clock skew, ms (default 2). */
  skewToleranceMs?: number;
  /** Time window for the cascade analysis, ms (default: time range / 30). */
  windowMs?: number;
  /** Only report endpoints whose name contains this string. */
  endpoint?: string;
  /** Endpoints with fewer traces are left out of the report (default 1). */
  minCount?: number;
}

const MAX_ISSUES_KEPT = 200;

/**
 * One analysis run: feed it inputs (files, documents, spans), then `finish()`. Inputs are regrouped
 * by trace id, so a trace may be spread over any number of files and documents.
 */
export class AnalysisSession {
  /**
   * `workers`: threads that parse big JSON-lines files (default: one per available CPU, at most 4;
   * 0 = read in this thread). `chunkBytes`: bytes per chunk handed to a thread (default 8 MiB).
   * Either way the report is identical.
   */
  constructor(readonly readOptions: ParallelOptions = {}) {}

  readonly time = new TimeBase();
  readonly store = new TraceStore();
  readonly issues: InputIssue[] = [];
  issueCount = 0;
  sources = 0;

  /** Records an input problem (kept up to 200; all are counted). */
  issue = (i: InputIssue): void => {
    this.issueCount++;
    if (this.issues.length < MAX_ISSUES_KEPT) this.issues.push(i);
  };

  /** Reads files, directories, globs or '-' (stdin). Unreadable inputs become issues. */
  async readInputs(inputs: string[], progress?: ProgressFn): Promise<void> {
    const { files, issues } = expandInputs(inputs);
    issues.forEach(this.issue);
    for (const f of files) {
      this.sources++;
      await readFile(f, this.store, this.time, this.issue, progress, this.readOptions);
    }
  }

  /** Adds one parsed document (OTLP request, Tempo trace, Jaeger `{data}`); returns spans added. */
  addDocument(doc: unknown, source: string): number {
    return readDocument(doc, { sink: this.store, time: this.time, issue: this.issue, source });
  }

  finish(opts: AnalyzeOptions = {}): AnalysisReport {
    const rule = typeof opts.slow === 'string' ? parseSlowRule(opts.slow) : opts.slow ?? { kind: 'percentile', p: 95 };
    const an = new Analyzer(this.time, { skewToleranceMs: opts.skewToleranceMs ?? 2 });
    // Analyse trace by trace; only small per-trace records outlive this loop.
    this.store.drain((spans) => an.addTrace(spans));
    const minCount = opts.minCount ?? 1;
    const endpoints: EndpointReport[] = [];
    const findings: Finding[] = [];
    const order = an.endpoints
      .map((acc) => acc)
      .filter((acc) => acc.units.length >= minCount && (!opts.endpoint || acc.name.includes(opts.endpoint)))
      .sort((a, b) => (a.origin === 'async' ? 1 : 0) - (b.origin === 'async' ? 1 : 0) || b.units.length - a.units.length || a.name.localeCompare(b.name));
    for (const acc of order) {
      const split = splitEndpoint(acc, rule, sortedCopy(acc.units.map((u) => u.dur)));
      const rep = endpointReport(an, split);
      endpoints.push(rep);
      const culprit = culpritFinding(rep);
      if (culprit) findings.push(culprit);
      for (const a of rep.slow_attributes) {
        findings.push({
          type: 'attribute', endpoint: rep.name, attribute: a.attribute, value: a.value,
          summary: `${rep.name}: ${a.attribute}=${a.value} is in ${formatPct(a.slow_fraction)} of slow traces vs ${formatPct(a.baseline_fraction)} of the others.`,
        });
      }
    }
    findings.unshift(...findCascade(an, { windowMs: opts.windowMs }));
    if (this.issueCount > 0) {
      findings.push({ type: 'input', summary: `${this.issueCount} input problem(s) were skipped (listed under input problems; the rest was analysed).` });
    }
    return {
      schema_version: 1,
      traces: an.traces,
      spans: this.store.spanCount - an.duplicateSpans,
      slow_rule: describeSlowRule(rule),
      time_range: an.traces > 0 ? { start: new Date(an.epochMs(an.minStart)).toISOString(), end: new Date(an.epochMs(an.maxEnd)).toISOString() } : null,
      input: {
        sources: this.sources, issues: this.issues, issue_count: this.issueCount,
        incomplete_traces: an.incompleteTraces, duplicate_spans: an.duplicateSpans, orphan_spans: an.orphanSpans,
        reparented_spans: an.reparentedSpans,
        unreachable_spans: an.unreachableSpans, skew_adjusted_spans: an.skewAdjustedSpans,
        max_skew_ms: an.maxSkewNs / 1e6, async_units: an.asyncUnits,
      },
      endpoints,
      findings,
    };
  }
}

/** "What grows in slow traces": the component with the largest share of the excess latency. */
function culpritFinding(ep: EndpointReport): Finding | undefined {
  if (ep.slow_count === 0 || ep.baseline_mean_ms === null || ep.slow_mean_ms === null) return undefined;
  // Slow traces only a little slower than the rest are the normal tail, not a finding.
  if (ep.slow_mean_ms < 1.25 * ep.baseline_mean_ms) return undefined;
  const ranked = ep.components.filter((c) => c.excess_share !== null && c.excess_share > 0).sort((a, b) => b.excess_share! - a.excess_share!);
  const top = ranked[0];
  if (!top) return undefined;
  const excess = ep.slow_mean_ms - ep.baseline_mean_ms;
  let summary =
    `${ep.name}: slow requests (> ${formatMs(ep.slow_threshold_ms)}, ${ep.slow_count} of ${ep.count}) take ${formatMs(ep.slow_mean_ms)} ` +
    `vs ${formatMs(ep.baseline_mean_ms)} for the rest; ${formatPct(top.excess_share)} of the ${formatMs(excess)} excess is ${top.component} ` +
    `(${formatMs(top.baseline_mean_ms)} → ${formatMs(top.mean_ms)} on the critical path).`;
  const biggest = ep.components[0];
  if (biggest && biggest.component !== top.component && (biggest.excess_share ?? 0) < 0.15) {
    summary += ` The biggest share of slow time, ${biggest.component} (${formatPct(biggest.share)}), grows little (${formatPct(biggest.excess_share)} of the excess).`;
  }
  return { type: 'culprit', endpoint: ep.name, component: top.component, excess_share: top.excess_share, summary };
}

/** Convenience: read inputs and analyse in one call. */
export async function analyzeFiles(inputs: string[], opts: AnalyzeOptions = {}, progress?: ProgressFn): Promise<AnalysisReport> {
  const s = new AnalysisSession();
  await s.readInputs(inputs, progress);
  return s.finish(opts);
}
