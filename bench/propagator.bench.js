'use strict';
// Extract + inject cost of the `xtraceid` propagator, measured against the W3C trace-context
// propagator alone IN THE SAME RUN (same process, same warm-up, rounds interleaved), so the ratios are
// comparable across machines even when absolute numbers are not.
//
//   node bench/propagator.bench.js            (needs `npx tsc -b packages/trace-propagator` first)
//   BENCH_ROUNDS=15 BENCH_OPS=40000 node bench/propagator.bench.js
//
// Writes bench/results/propagator.json and prints a markdown table.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, trace, TraceFlags, SpanKind } = require('@opentelemetry/api');
const { CompositePropagator, W3CTraceContextPropagator, W3CBaggagePropagator } = require('@opentelemetry/core');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');

let dist;
try {
  dist = require(path.join(__dirname, '..', 'packages', 'trace-propagator', 'dist'));
} catch (err) {
  console.error('build first: npx tsc -b packages/trace-propagator');
  process.exit(1);
}
const { createXTraceId } = dist;

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 9;
const OPS = Number(process.env.BENCH_OPS) || 20000;

// What node:http hands the propagators: lower-cased names, a dozen ordinary headers.
const base = {
  host: 'checkout.internal:8080',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
  accept: 'application/json',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-US,en;q=0.9',
  connection: 'keep-alive',
  'content-type': 'application/json',
  'content-length': '128',
  'x-forwarded-for': '10.1.2.3',
  'x-forwarded-proto': 'https',
};
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const scenarios = {
  'traceparent only': { ...base, traceparent: TRACEPARENT },
  'traceparent + x-trace-id': { ...base, traceparent: TRACEPARENT, 'x-trace-id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301' },
  'x-trace-id uuid only': { ...base, 'x-trace-id': '3F2504E0-4F89-11D3-9A0C-0305E82C3301' },
  'x-trace-id nginx hex only': { ...base, 'x-trace-id': '0af7651916cd43dd8448eb211c80319c' },
  'x-trace-id opaque (sha256)': { ...base, 'x-trace-id': 'checkout-7f3a-20261125-000042' },
  'x-trace-id 8 KiB (rejected)': { ...base, 'x-trace-id': 'x'.repeat(8192) },
  'no trace headers': { ...base },
};

const x = createXTraceId();
const w3c = new W3CTraceContextPropagator();
const baggage = new W3CBaggagePropagator();
const candidates = {
  'w3c tracecontext (baseline)': w3c,
  'xtraceid alone': x.propagator,
  'tracecontext+baggage': new CompositePropagator({ propagators: [w3c, baggage] }),
  'tracecontext+baggage+xtraceid (default)': new CompositePropagator({ propagators: [w3c, baggage, x.propagator] }),
};

// One op = what one request costs: extract the incoming headers, then inject into an outgoing carrier
// with the server span set (a span context derived from what was extracted).
function makeOp(propagator, headers) {
  const spanContext = { traceId: '3f2504e04f8911d39a0c0305e82c3301', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
  let sink = 0;
  const op = () => {
    const ctx = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const out = {};
    propagator.inject(trace.setSpanContext(ctx, spanContext), out, defaultTextMapSetter);
    sink += Object.keys(out).length;
  };
  op.sink = () => sink;
  return op;
}

function timeOps(op, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) op();
  return Number(process.hrtime.bigint() - t0) / n; // ns per op
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs every candidate of a group for ROUNDS interleaved rounds; returns median ns/op per candidate. */
function measure(group) {
  const names = Object.keys(group);
  for (const n of names) timeOps(group[n], OPS); // warm-up (JIT)
  const samples = Object.fromEntries(names.map(n => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the order each round so no candidate always runs right after GC-heavy neighbours.
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length];
      samples[n].push(timeOps(group[n], OPS));
    }
  }
  return Object.fromEntries(names.map(n => [n, median(samples[n])]));
}

