'use strict';
// Per-request server CPU and memory under load, for each tracing setup around the same hello-world
// server. The server is pinned to core 0; the load generator (fixed request count, keep-alive) and
// the OTLP sink to core 1. Server CPU is read from /proc before and after the measured requests, so
// it includes everything tracing costs in that process: span creation, context, batching, OTLP
// serialization and the export requests. RSS is read after warm-up + measured requests (60k by
// default), i.e. "RSS after 60k requests".
//
//   node bench/request.bench.js   (BENCH_ROUNDS, BENCH_REQUESTS, BENCH_WARMUP, BENCH_QUICK=1)
const fs = require('fs');
const path = require('path');
const { startListening, stop, run, requestJson, sleep } = require('./lib/proc');
const { cpuSeconds, memory } = require('./lib/cpu');
const { summary, round } = require('./lib/stats');
const { ROOT, variants, nodeArgs, tracingEnv } = require('./lib/variants');

const SERVER = path.join(__dirname, 'lib', 'hello-server.js');
const LOAD = path.join(__dirname, 'lib', 'load.js');

async function load(port, n, connections, cpu) {
  const r = await run(process.execPath, [LOAD, String(port), String(n), String(connections)], { cpu, timeoutMs: 600000 });
  if (r.code !== 0) throw new Error(`load generator failed: ${r.stderr.slice(-1000)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  if (out.errors > 0) throw new Error(`${out.errors} of ${n} requests failed`);
  return out;
}

async function requestBench({ sinkPort, upstream = true, list: only, rounds = 5, requests = 55000, warmup = 5000, connections = 8, serverCpu = 0, loadCpu = 1, log = () => {} } = {}) {
  // `only`: ad-hoc setups (e.g. ours with one feature switched off) for profiling runs.
  const list = only ?? variants().filter((v) => upstream || !v.upstream);
  const samples = Object.fromEntries(list.map((v) => [v.id, { usPerRequest: [], rssMiB: [], hwmMiB: [], requestsPerS: [], spansExported: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < list.length; i++) {
      const v = list[(i + r) % list.length];
      const env = tracingEnv(sinkPort, v.env);
      const srv = await startListening(process.execPath, [...nodeArgs(v), SERVER], { env, cpu: serverCpu, cwd: ROOT });
      try {
        const before0 = await requestJson(sinkPort, '/stats');
        await load(srv.port, warmup, connections, loadCpu);
        const cpu0 = cpuSeconds(srv.child.pid);
        const res = await load(srv.port, requests, connections, loadCpu);
        const cpu1 = cpuSeconds(srv.child.pid);
        const mem = memory(srv.child.pid);
        // Give a batch that was just handed to the exporter a moment to land before counting.
        await sleep(200);
        const after = await requestJson(sinkPort, '/stats');
        const s = samples[v.id];
        s.usPerRequest.push(((cpu1 - cpu0) * 1e6) / requests);
        s.rssMiB.push(mem.rssMiB);
        s.hwmMiB.push(mem.hwmMiB);
        s.requestsPerS.push((requests * 1000) / res.ms);
        s.spansExported.push(after.spans - before0.spans);
      } finally {
        await stop(srv.child);
      }
    }
    log(`request round ${r + 1}/${rounds}`);
  }
  const result = {};
  for (const v of list) {
    const s = samples[v.id];
    result[v.id] = {
      label: v.label,
      serverCpuUsPerRequest: rounded(summary(s.usPerRequest), 2),
      rssAfterMiB: rounded(summary(s.rssMiB), 1),
      peakRssMiB: rounded(summary(s.hwmMiB), 1),
      requestsPerS: rounded(summary(s.requestsPerS), 0),
      spansExportedMedian: summary(s.spansExported).median,
    };
  }
  return { rounds, requests, warmup, connections, totalRequestsPerServer: requests + warmup, variants: result };
}

function rounded(s, digits) {
  return { median: round(s.median, digits), min: round(s.min, digits), max: round(s.max, digits), spread: round(s.spread, 2), n: s.n };
}

module.exports = { requestBench };

if (require.main === module) {
  (async () => {
    const { ensureUpstream } = require('./lib/variants');
    const sink = await startListening(process.execPath, [path.join(__dirname, 'lib', 'otlp-sink.js')], { cpu: 1 });
    try {
      const quick = Boolean(process.env.BENCH_QUICK);
      const res = await requestBench({
        sinkPort: sink.port,
        upstream: process.env.BENCH_UPSTREAM !== '0' && ensureUpstream(),
        rounds: Number(process.env.BENCH_ROUNDS) || (quick ? 1 : 5),
        requests: Number(process.env.BENCH_REQUESTS) || (quick ? 500 : 55000),
        warmup: Number(process.env.BENCH_WARMUP) || (quick ? 100 : 5000),
        log: (l) => process.stderr.write(`${l}\n`),
      });
      fs.writeFileSync(path.join(__dirname, 'results', 'request.json'), JSON.stringify(res, null, 2) + '\n');
      console.log(JSON.stringify(res, null, 2));
    } finally {
      await stop(sink.child);
    }
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
