// OTEL_TRACES_EXPORTER=file: appends one OTLP/JSON ExportTraceServiceRequest per line — the format
// of the collector's `file` exporter and `otlpjsonfile` receiver, and the input of trace-analyze.
// Writes are synchronous, one write(2) per line on an O_APPEND descriptor: several processes (the
// demo's services) can share one file without interleaving, and nothing is lost if the process
// dies right after a batch.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { RateLimitedReporter } from '../logger';

export class FileSpanExporter implements SpanExporter {
  private fd: number | undefined;
  private readonly path: string;
  private serialize: ((spans: ReadableSpan[]) => Uint8Array | undefined) | undefined;

  constructor(path: string, private readonly errors: RateLimitedReporter) {
    this.path = resolve(path);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      if (this.serialize === undefined) {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const t = require('@opentelemetry/otlp-transformer');
        this.serialize = (s) => t.JsonTraceSerializer.serializeRequest(s);
      }
      const bytes = this.serialize(spans);
      if (bytes === undefined) throw new Error('serialization failed');
      if (this.fd === undefined) {
        mkdirSync(dirname(this.path), { recursive: true });
        this.fd = openSync(this.path, 'a');
      }
      const line = Buffer.allocUnsafe(bytes.byteLength + 1);
      line.set(bytes, 0);
      line[bytes.byteLength] = 0x0a;
      let off = 0;
      while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (err) {
      this.errors.report(`${spans.length} spans not written to ${this.path}: ${(err as Error).message}`, spans.length);
      resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
  }
}
