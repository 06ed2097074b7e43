// A batching span processor that encodes each span to OTLP/protobuf when it ends and queues only
// those bytes. Why: a queue of ReadableSpan objects keeps every span (attributes, events, resource
// references) alive until its batch is sent, so under load they survive young-generation GCs, get
// promoted, and inflate the heap and RSS; and serializing a whole batch at once blocks the event loop
// for milliseconds. Encoding at end spreads the same work evenly, lets span objects die young, and
// leaves the export with a concatenation of small buffers.
//
// Same bounds as BoundedBatchSpanProcessor: queue limit (spans dropped and counted beyond it), batch
// size, schedule delay, one export in flight, deadline-bounded flush/shutdown.
import { Context, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { assembleTraceRequest, encodeSpanField, EncodedSpanGroup } from './otlp-proto-encoder';

export interface EncodingBatchConfig {
  scheduleDelayMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

/** Delivers one encoded ExportTraceServiceRequest; rejects on failure (after its own retries). */
export type EncodedSender = (body: Buffer, spanCount: number) => Promise<void>;

interface Queued {
  resource: ReadableSpan['resource'];
  scope: ReadableSpan['instrumentationScope'];
  bytes: Buffer;
}

export class EncodingBatchSpanProcessor implements SpanProcessor {
  readonly stats = { exported: 0, dropped: 0, failed: 0 };
  private queue: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private isShutdown = false;

  constructor(
    private readonly send: EncodedSender,
    private readonly config: EncodingBatchConfig,
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queue.length >= this.config.maxQueueSize) {
      this.stats.dropped++;
      return;
    }
    let bytes: Buffer;
    try {
      bytes = encodeSpanField(span);
    } catch {
      this.stats.failed++;
      return;
    }
    this.queue.push({ resource: span.resource, scope: span.instrumentationScope, bytes });
    if (this.inFlight !== undefined) return;
    if (this.queue.length >= this.config.maxExportBatchSize) {
      this.clearTimer();
      this.exportNext();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.exportNext();
      }, this.config.scheduleDelayMillis);
      this.timer.unref();
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  async forceFlush(timeoutMillis = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    this.clearTimer();
    while (Date.now() < deadline) {
      if (this.inFlight === undefined && this.queue.length > 0) this.exportNext();
      const current = this.inFlight;
      if (current === undefined) return;
      const left = deadline - Date.now();
      let t: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise<void>((r) => (t = setTimeout(r, left).unref()))]);
      clearTimeout(t);
    }
  }

  async shutdown(timeoutMillis = 30000): Promise<void> {
    if (this.isShutdown) return;
    await this.forceFlush(timeoutMillis);
    this.isShutdown = true;
    this.stats.dropped += this.queue.length;
    this.queue = [];
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private exportNext(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const batch = this.queue.length <= this.config.maxExportBatchSize ? this.queue : this.queue.slice(0, this.config.maxExportBatchSize);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    this.inFlight = this.exportBatch(batch).finally(() => {
      this.inFlight = undefined;
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

  private async exportBatch(batch: Queued[]): Promise<void> {
    // Group by resource and scope: usually one resource and two or three scopes (http, pg, undici).
    const groups = new Map<unknown, Map<string, EncodedSpanGroup>>();
    for (const q of batch) {
      let scopes = groups.get(q.resource);
      if (scopes === undefined) groups.set(q.resource, (scopes = new Map()));
      const key = `${q.scope.name}\n${q.scope.version ?? ''}\n${q.scope.schemaUrl ?? ''}`;
      const g = scopes.get(key);
      if (g === undefined) scopes.set(key, { resource: q.resource, scope: q.scope, spans: [q.bytes] });
      else g.spans.push(q.bytes);
    }
    const all: EncodedSpanGroup[] = [];
    for (const scopes of groups.values()) all.push(...scopes.values());
    try {
      // Resource detectors may still be settling (host id is read asynchronously): wait once each.
      for (const resource of groups.keys()) {
        const r = resource as { asyncAttributesPending?: boolean; waitForAsyncAttributes?: () => Promise<void> };
        if (r.asyncAttributesPending && r.waitForAsyncAttributes) await r.waitForAsyncAttributes().catch(() => {});
      }
      await this.send(assembleTraceRequest(all), batch.length);
      this.stats.exported += batch.length;
    } catch {
      this.stats.failed += batch.length;
    }
  }
}
