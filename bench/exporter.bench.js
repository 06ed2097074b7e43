'use strict';
// Exporter throughput: each setup produces spans at a fixed rate (default 5000/s) for a fixed time,
// in its own process pinned to core 0, exporting OTLP/protobuf to the sink on core 1. Reports spans
// lost (counted at the sink), the longest event-loop stall, and how long single serialization calls
// blocked the loop. Rounds alternate ours and sdk-trace-node's BatchSpanProcessor + OTLP exporter.
//
//   node bench/exporter.bench.js   (BENCH_RATE, BENCH_SECONDS, BENCH_ROUNDS, BENCH_QUICK=1)
const fs = require('fs');
const path = require('path');
const { run, startListening, stop } = require('./lib/proc');
const { summary, round } = require('./lib/stats');

const WORKER = path.join(__dirname, 'lib', 'exporter-worker.js');

async function exporterBench({ sinkPort, upstream = true, rounds = 3, rate = 5000, seconds = 10, cpu = 0, log = () => {} } = {}) {
  const list = upstream ? ['ours', 'upstream-lean'] : ['ours'];
  const runs = Object.fromEntries(list.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < list.length; i++) {
      const v = list[(i + r) % list.length];
      const res = await run(process.execPath, [WORKER, v, String(sinkPort), String(rate), String(seconds)], { cpu, timeoutMs: (seconds + 60) * 1000 });
      if (res.code !== 0) throw new Error(`exporter worker ${v} failed: ${res.stderr.slice(-2000)}`);
      runs[v].push(JSON.parse(res.stdout.trim().split('\n').pop()));
    }
    log(`exporter round ${r + 1}/${rounds}`);
  }
  const result = {};
  for (const v of list) {
    const rs = runs[v];
    const med = (k, d = 2) => round(summary(rs.map((x) => x[k])).median, d);
    result[v] = {
      generated: rs.reduce((n, x) => n + x.generated, 0),
      received: rs.reduce((n, x) => n + x.received, 0),
      lost: rs.reduce((n, x) => n + x.lost, 0),
      achievedRate: med('achievedRate', 0),
      cpuUsPerSpan: med('cpuUsPerSpan'),
      loopDelayMaxMs: { median: med('loopDelayMaxMs', 1), max: round(Math.max(...rs.map((x) => x.loopDelayMaxMs)), 1) },
      loopDelayP99Ms: med('loopDelayP99Ms', 1),
      serializeMaxMs: { median: med('serializeMaxMs', 1), max: round(Math.max(...rs.map((x) => x.serializeMaxMs)), 1) },
      serializeMaxCpuMs: { median: med('serializeMaxCpuMs', 1), max: round(Math.max(...rs.map((x) => x.serializeMaxCpuMs)), 1) },
      serializeMaxCpuMsAfterFirst: { median: med('serializeMaxCpuMsAfterFirst', 1), max: round(Math.max(...rs.map((x) => x.serializeMaxCpuMsAfterFirst)), 1) },
      serializeUsPerSpan: med('serializeUsPerSpan'),
      largestBatch: Math.max(...rs.map((x) => x.largestBatch)),
      runs: rs,
    };
  }
  return { rounds, rate, seconds, variants: result };
}

module.exports = { exporterBench };

if (require.main === module) {
  (async () => {
    const { ensureUpstream } = require('./lib/variants');
    const sink = await startListening(process.execPath, [path.join(__dirname, 'lib', 'otlp-sink.js')], { cpu: 1 });
    try {
      const quick = Boolean(process.env.BENCH_QUICK);
      const res = await exporterBench({
        sinkPort: sink.port,
        upstream: process.env.BENCH_UPSTREAM !== '0' && ensureUpstream(),
        rounds: Number(process.env.BENCH_ROUNDS) || (quick ? 1 : 3),
        rate: Number(process.env.BENCH_RATE) || 5000,
        seconds: Number(process.env.BENCH_SECONDS) || (quick ? 1 : 10),
        log: (l) => process.stderr.write(`${l}\n`),
      });
      fs.writeFileSync(path.join(__dirname, 'results', 'exporter.json'), JSON.stringify(res, null, 2) + '\n');
      console.log(JSON.stringify(res, null, 2));
    } finally {
      await stop(sink.child);
    }
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
