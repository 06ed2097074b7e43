// An in-process provider with the processor under test registered before an in-memory exporter,
// plus the OTLP/JSON body an exporter would send for the finished spans.
import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';

export interface Harness {
  startDbSpan(name?: string, attributes?: Attributes): Span;
  startSpan(name: string, attributes?: Attributes): Span;
  exporter: InMemorySpanExporter;
  otlp(): string;
  shutdown(): Promise<void>;
}

export function harness(processor: SpanProcessor): Harness {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test-db-client');
  return {
    exporter,
    startDbSpan: (name = 'pg.query:SELECT db', attributes = {}) =>
      tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'db', ...attributes } }),
    startSpan: (name, attributes = {}) => tracer.startSpan(name, { attributes }),
    otlp: () => Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans()) as Uint8Array).toString('utf8'),
    shutdown: () => provider.shutdown(),
  };
}

/** OTLP JSON without random ids, timestamps and hashes (which could contain a short numeric "secret"). */
export function withoutIds(otlp: string): string {
  return otlp
    .replace(/"(traceId|spanId|parentSpanId)":"[^"]*"/g, '')
    .replace(/"(startTimeUnixNano|endTimeUnixNano|timeUnixNano)":"?\d+"?/g, '').replace(/"org\.db\.query\.hash","value":\{"stringValue":"[0-9a-f]+"\}/g, '');
}
