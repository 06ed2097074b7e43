'use strict';
// OTLP/protobuf encoding of one export batch: upstream's serializer (@opentelemetry/otlp-transformer,
// what upstream's exporter uses) vs our direct encoder (packages/trace-sdk/src/exporters/
// otlp-proto-encoder.ts) as the exporter uses it — spans encoded as they end, the request assembled
// at export — and whole-batch / chunked, on the same spans in the same process, rounds interleaved. Also the one-time cost of loading each, which lands
// on the event loop at the first export.
//
//   node bench/exporter-serialize.bench.js   (needs `npm run build`; BENCH_ROUNDS, BENCH_QUICK=1)
// Writes bench/results/exporter-serialize.json and .md.
const fs = require('fs');
const path = require('path');
const { summary, round, ratio } = require('./lib/stats');

const ROOT = path.join(__dirname, '..');
const sdkRequire = require('module').createRequire(path.join(ROOT, 'packages', 'trace-sdk', 'package.json'));
const quick = Boolean(process.env.BENCH_QUICK);
const ROUNDS = Number(process.env.BENCH_ROUNDS) || (quick ? 2 : 9);
const BATCHES = quick ? 5 : 60;
const BATCH = 512;

function timedRequire(load) {
  const c0 = process.cpuUsage();
  const mod = load();
  const c = process.cpuUsage(c0);
  return { mod, ms: (c.user + c.system) / 1000 };
}

const upstreamLoad = timedRequire(() => sdkRequire('@opentelemetry/otlp-transformer'));
const oursLoad = timedRequire(() => require(path.join(ROOT, 'packages', 'trace-sdk', 'dist', 'exporters', 'otlp-proto-encoder.js')));
const { ProtobufTraceSerializer } = upstreamLoad.mod;
const { encodeTraceRequest, EncodedSpanBatch } = oursLoad.mod;

// Spans as an instrumented HTTP server produces them: server span with the usual attributes, a pg
// child span, a remote parent for half of them.
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = sdkRequire('@opentelemetry/sdk-trace-base');
const api = sdkRequire('@opentelemetry/api');
const { resourceFromAttributes } = sdkRequire('@opentelemetry/resources');
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'checkout-api', 'host.name': 'checkout-7f9c', 'host.arch': 'amd64', 'os.type': 'linux', 'process.pid': 4242, 'process.runtime.name': 'nodejs', 'process.runtime.version': '20.20.2', 'telemetry.sdk.language': 'nodejs' }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const http = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
const pg = provider.getTracer('@opentelemetry/instrumentation-pg', '0.76.0');
for (let i = 0; i < BATCH / 2; i++) {
  const parent = i % 2 ? api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true }) : api.ROOT_CONTEXT;
  const server = http.startSpan('GET /api/orders/:id', {
    kind: api.SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'url.path': `/api/orders/${i}`,
      'url.scheme': 'http',
      'http.route': '/api/orders/:id',
      'http.response.status_code': 200,
      'server.address': 'checkout.internal',
      'server.port': 8080,
      'client.address': '10.0.0.1',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      'network.protocol.version': '1.1',
      'org.x_trace_id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    },
  }, parent);
  const q = pg.startSpan('pg.query:SELECT shop', {
    kind: api.SpanKind.CLIENT,
    attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'shop', 'db.query.text': 'SELECT id, total FROM orders WHERE id = $1', 'db.query.summary': 'SELECT orders', 'server.address': 'db', 'server.port': 5432 },
  }, api.trace.setSpan(parent, server));
  q.end();
  server.end();
}
const spans = exporter.getFinishedSpans();

