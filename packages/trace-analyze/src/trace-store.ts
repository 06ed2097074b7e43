import type { SpanRecord, SpanSink } from './types';

/**
 * Regroups spans by trace id. Spans of one trace may arrive from many lines, files or fetches in any
 * order, so a trace is only complete once every input has been read.
 */
export class TraceStore implements SpanSink {
  readonly traces = new Map<string, SpanRecord[]>();
  spanCount = 0;

  add(span: SpanRecord): void {
    const list = this.traces.get(span.traceId);
    if (list === undefined) this.traces.set(span.traceId, [span]);
    else {
      span.traceId = list[0].traceId; // share one id string per trace
      list.push(span);
    }
    this.spanCount++;
  }
}
