// EncodingBatchSpanProcessor (packages/trace-sdk/src/perf): spans encoded at end must arrive as the
// same OTLP content upstream's serializer would produce, batched, bounded, and flushed on demand.
import * as path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { EncodingBatchSpanProcessor } from '../../packages/trace-sdk/src/perf/encoding-batch-span-processor';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { decode } = require('../lib/otlp-decode');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { countProtobufSpans } = require('../lib/otlp-sink');
const req = require('module').createRequire(path.join(__dirname, '..', '..', 'packages', 'trace-sdk', 'package.json'));
const { ProtobufTraceSerializer } = req('@opentelemetry/otlp-transformer');

function setup(config: { maxQueueSize: number; maxExportBatchSize: number }) {
  const bodies: Buffer[] = [];
  const processor = new EncodingBatchSpanProcessor(async (body) => {
    bodies.push(body);
  }, { scheduleDelayMillis: 60000, ...config });
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc' }),
    spanProcessors: [processor, new SimpleSpanProcessor(memory)],
  });
  return { bodies, processor, memory, http: provider.getTracer('http', '1'), pg: provider.getTracer('pg', '2') };
}

describe('EncodingBatchSpanProcessor', () => {
  it('sends the same request upstream would serialize from the span objects', async () => {
    const s = setup({ maxQueueSize: 100, maxExportBatchSize: 100 });
    for (let i = 0; i < 5; i++) {
      s.http.startSpan(`GET /${i}`, { kind: SpanKind.SERVER, attributes: { i, route: '/x' } }).end();
      s.pg.startSpan('SELECT', { kind: SpanKind.CLIENT }).end();
    }
    await s.processor.forceFlush(1000);
    expect(s.bodies).toHaveLength(1);
    const upstream = Buffer.from(ProtobufTraceSerializer.serializeRequest(s.memory.getFinishedSpans()));
    expect(decode(s.bodies[0])).toEqual(decode(upstream));
    expect(s.processor.stats).toEqual({ exported: 10, dropped: 0, failed: 0 });
  });

  it('exports full batches as they fill, drops and counts beyond the queue limit', async () => {
    const s = setup({ maxQueueSize: 8, maxExportBatchSize: 4 });
    // The first full batch goes out at once; while it is in flight the queue fills up to 8.
    for (let i = 0; i < 20; i++) s.http.startSpan(`s${i}`).end();
    await s.processor.forceFlush(1000);
    const sent = s.bodies.reduce((n, b) => n + countProtobufSpans(b), 0);
    expect(sent + s.processor.stats.dropped).toBe(20);
    expect(s.processor.stats.dropped).toBeGreaterThan(0);
    expect(s.bodies.every((b) => countProtobufSpans(b) <= 4)).toBe(true);
  });

  it('counts a failed delivery and keeps going', async () => {
    let calls = 0;
    const processor = new EncodingBatchSpanProcessor(async () => {
      if (calls++ === 0) throw new Error('collector down');
    }, { scheduleDelayMillis: 60000, maxQueueSize: 10, maxExportBatchSize: 2 });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('t');
    for (let i = 0; i < 4; i++) tracer.startSpan(`s${i}`).end();
    await processor.forceFlush(1000);
    expect(processor.stats).toEqual({ exported: 2, dropped: 0, failed: 2 });
  });
});
