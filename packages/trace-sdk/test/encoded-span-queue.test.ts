// BoundedBatchSpanProcessor over the encoded queue (what ships with the OTLP/protobuf exporter):
// spans are encoded as they end, exports carry at most OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans, the
// queue bound drops and counts, and every span is accounted for.
import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { BoundedBatchSpanProcessor } from '../src/batch-span-processor';
import { EncodedSpanQueue, EncodedRequestSender } from '../src/span-queue';
import type { BatchConfig } from '../src/config';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { decode } = require('../../../bench/lib/otlp-decode');

/** Spans per request in a decoded ExportTraceServiceRequest. */
function spanCount(body: Buffer): number {
  const d = decode(body) as Record<number, Record<number, Record<number, unknown[]>[]>[]>;
  return (d[1] ?? []).reduce((n, rs) => n + rs[2].reduce((m, ss) => m + (ss[2]?.length ?? 0), 0), 0);
}

class FakeSender implements EncodedRequestSender {
  bodies: Array<{ body: Buffer; count: number }> = [];
  pending: Array<() => void> = [];
  hold = false;
  result: ExportResult = { code: ExportResultCode.SUCCESS };
  exportEncoded(body: Buffer, count: number, done: (r: ExportResult) => void): void {
    this.bodies.push({ body, count });
    const finish = () => done(this.result);
    if (this.hold) this.pending.push(finish);
    else setImmediate(finish);
  }
  release(): void {
    for (const p of this.pending.splice(0)) p();
  }
}

function setup(config: Partial<BatchConfig> = {}) {
  const batch: BatchConfig = { scheduleDelayMillis: 60000, exportTimeoutMillis: 5000, maxQueueSize: 100, maxExportBatchSize: 10, ...config };
  const sender = new FakeSender();
  const exporter = { export: () => { throw new Error('not used'); }, shutdown: async () => {} };
  const bsp = new BoundedBatchSpanProcessor(exporter, batch, undefined, new EncodedSpanQueue(sender, batch.maxExportBatchSize));
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 't' }), spanProcessors: [bsp as unknown as SpanProcessor] });
  const tracer = provider.getTracer('t');
  const make = (n: number) => {
    for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`, { attributes: { i } }).end();
  };
  return { bsp, sender, make };
}

describe('encoded span queue', () => {
  it('exports full batches as they fill, the rest on flush, every span once', async () => {
    const { bsp, sender, make } = setup();
    make(25);
    await bsp.forceFlush(2000);
    const counts = sender.bodies.map((b) => b.count);
    expect(counts.every((c) => c <= 10)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(25);
    expect(sender.bodies.map((b) => spanCount(b.body))).toEqual(counts);
    expect(bsp.stats).toEqual({ exported: 25, dropped: 0, failed: 0 });
  });

  it('keeps encoding while an export is in flight, within the queue bound; beyond it drops and counts', async () => {
    const { bsp, sender, make } = setup({ maxQueueSize: 30 });
    sender.hold = true;
    make(10); // fills the first batch: its export starts and is held
    await new Promise((r) => setImmediate(r));
    expect(sender.bodies).toHaveLength(1);
    make(40); // 30 fit the queue, 10 are dropped
    expect(bsp.pending).toBe(30);
    expect(bsp.stats.dropped).toBe(10);
    sender.hold = false;
    sender.release();
    await bsp.forceFlush(2000);
    expect(bsp.stats).toEqual({ exported: 40, dropped: 10, failed: 0 });
    expect(sender.bodies.map((b) => b.count)).toEqual([10, 10, 10, 10]);
    expect(sender.bodies.reduce((n, b) => n + spanCount(b.body), 0)).toBe(40);
  });

  it('counts failed exports, and spans still queued at shutdown as dropped', async () => {
    const { bsp, sender, make } = setup();
    sender.result = { code: ExportResultCode.FAILED, error: new Error('refused') };
    make(10);
    await bsp.forceFlush(2000);
    expect(bsp.stats.failed).toBe(10);
    sender.hold = true;
    make(15);
    await bsp.shutdown(50);
    expect(bsp.stats.exported + bsp.stats.failed + bsp.stats.dropped + bsp.abandonedAtShutdown).toBe(25);
  });
});
