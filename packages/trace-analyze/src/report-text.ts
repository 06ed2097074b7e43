import { formatInt, formatMs, formatPct } from './format';
import type { AnalysisReport, EndpointReport } from './report-schema';

export interface TextOptions {
  /** Components listed per endpoint (default 8). */
  top?: number;
  /** ANSI colours (default: off; the CLI turns them on for a TTY). */
  color?: boolean;
}

/** The terminal report: per endpoint a percentile line and a component table; then the findings. */
export function renderText(rep: AnalysisReport, o: TextOptions = {}): string {
  const top = o.top ?? 8;
  const bold = (s: string): string => (o.color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string): string => (o.color ? `\x1b[2m${s}\x1b[0m` : s);
  const out: string[] = [];
  const inp = rep.input;
  out.push(bold(`trace-analyze: ${formatInt(rep.traces)} traces, ${formatInt(rep.spans)} spans from ${inp.sources} source(s)`) +
    (rep.time_range ? dim(`  ${rep.time_range.start} → ${rep.time_range.end}`) : ''));
  const notes: string[] = [];
  if (inp.incomplete_traces) notes.push(`${formatInt(inp.incomplete_traces)} traces without a root span skipped`);
  if (inp.orphan_spans) notes.push(`${formatInt(inp.orphan_spans)} orphan spans attached to their root`);
  if (inp.reparented_spans) notes.push(`${formatInt(inp.reparented_spans)} late spans moved under the ancestor that waited for them`);
  if (inp.duplicate_spans) notes.push(`${formatInt(inp.duplicate_spans)} duplicate spans ignored`);
  if (inp.skew_adjusted_spans) notes.push(`${formatInt(inp.skew_adjusted_spans)} spans corrected for clock skew (max ${formatMs(inp.max_skew_ms)})`);
  if (inp.async_units) notes.push(`${formatInt(inp.async_units)} async subtrees analysed separately`);
  if (notes.length) out.push(dim(notes.join('; ')));
  out.push(`slow set: traces above ${rep.slow_rule} of their endpoint`);

  if (rep.findings.length > 0) {
    out.push('', bold('Findings'));
    for (const f of rep.findings) out.push(...wrap(`• ${f.summary}`, 100, '  '));
  }
  for (const ep of rep.endpoints) out.push('', ...endpointBlock(ep, top, bold, dim));
  if (inp.issue_count > 0) {
    out.push('', bold(`Input problems (${formatInt(inp.issue_count)})`));
    for (const i of inp.issues.slice(0, 20)) out.push(`  ${i.source}${i.line ? `:${i.line}` : ''}: ${i.message}`);
    if (inp.issue_count > 20) out.push(`  … ${formatInt(inp.issue_count - 20)} more (see --format json)`);
  }
  if (rep.endpoints.length === 0) out.push('', 'No complete traces to analyse.');
  return out.join('\n') + '\n';
}

function endpointBlock(ep: EndpointReport, top: number, bold: (s: string) => string, dim: (s: string) => string): string[] {
  const out: string[] = [];
  out.push(bold(`${ep.name}`) + dim(`  ${ep.origin === 'async' ? 'async · ' : ''}${formatInt(ep.count)} traces · ${formatPct(ep.error_rate)} errors`));
  out.push(`  p50 ${formatMs(ep.p50_ms)}   p90 ${formatMs(ep.p90_ms)}   p95 ${formatMs(ep.p95_ms)}   p99 ${formatMs(ep.p99_ms)}   max ${formatMs(ep.max_ms)}`);
  if (ep.slow_count > 0) {
    out.push(`  slow: > ${formatMs(ep.slow_threshold_ms)} → ${formatInt(ep.slow_count)} traces, mean ${formatMs(ep.slow_mean_ms)} vs ${formatMs(ep.baseline_mean_ms)} for the rest`);
  } else {
    out.push(dim(`  no trace above ${formatMs(ep.slow_threshold_ms)}; shares below are over all traces`));
  }
  const rows: string[][] = [['component', 'kind', 'share', 'excess', ep.components_basis === 'slow' ? 'slow mean' : 'mean', 'baseline']];
  for (const c of ep.components.slice(0, top)) {
    rows.push([truncate(c.component, 58), c.kind, formatPct(c.share), formatPct(c.excess_share), formatMs(c.mean_ms), formatMs(c.baseline_mean_ms)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  rows.forEach((r, ri) => {
    const line = r.map((cell, i) => (i === 0 || i === 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
    out.push(`  ${ri === 0 ? dim(line) : line}`);
  });
  if (ep.components.length > top) out.push(dim(`  … ${ep.components.length - top} more components`));
  if (ep.worst_trace) out.push(dim(`  worst trace ${ep.worst_trace.trace_id} (${formatMs(ep.worst_trace.duration_ms)})`));
  return out;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function wrap(text: string, width: number, indent: string): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur.length + w.length + 1 > width && cur) {
      lines.push(cur);
      cur = indent + w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}
