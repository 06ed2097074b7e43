'use strict';
// Upstream reference "NodeSDK http+pg": what the OpenTelemetry docs show for a code-based setup,
// reduced to the two instrumentations our distribution is about. Preloaded with --require.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');

new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [new HttpInstrumentation(), new PgInstrumentation()],
}).start();
