'use strict';
// Upstream reference "sdk-trace-node http+pg, no exporter": the lean setup without its batch
// processor and exporter: the floor of span creation + instrumentation-http + context propagation.
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || 'unknown_service:node' }),
  spanProcessors: [],
});
provider.register();
registerInstrumentations({ instrumentations: [new HttpInstrumentation(), new PgInstrumentation()] });
