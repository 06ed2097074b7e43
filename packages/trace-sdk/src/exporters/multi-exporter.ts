// OTEL_TRACES_EXPORTER accepts a list (e.g. `otlp,console`): fan one batch out to every exporter.
// The batch counts as exported when every exporter succeeded.
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ExportResult, ExportResultCode } from '@opentelemetry/core';

export class MultiSpanExporter implements SpanExporter {
  constructor(private readonly exporters: SpanExporter[]) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let pending = this.exporters.length;
    let failed: ExportResult | undefined;
    for (const e of this.exporters) {
      e.export(spans, (r) => {
        if (r.code !== ExportResultCode.SUCCESS) failed = r;
        if (--pending === 0) resultCallback(failed ?? { code: ExportResultCode.SUCCESS });
      });
    }
  }

  drain(): void {
    for (const e of this.exporters) (e as { drain?: () => void }).drain?.();
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.forceFlush?.()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.shutdown()));
  }
}
