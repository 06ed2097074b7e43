// A bounded batching span processor. Same contract as upstream's BatchSpanProcessor
// (OTEL_BSP_* semantics), with what an agent running in someone else's process needs on top:
//  - exact counters of exported / dropped (queue full) / failed spans, reported rate-limited;
//  - one export in flight at a time, each bounded by exportTimeoutMillis, so a blackholed
//    collector can never pile up sockets or memory;
//  - forceFlush(deadline) that gives up at the deadline and says how many spans it left behind.
// It does less per span than upstream's (no per-span metrics hooks, no promise per onEnd).
// What the queue holds is pluggable (span-queue.ts): the span objects themselves, for any
// SpanExporter, or — with our OTLP/protobuf exporter — each span's encoded bytes.
import { Context, TraceFlags } from '@opentelemetry/api';
import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { BatchConfig } from './config';
import type { RateLimitedReporter } from './logger';
import { QueuedBatch, SpanArrayQueue, SpanQueue } from './span-queue';

export interface ExportStats {
  /** Spans handed to the exporter and acknowledged. */
  exported: number;
  /** Spans dropped because the queue was full. */
  dropped: number;
  /** Spans whose export failed (after the exporter's own retries) or timed out. */
  failed: number;
}

export class BoundedBatchSpanProcessor implements SpanProcessor {
  readonly stats: ExportStats = { exported: 0, dropped: 0, failed: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private inFlightSize = 0;
  /**
   * Marks the in-flight batch once shutdown has counted it as "still in flight at the deadline":
   * whatever that export does afterwards (aborted → failed, a late 200 → exported) must not be
   * counted a second time, so the final report's numbers add up to the spans created.
   */
  private inFlightBatch: { abandoned: boolean } | undefined;
  /** Spans of an export still unanswered when shutdown's deadline passed. */
  abandonedAtShutdown = 0;
  private isShutdown = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly config: BatchConfig,
    private readonly dropReporter?: RateLimitedReporter,
    private readonly queue: SpanQueue = new SpanArrayQueue(exporter),
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queue.length >= this.config.maxQueueSize) {
      this.stats.dropped++;
      this.dropReporter?.report(`export queue full (OTEL_BSP_MAX_QUEUE_SIZE=${this.config.maxQueueSize}); ${this.stats.dropped} spans dropped in total`, 1);
      return;
    }
    try {
      this.queue.push(span);
    } catch {
      // A span the encoder cannot take (it never happens with SDK spans): counted and reported,
      // never thrown into the code that ended it.
      this.stats.failed++;
      this.dropReporter?.report('a span could not be encoded for export', 1);
      return;
    }
    if (this.inFlight !== undefined) return; // the in-flight export re-arms when it completes
    if (this.queue.length >= this.config.maxExportBatchSize) {
      this.clearTimer();
      this.exportNext();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.exportNext();
      }, this.config.scheduleDelayMillis);
      // Never keep the app alive just to export: beforeExit/shutdown flush what is left.
      this.timer.unref();
    }
  }

  get inFlightCount(): number {
    return this.inFlight === undefined ? 0 : this.inFlightSize;
  }

  /** Number of spans waiting (not yet handed to the exporter). */
  get pending(): number {
    return this.queue.length;
  }

  /** Exports everything queued now. Resolves when done or at `timeoutMillis`, whichever is first. */
  async forceFlush(timeoutMillis = this.config.exportTimeoutMillis): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    this.clearTimer();
    while (true) {
      if (this.inFlight === undefined && this.queue.length > 0) this.exportNext();
      const current = this.inFlight;
      if (current === undefined) return;
      const left = deadline - Date.now();
      if (left <= 0) return;
      const timedOut = await raceTimeout(current, left);
      if (timedOut) return;
    }
  }

  async shutdown(timeoutMillis = this.config.exportTimeoutMillis): Promise<void> {
    if (this.isShutdown) return;
    // Exporters that can (ours) stop retrying: the deadline is too short for a backoff to pay off.
    (this.exporter as { drain?: () => void }).drain?.();
    const started = Date.now();
    await this.forceFlush(timeoutMillis);
    this.isShutdown = true;
    this.abandonedAtShutdown = this.inFlightCount;
    if (this.inFlightBatch) this.inFlightBatch.abandoned = true;
    // Whatever is still queued now will never be sent: count it, so the final report is honest.
    this.stats.dropped += this.queue.length;
    this.queue.clear();
    const left = Math.max(0, timeoutMillis - (Date.now() - started));
    await raceTimeout(Promise.resolve().then(() => this.exporter.shutdown()).catch(() => {}), Math.max(left, 1));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private exportNext(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const batch = this.queue.take(this.config.maxExportBatchSize);
    this.inFlightSize = batch.count;
    const token = (this.inFlightBatch = { abandoned: false });
    this.inFlight = this.exportBatch(batch, token).finally(() => {
      this.inFlight = undefined;
      this.inFlightSize = 0;
      this.inFlightBatch = undefined;
      if (this.isShutdown) return;
      if (this.queue.length >= this.config.maxExportBatchSize) this.exportNext();
      else if (this.queue.length > 0 && this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.exportNext();
        }, this.config.scheduleDelayMillis);
        this.timer.unref();
      }
    });
  }

  private async exportBatch(batch: QueuedBatch, token: { abandoned: boolean }): Promise<void> {
    try {
      await batch.prepare();
    } catch {
      /* prepare only waits for resource detectors; a failure leaves the resource as is */
    }
    const result = await new Promise<ExportResult>((resolve) => {
      let settled = false;
      const done = (r: ExportResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(t);
        resolve(r);
      };
      const t = setTimeout(() => done({ code: ExportResultCode.FAILED, error: new Error(`export timed out after ${this.config.exportTimeoutMillis} ms`) }), this.config.exportTimeoutMillis);
      t.unref();
      try {
        batch.send(done);
      } catch (err) {
        done({ code: ExportResultCode.FAILED, error: err as Error });
      }
    });
    if (token.abandoned) return;
    if (result.code === ExportResultCode.SUCCESS) this.stats.exported += batch.count;
    else this.stats.failed += batch.count;
  }
}

/** Resolves true if `timeoutMillis` passed first. The timer never keeps the process alive. */
export function raceTimeout(p: Promise<unknown>, timeoutMillis: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(true), timeoutMillis);
    t.unref();
    p.then(
      () => {
        clearTimeout(t);
        resolve(false);
      },
      () => {
        clearTimeout(t);
        resolve(false);
      },
    );
  });
}
