'use strict';
// One exporter-throughput run in its own process: start a tracing setup ("ours" or "upstream-lean"),
// produce spans at a fixed rate for a fixed time, flush, then report what the OTLP sink received,
// the longest event-loop stall, and how long each serialization call blocked the loop.
//
//   node bench/lib/exporter-worker.js <ours|upstream-lean> <sinkPort> <spansPerSecond> <seconds>
const path = require('path');
const { monitorEventLoopDelay } = require('perf_hooks');
const { requestJson } = require('./proc');
const { upstreamResolve, ROOT } = require('./variants');

const [variant, sinkPort, rateArg, secondsArg] = process.argv.slice(2);
const RATE = Number(rateArg);
const TOTAL = Math.round(RATE * Number(secondsArg));
const endpoint = `http://127.0.0.1:${sinkPort}`;

/**
 * Wraps `holder[name]` so each call is timed: the synchronous part of an export. `spansOf` tells how
 * many spans the call serialized.
 */
function timeCalls(holder, name, spansOf, timings = []) {
  const original = holder[name];
  holder[name] = function timed(...args) {
    // Wall time includes being preempted by other processes on a shared machine; CPU time is
    // what the call itself costs the loop.
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const n = spansOf(this, args);
    const out = original.apply(this, args);
    const c = process.cpuUsage(c0);
    timings.push({ ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c.user + c.system) / 1000, spans: n });
    return out;
  };
  return timings;
}

/** Upstream's exporters (and ours for JSON) serialize a whole batch in serializeRequest. */
function timeSerializer(transformer) {
  return timeCalls(transformer.ProtobufTraceSerializer, 'serializeRequest', (_self, args) => args[0].length);
}

function setup() {
  if (variant === 'ours') {
    const req = require('module').createRequire(path.join(ROOT, 'packages', 'trace-sdk', 'package.json'));
    // Ours encodes each span when it ends and an export only assembles the request from those
    // bytes (EncodedSpanBatch.toRequest): that assembly is the synchronous part of an export, timed
    // here. The per-span encoding is in CPU µs/span and, if it ever stalled, in the loop delay.
    const encoder = require(path.join(ROOT, 'packages', 'trace-sdk', 'dist', 'exporters', 'otlp-proto-encoder.js'));
    const timings = timeCalls(encoder.EncodedSpanBatch.prototype, 'toRequest', (self) => self.count);
    const sdk = req('@org/trace-sdk').start({
      env: { OTEL_SERVICE_NAME: 'bench', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_LOG_LEVEL: 'warn', OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process' },
      config: { instrumentations: [], handleSignals: false },
    });
    const api = req('@opentelemetry/api');
    return { api, timings, flush: () => sdk.forceFlush(30000), dropped: () => sdk.stats().dropped };
  }
  if (variant === 'upstream-lean') {
    const req = require('module').createRequire(upstreamResolve('@opentelemetry/exporter-trace-otlp-proto'));
    const timings = timeSerializer(req('@opentelemetry/otlp-transformer'));
    const { NodeTracerProvider } = require(upstreamResolve('@opentelemetry/sdk-trace-node'));
    const { BatchSpanProcessor } = require(upstreamResolve('@opentelemetry/sdk-trace-base'));
    const { OTLPTraceExporter } = require(upstreamResolve('@opentelemetry/exporter-trace-otlp-proto'));
    const { resourceFromAttributes } = require(upstreamResolve('@opentelemetry/resources'));
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'bench' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    provider.register();
    return { api: require(upstreamResolve('@opentelemetry/api')), timings, flush: () => provider.forceFlush(), dropped: () => undefined };
  }
  throw new Error(`unknown variant ${variant}`);
}

async function main() {
  const { api, timings, flush, dropped } = setup();
  await requestJson(Number(sinkPort), '/reset', 'POST');
  const tracer = api.trace.getTracer('bench-exporter');
  // The attributes an HTTP server span carries, so serialization cost is realistic.
  const attrs = {
    'http.request.method': 'GET',
    'url.path': '/api/orders/42',
    'url.scheme': 'http',
    'http.route': '/api/orders/:id',
    'http.response.status_code': 200,
    'server.address': 'checkout.internal',
    'server.port': 8080,
    'client.address': '10.0.0.1',
    'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
    'network.protocol.version': '1.1',
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let made = 0;
  await new Promise((resolve) => {
    // Catch up to the target count every few ms: the rate holds even when a tick comes late.
    const tick = () => {
      const due = Math.min(TOTAL, Math.floor((RATE * (Date.now() - t0)) / 1000));
      for (; made < due; made++) tracer.startSpan('GET /api/orders/:id', { kind: api.SpanKind.SERVER, attributes: attrs }).end();
      if (made >= TOTAL) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  const genSeconds = (Date.now() - t0) / 1000;
  delay.disable();
  const cpu = process.cpuUsage(cpu0);
  await flush();
  // The flush resolves when the exporter has its answer; give the sink's counter a beat.
  await new Promise((r) => setTimeout(r, 200));
  const sink = await requestJson(Number(sinkPort), '/stats');
  const ser = timings.filter((t) => t.spans > 0);
  const serMs = ser.map((t) => t.ms);
  const serSpans = ser.reduce((n, t) => n + t.spans, 0);
  process.stdout.write(
    JSON.stringify({
      variant,
      generated: made,
      received: sink.spans,
      lost: made - sink.spans,
      droppedBySdk: dropped(),
      generateSeconds: genSeconds,
      achievedRate: made / genSeconds,
      cpuUsPerSpan: (cpu.user + cpu.system) / made,
      loopDelayMaxMs: delay.max / 1e6,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      serializeCalls: ser.length,
      serializeMaxMs: serMs.length ? Math.max(...serMs) : 0,
      serializeMaxCpuMs: ser.length ? Math.max(...ser.map((t) => t.cpuMs)) : 0,
      // The first call runs cold (interpreted code, lazy init); the steady state is what follows.
      serializeMaxCpuMsAfterFirst: ser.length > 1 ? Math.max(...ser.slice(1).map((t) => t.cpuMs)) : 0,
      serializeUsPerSpan: serSpans ? (serMs.reduce((a, b) => a + b, 0) * 1000) / serSpans : 0,
      largestBatch: ser.reduce((m, t) => Math.max(m, t.spans), 0),
    }) + '\n',
  );
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
