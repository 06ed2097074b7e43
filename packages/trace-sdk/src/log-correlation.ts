// Trace context in log records. pino and winston get it from the upstream instrumentations
// (fields `trace_id`, `span_id`, `trace_flags`); we add `x_trace_id`: the X-Trace-ID value this
// request carries (the original legacy value when the trace started from one, else the trace id
// in ORG_TRACE_XTRACEID_FORMAT) — the id that nginx and legacy services wrote in THEIR logs.
// Log *sending* (OTel Logs) stays off: this distribution exports traces; logs stay where they are.
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { legacyHeaderValue } from '@org/trace-propagator';

export const LOG_FIELD_LEGACY_ID = 'x_trace_id';

export type LegacyIdLookup = () => string | undefined;

export function legacyIdLookup(enabled: boolean, format: 'uuid' | 'hex'): LegacyIdLookup {
  if (!enabled) return () => undefined;
  return () => {
    try {
      return legacyHeaderValue(context.active(), format);
    } catch {
      return undefined;
    }
  };
}

/** logHook for instrumentation-pino / instrumentation-winston. */
export function legacyIdLogHook(lookup: LegacyIdLookup) {
  return (_span: unknown, record: Record<string, unknown>) => {
    const v = lookup();
    if (v !== undefined) record[LOG_FIELD_LEGACY_ID] = v;
  };
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * ORG_TRACE_CONSOLE_CONTEXT=true, for apps that only use console: prefixes each line written inside
 * a traced context with `[trace_id=… span_id=…]` (and `x_trace_id=…`). Opt-in because it changes
 * the app's output format. Returns an undo function.
 */
export function installConsoleContext(lookup: LegacyIdLookup): () => void {
  const originals = new Map<string, (...args: unknown[]) => void>();
  for (const m of CONSOLE_METHODS) {
    const original = console[m] as (...args: unknown[]) => void;
    originals.set(m, original);
    console[m] = function consoleWithTraceContext(this: Console, ...args: unknown[]) {
      const sc = trace.getSpanContext(context.active());
      if (sc === undefined || !isSpanContextValid(sc)) return original.apply(this, args);
      const legacy = lookup();
      const prefix = `[trace_id=${sc.traceId} span_id=${sc.spanId}${legacy !== undefined ? ` x_trace_id=${legacy}` : ''}]`;
      // Keep printf-style format strings working: the prefix goes in front of the format string.
      if (typeof args[0] === 'string') return original.call(this, `${prefix} ${args[0]}`, ...args.slice(1));
      return original.call(this, prefix, ...args);
    };
  }
  return () => {
    for (const [m, fn] of originals) (console as unknown as Record<string, unknown>)[m] = fn;
  };
}