// Load is recorded because absolute numbers on a shared 2-core box swing 3-4x; ratios hold much better.
const results = {
  node: process.version,
  cpus: os.cpus().length,
  loadavg1mAtStart: +os.loadavg()[0].toFixed(2),
  rounds: ROUNDS,
  opsPerRound: OPS,
  date: new Date().toISOString(),
  propagators: {},
  tracer: {},
};
const rows = [];
for (const [scenario, headers] of Object.entries(scenarios)) {
  const group = Object.fromEntries(Object.entries(candidates).map(([n, p]) => [n, makeOp(p, headers)]));
  const ns = measure(group);
  const baseline = ns['w3c tracecontext (baseline)'];
  const composite = ns['tracecontext+baggage'];
  results.propagators[scenario] = {
    nsPerOp: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, Math.round(v)])),
    ratioXTraceIdVsW3C: +(ns['xtraceid alone'] / baseline).toFixed(2),
    ratioDefaultCompositeVsW3C: +(ns['tracecontext+baggage+xtraceid (default)'] / baseline).toFixed(2),
    ratioDefaultCompositeVsWithoutXTraceId: +(ns['tracecontext+baggage+xtraceid (default)'] / composite).toFixed(2),
  };
  rows.push([
    scenario,
    Math.round(baseline),
    Math.round(ns['xtraceid alone']),
    results.propagators[scenario].ratioXTraceIdVsW3C,
    Math.round(composite),
    Math.round(ns['tracecontext+baggage+xtraceid (default)']),
    results.propagators[scenario].ratioDefaultCompositeVsWithoutXTraceId,
  ]);
}

// The other per-request cost: starting the entry span through the root-trace-id wrapper vs the plain
// SDK tracer (no span processor, so the difference is the wrapper, not export).
{
  const provider = new BasicTracerProvider({ idGenerator: x.idGenerator });
  const plain = provider.getTracer('bench');
  const wrapped = x.wrapTracerProvider(provider).getTracer('bench');
  const full = new CompositePropagator({ propagators: [w3c, baggage, x.propagator] });
  const ctxLegacy = full.extract(ROOT_CONTEXT, scenarios['x-trace-id uuid only'], defaultTextMapGetter);
  const ctxW3c = full.extract(ROOT_CONTEXT, scenarios['traceparent only'], defaultTextMapGetter);
  const opts = { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } };
  const mk = (tracer, ctx) => () => tracer.startSpan('GET', opts, ctx).end();
  const ns = measure({
    'plain tracer, legacy id ctx': mk(plain, ctxLegacy),
    'wrapped tracer, legacy id ctx': mk(wrapped, ctxLegacy),
    'plain tracer, traceparent ctx': mk(plain, ctxW3c),
    'wrapped tracer, traceparent ctx': mk(wrapped, ctxW3c),
  });
  results.tracer = {
    nsPerOp: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, Math.round(v)])),
    ratioWrappedVsPlainLegacy: +(ns['wrapped tracer, legacy id ctx'] / ns['plain tracer, legacy id ctx']).toFixed(2),
    ratioWrappedVsPlainTraceparent: +(ns['wrapped tracer, traceparent ctx'] / ns['plain tracer, traceparent ctx']).toFixed(2),
  };
}

const table = [
  `extract+inject per request, median of ${ROUNDS} interleaved rounds × ${OPS} ops, node ${process.version}, ` +
    `${results.cpus} cpus, load ${results.loadavg1mAtStart} at start`,
  '',
  '| scenario | W3C alone ns | xtraceid alone ns | xtraceid / W3C | tc+baggage ns | tc+baggage+xtraceid ns | default / without xtraceid |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(r => `| ${r.join(' | ')} |`),
  '',
  '| entry span start | ns/op |',
  '|---|---:|',
  ...Object.entries(results.tracer.nsPerOp).map(([k, v]) => `| ${k} | ${v} |`),
  `| ratio wrapped/plain (legacy id / traceparent) | ${results.tracer.ratioWrappedVsPlainLegacy} / ${results.tracer.ratioWrappedVsPlainTraceparent} |`,
].join('\n');
console.log(table);

fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
const out = path.join(__dirname, 'results', 'propagator.json');
fs.writeFileSync(out + '.tmp', JSON.stringify(results, null, 2) + '\n');
fs.renameSync(out + '.tmp', out);
fs.writeFileSync(path.join(__dirname, 'results', 'propagator.md'), table + '\n');
console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
