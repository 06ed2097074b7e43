/**
 * The `--format json` schema (schema_version 1). Stable: fields are only ever added.
 * Durations are milliseconds (float), shares are fractions in [0, 1] (excess_share may be negative
 * for components that got *faster* in slow traces, or > 1 when others shrank).
 */
export interface AnalysisReport {
  schema_version: 1;
  /** Traces analysed (with a root span). */
  traces: number;
  /** Distinct spans read (invalid spans and duplicates of a span id excluded; see `input`). */
  spans: number;
  slow_rule: string;
  time_range: { start: string; end: string } | null;
  input: InputSummary;
  endpoints: EndpointReport[];
  findings: Finding[];
}

export interface InputSummary {
  sources: number;
  /** Problems found in the input (first 200; `issue_count` has the total). */
  issues: Array<{ source: string; line?: number; message: string }>;
  issue_count: number;
  /** Traces without a root span (partial): not used for latency statistics. */
  incomplete_traces: number;
  duplicate_spans: number;
  orphan_spans: number;
  /** Spans that started after their parent ended, moved under the ancestor still running (context leaks). */
  reparented_spans: number;
  unreachable_spans: number;
  skew_adjusted_spans: number;
  max_skew_ms: number;
  /** Async subtrees (consumers, follows-from, fire-and-forget) analysed as their own endpoints. */
  async_units: number;
}

export interface EndpointReport {
  /** Root service + root operation, e.g. "checkout-api GET /checkout". */
  name: string;
  service: string;
  operation: string;
  /** 'root' for requests; 'async' for detached subtrees (consumers, follows-from). */
  origin: 'root' | 'async' | 'extra-root';
  count: number;
  error_rate: number;
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  slow_threshold_ms: number;
  slow_count: number;
  slow_mean_ms: number | null;
  baseline_mean_ms: number | null;
  /** 'slow' when shares are over slow traces; 'all' when the slow set is empty. */
  components_basis: 'slow' | 'all';
  components: ComponentReport[];
  slow_attributes: AttributeFinding[];
  worst_trace: WorstTrace | null;
  histogram: { bucket_ms: number[]; counts: number[] };
  /** Aggregated critical path of the slow set (basis), as a tree of components, for flame graphs. */
  flame: FlameNode | null;
}

export interface ComponentReport {
  component: string;
  service: string;
  kind: string;
  /** Mean critical-path time in the basis set / mean latency of that set. Sums to 1 per endpoint. */
  share: number;
  /** (slow mean − baseline mean) of this component / (slow mean − baseline mean) latency. Sums to 1. */
  excess_share: number | null;
  /** Mean critical-path time per trace in the basis set. */
  mean_ms: number;
  baseline_mean_ms: number | null;
  /** Fraction of basis traces whose critical path includes this component. */
  presence: number;
}

export interface AttributeFinding {
  attribute: string;
  value: string;
  slow_fraction: number;
  baseline_fraction: number;
  slow_count: number;
}

export interface WorstTrace {
  trace_id: string;
  start: string;
  duration_ms: number;
  /** Critical path in time order; offsets from the trace start. */
  critical_path: Array<{ component: string; kind: string; service: string; span: string; span_id: string; offset_ms: number; duration_ms: number; depth: number }>;
  /** All spans of the unit (capped at 2,000) for the waterfall. */
  spans: Array<{ span_id: string; parent_span_id: string; name: string; service: string; kind: string; offset_ms: number; duration_ms: number; error: boolean; depth: number }>;
}

export interface FlameNode {
  name: string;
  kind: string;
  value_ms: number;
  children: FlameNode[];
}

export interface Finding {
  type: 'culprit' | 'cascade' | 'attribute' | 'budget' | 'input';
  summary: string;
  endpoint?: string;
  [key: string]: unknown;
}
