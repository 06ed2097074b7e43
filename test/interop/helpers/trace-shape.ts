// Small readers over a trace as Jaeger returns it, shared by the interop tests.
import { JaegerSpan, JaegerTrace } from './jaeger-process';

export const serverSpans = (t: JaegerTrace, service: string): JaegerSpan[] => t.spans.filter((s) => s.service === service && s.kind === 'server');

export const isDbSpan = (s: JaegerSpan): boolean => s.tags['db.system'] === 'postgresql' || s.tags['db.system.name'] === 'postgresql';

export const services = (t: JaegerTrace): string[] => [...new Set(t.spans.map((s) => s.service))].sort();

export const roots = (t: JaegerTrace): JaegerSpan[] => t.spans.filter((s) => s.parentSpanId === undefined);

/** The span that `child` names as its parent (undefined for a root or a missing parent). */
export function parentOf(t: JaegerTrace, child: JaegerSpan): JaegerSpan | undefined {
  return child.parentSpanId === undefined ? undefined : t.spans.find((s) => s.spanId === child.parentSpanId);
}

/** Every span in the trace id, and every parent reference resolvable inside the trace. */
export function danglingParents(t: JaegerTrace): JaegerSpan[] {
  const ids = new Set(t.spans.map((s) => s.spanId));
  return t.spans.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId));
}

/** How far (µs) a child starts before its parent; 0 or negative when it starts inside. */
export function earlyStartMicros(t: JaegerTrace, child: JaegerSpan): number {
  const parent = parentOf(t, child);
  return parent ? parent.startTime - child.startTime : 0;
}

/**
 * A server span cannot start before the client span that sent its request, except by timestamp
 * resolution: the JS SDK stamps span starts with Date.now(), truncated to the millisecond. So a
 * start up to 2 ms early is tolerated and anything more is a clock/time-base defect. The END is not
 * held to that: under load (2 shared cores) the server's 'finish' event can run well after the
 * client already read the whole response — seen here by up to ~27 ms — which is scheduling, not skew.
 */
export const TOLERATED_EARLY_START_MICROS = 2000;

const SKEW_NOTE = /^([0-9a-f]+): clock skew adjustment disabled; not applying calculated delta of /;

/**
 * Jaeger's per-span warnings, less its clock-skew notes on spans that only end after their parent
 * or start before it by timestamp resolution. (The note's "delta" is Jaeger's re-centring of the
 * child inside the parent, tens of ms for a late 'finish', so the timestamps are checked instead.)
 * Anything else — above all "invalid parent span IDs" from a made-up parent — is a real defect.
 */
export function realWarnings(t: JaegerTrace): string[] {
  const out: string[] = [];
  for (const w of t.warnings) {
    const m = SKEW_NOTE.exec(w);
    const span = m ? t.spans.find((s) => s.spanId === m[1]) : undefined;
    if (!span) {
      out.push(w);
      continue;
    }
    const early = earlyStartMicros(t, span);
    const parent = parentOf(t, span);
    // Spelled out so a failure shows which hop and by how much.
    if (early > TOLERATED_EARLY_START_MICROS) {
      out.push(`${w} [${span.service} ${span.kind} "${span.operation}" starts ${early} µs before its parent ${parent?.service} ${parent?.kind} "${parent?.operation}"]`);
    }
  }
  return out;
}
