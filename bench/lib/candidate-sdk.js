'use strict';
// Preload for "unbundled" columns of profiling runs: starts @org/trace-sdk from its dist (not the
// register bundle) so a processor from packages/trace-sdk/src/perf can be plugged in through
// start()'s public options. BENCH_CANDIDATE=control runs the shipped pipeline (the control for
// the bundle/unbundled difference); BENCH_CANDIDATE=encoding-bsp swaps the batch processor +
// exporter for EncodingBatchSpanProcessor posting to OTEL_EXPORTER_OTLP_ENDPOINT.
const http = require('http');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const sdkRequire = require('module').createRequire(path.join(ROOT, 'packages', 'trace-sdk', 'package.json'));
const sdk = sdkRequire('@org/trace-sdk');

if (process.env.BENCH_CANDIDATE === 'encoding-bsp') {
  const { EncodingBatchSpanProcessor } = require(path.join(ROOT, 'packages', 'trace-sdk', 'dist', 'perf', 'encoding-batch-span-processor.js'));
  const { context, ROOT_CONTEXT } = sdkRequire('@opentelemetry/api');
  const { suppressTracing } = sdkRequire('@opentelemetry/core');
  const url = new URL('/v1/traces', process.env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  // Minimal sender (no retries): enough to measure the processor; the real one would be the
  // OTLP exporter's post-with-deadline.
  const send = (body) =>
    context.with(suppressTracing(ROOT_CONTEXT), () =>
      new Promise((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      }),
    );
  sdk.start({
    config: { tracesExporter: [] },
    spanProcessors: [new EncodingBatchSpanProcessor(send, { scheduleDelayMillis: 5000, maxQueueSize: 2048, maxExportBatchSize: 512 })],
  });
} else {
  sdk.start();
}