// What encodeTraceRequestChunked does between its yields: the loop is blocked one chunk at a time,
// so for this row "slowest batch" is the slowest 128-span chunk.
let slowestChunkMs = 0;
function chunked(s) {
  const parts = [];
  for (let i = 0; i < s.length; i += 128) {
    const c0 = process.hrtime.bigint();
    parts.push(encodeTraceRequest(s.slice(i, i + 128)));
    const ms = Number(process.hrtime.bigint() - c0) / 1e6;
    if (ms > slowestChunkMs) slowestChunkMs = ms;
  }
  return Buffer.concat(parts);
}
// What the exporter does now: each span is encoded when it ends (add), and an export only
// assembles the request from those bytes (toRequest). The adds are spread over the spans' ends, so
// for this row "slowest batch" is the assembly alone: the only part that blocks the loop at once.
const batch = new EncodedSpanBatch();
let slowestAssemblyMs = 0;
function encodedAtEnd(s) {
  for (const span of s) batch.add(span);
  const a0 = process.hrtime.bigint();
  const out = batch.toRequest();
  const ms = Number(process.hrtime.bigint() - a0) / 1e6;
  if (ms > slowestAssemblyMs) slowestAssemblyMs = ms;
  batch.reset();
  return out;
}
const OURS_AT_END = 'ours, as shipped: each span encoded as it ends (EncodedSpanBatch), request assembled at export';
const candidates = {
  'upstream otlp-transformer': (s) => ProtobufTraceSerializer.serializeRequest(s),
  [OURS_AT_END]: encodedAtEnd,
  'ours, whole batch at once (encodeTraceRequest)': (s) => encodeTraceRequest(s),
  'ours, 128-span chunks (encodeTraceRequestChunked)': chunked,
};
const samples = Object.fromEntries(Object.keys(candidates).map((k) => [k, { usPerSpan: [], maxBatchMs: [], bytes: 0 }]));
let sink = 0;
for (let r = 0; r < ROUNDS; r++) {
  const names = Object.keys(candidates);
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + r) % names.length];
    const fn = candidates[name];
    let max = 0;
    slowestChunkMs = 0;
    slowestAssemblyMs = 0;
    const t0 = process.hrtime.bigint();
    for (let b = 0; b < BATCHES; b++) {
      const b0 = process.hrtime.bigint();
      const out = fn(spans);
      const ms = Number(process.hrtime.bigint() - b0) / 1e6;
      if (ms > max) max = ms;
      sink += out.length;
      samples[name].bytes = out.length;
    }
    samples[name].usPerSpan.push(Number(process.hrtime.bigint() - t0) / 1000 / (BATCHES * spans.length));
    samples[name].maxBatchMs.push(fn === chunked ? slowestChunkMs : fn === encodedAtEnd ? slowestAssemblyMs : max);
  }
}
const up = summary(samples['upstream otlp-transformer'].usPerSpan).median;
const results = {
  node: process.version,
  rounds: ROUNDS,
  batchesPerRound: BATCHES,
  spansPerBatch: spans.length,
  loadCpuMs: Object.fromEntries(Object.keys(candidates).map((k) => [k, round(k.startsWith('upstream') ? upstreamLoad.ms : oursLoad.ms, 1)])),
  candidates: Object.fromEntries(
    Object.entries(samples).map(([k, s]) => {
      const u = summary(s.usPerSpan);
      return [k, { usPerSpan: round(u.median, 3), spread: round(u.spread, 2), batchMsMedianOfMax: round(summary(s.maxBatchMs).median, 2), bytesPerBatch: s.bytes, ratioVsUpstream: ratio(u.median, up) }];
    }),
  ),
};
const md = [
  `OTLP/protobuf encoding of a ${spans.length}-span batch (http server + pg spans), median of ${ROUNDS} interleaved rounds × ${BATCHES} batches, node ${process.version}`,
  '',
  '| encoder | µs / span | ×upstream | slowest blocking call ms (batch, chunk or assembly), median round | bytes / batch | load CPU ms (first export) |',
  '|---|---:|---:|---:|---:|---:|',
  ...Object.entries(results.candidates).map(([k, c]) => `| ${k} | ${c.usPerSpan} ±${Math.round(c.spread * 100)}% | ${c.ratioVsUpstream}× | ${c.batchMsMedianOfMax} | ${c.bytesPerBatch} | ${results.loadCpuMs[k]} |`),
].join('\n');
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'results', 'exporter-serialize.json'), JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(__dirname, 'results', 'exporter-serialize.md'), md + '\n');
console.log(md);
if (sink === 0) process.exit(1);
