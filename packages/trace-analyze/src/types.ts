/**
 * Types at the seams of the analyzer. Readers (OTLP JSON, Jaeger, Tempo) all produce `SpanRecord`s;
 * the analysis never sees a wire format.
 */

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type AttrValue = string | number | boolean;
export type Attrs = Record<string, AttrValue>;

/**
 * One span, normalised. Times are integer nanoseconds relative to a `TimeBase` (see time-base.ts):
 * absolute epoch nanoseconds do not fit a double exactly, relative ones do, which is what lets the
 * critical-path sections add up *exactly* to the root duration.
 */
export class SpanRecord {
  constructor(
    public traceId: string,
    public spanId: string,
    /** '' when the span has no parent. */
    public parentSpanId: string,
    public name: string,
    public kind: SpanKind,
    public service: string,
    public start: number,
    public end: number,
    public error: boolean,
    public attrs: Attrs,
    /** True when the parent relation is "follows from" (Jaeger FOLLOWS_FROM): not waited for. */
    public followsFrom: boolean = false,
  ) {}
}

/** Where a problem in the input was found: file (or URL) and 1-based line when known. */
export interface InputIssue {
  source: string;
  line?: number;
  message: string;
}

/** Receives spans from readers. Implemented by TraceStore. */
export interface SpanSink {
  add(span: SpanRecord): void;
}
