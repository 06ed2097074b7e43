// What BoundedBatchSpanProcessor keeps between a span's end and its export, and how a batch of it is
// sent. Two kinds:
//  - SpanArrayQueue: the ReadableSpan objects, handed to any SpanExporter (file, console, JSON, a
//    user's exporter) — what upstream's BatchSpanProcessor does;
//  - EncodedSpanQueue: each span encoded to OTLP/protobuf when it ends (exporters/otlp-proto-encoder.ts),
//    for our OTLP/HTTP exporter. Measured reasons in the package README ("Export path"): span objects
//    waiting in a queue survive young-generation GCs and make V8 grow its heap (RSS under load), and
//    serializing a whole batch at once stalls the event loop; bytes do neither.
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { EncodedSpanBatch } from './exporters/otlp-proto-encoder';

/** One batch taken off a queue: `prepare` (async, before sending) then `send` exactly once. */
export interface QueuedBatch {
  readonly count: number;
  prepare(): Promise<void>;
  send(done: (result: ExportResult) => void): void;
}

export interface SpanQueue {
  /** Spans queued, not yet taken. */
  readonly length: number;
  /** Queues a finished span. May throw (the span is then not queued). */
  push(span: ReadableSpan): void;
  /** Takes up to `max` spans, oldest first (length > 0). */
  take(max: number): QueuedBatch;
  /** Forgets everything queued. */
  clear(): void;
}

type Resource = ReadableSpan['resource'];

async function waitForResources(resources: Iterable<Resource>): Promise<void> {
  // Resource detectors may finish asynchronously (e.g. host id); wait once per distinct resource.
  for (const r of resources) {
    const res = r as { asyncAttributesPending?: boolean; waitForAsyncAttributes?: () => Promise<void> };
    if (res.asyncAttributesPending && res.waitForAsyncAttributes) {
      try {
        await res.waitForAsyncAttributes();
      } catch {
        /* a failed detector leaves the resource as is */
      }
    }
  }
}

function distinctResources(spans: readonly ReadableSpan[]): Resource[] {
  const out: Resource[] = [];
  let last: Resource | undefined;
  for (const s of spans) {
    if (s.resource === last) continue;
    last = s.resource;
    if (!out.includes(last)) out.push(last);
  }
  return out;
}

export class SpanArrayQueue implements SpanQueue {
  private spans: ReadableSpan[] = [];

  constructor(private readonly exporter: SpanExporter) {}

  get length(): number {
    return this.spans.length;
  }

  push(span: ReadableSpan): void {
    this.spans.push(span);
  }

  take(max: number): QueuedBatch {
    const batch = this.spans.length <= max ? this.spans : this.spans.slice(0, max);
    this.spans = batch === this.spans ? [] : this.spans.slice(batch.length);
    const exporter = this.exporter;
    return {
      count: batch.length,
      prepare: () => waitForResources(distinctResources(batch)),
      send: (done) => exporter.export(batch, done),
    };
  }

  clear(): void {
    this.spans = [];
  }
}

/** What EncodedSpanQueue needs from the exporter: send a ready ExportTraceServiceRequest body. */
export interface EncodedRequestSender {
  exportEncoded(body: Buffer, spanCount: number, done: (result: ExportResult) => void): void;
}

/**
 * Spans as OTLP/protobuf bytes, in batches of at most `maxBatch` spans: the oldest batch is the one
 * taken; the newest is the one spans are encoded into. Emptied batches are reused (their buffers
 * are already grown to a batch's size), so steady state allocates nothing per span but the encode.
 */
export class EncodedSpanQueue implements SpanQueue {
  private readonly batches: EncodedSpanBatch[] = [];
  private readonly spare: EncodedSpanBatch[] = [];
  private queued = 0;

  constructor(
    private readonly sender: EncodedRequestSender,
    private readonly maxBatch: number,
  ) {}

  get length(): number {
    return this.queued;
  }

  push(span: ReadableSpan): void {
    const open = this.batches[this.batches.length - 1];
    if (open !== undefined && open.count < this.maxBatch) {
      open.add(span);
    } else {
      const fresh = this.spare.pop() ?? new EncodedSpanBatch();
      try {
        fresh.add(span);
      } catch (err) {
        this.recycle(fresh);
        throw err;
      }
      this.batches.push(fresh);
    }
    this.queued++;
  }

  /** Batches are filled up to `maxBatch`, the processor's export size: one batch is one export. */
  take(_max: number): QueuedBatch {
    const batch = this.batches.shift()!;
    const count = batch.count;
    this.queued -= count;
    let body: Buffer | undefined;
    return {
      count,
      prepare: async () => {
        await waitForResources(batch.pendingResources());
        body = batch.toRequest();
        this.recycle(batch);
      },
      send: (done) => this.sender.exportEncoded(body ?? this.bodyOf(batch), count, done),
    };
  }

  clear(): void {
    for (const b of this.batches.splice(0)) this.recycle(b);
    this.queued = 0;
  }

  /** Only reached if `send` were called without `prepare`. */
  private bodyOf(batch: EncodedSpanBatch): Buffer {
    const body = batch.toRequest();
    this.recycle(batch);
    return body;
  }

  private recycle(batch: EncodedSpanBatch): void {
    batch.reset();
    // Two spares cover the steady state (one filling while one is sent); more would only hold memory.
    if (this.spare.length < 2 && !this.spare.includes(batch)) this.spare.push(batch);
  }
}
