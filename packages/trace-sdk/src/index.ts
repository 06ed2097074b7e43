export { start, shutdown } from './sdk';
export type { StartOptions, TraceSdk } from './sdk';
export { readConfig } from './config';
export type { SdkConfig, OtlpConfig, BatchConfig, TracesExporterName, SamplerName, LogLevel } from './config';
export type { ExportStats } from './batch-span-processor';
export { BoundedBatchSpanProcessor } from './batch-span-processor';
export { OtlpHttpSpanExporter } from './exporters/otlp-http-exporter';
export { FileSpanExporter } from './exporters/file-exporter';
export { DISTRO_NAME, DISTRO_VERSION } from './version';
