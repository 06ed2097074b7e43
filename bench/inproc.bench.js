'use strict';
// Per-request CPU measured in process: the hello-world server of hello-server.js fed through
// in-memory duplex "sockets" (lib/inproc-driver.js) instead of the kernel, each setup in its own
// process pinned to core 0 (the OTLP sink on core 1), rounds alternating. The socket benchmark
// (request.bench.js) is the method, but on a shared VM a slower server also pays more
// kernel wake-ups per response, so its ratios move ±20–30 % between runs; this one moves a few %,
// and is what the per-feature attribution in packages/trace-sdk/README.md uses.
//
//   node bench/inproc.bench.js   (BENCH_ROUNDS, BENCH_REQUESTS, BENCH_QUICK=1)
//   node bench/inproc.bench.js '<json list of {id, args?, env?}>'   ad-hoc setups, e.g.
//     '[{"id":"bare"},{"id":"ours","args":["--require","@org/trace-register"]},
//       {"id":"ours-noecho","args":["--require","@org/trace-register"],"env":{"ORG_TRACE_RESPONSE_HEADERS":"false"}}]'
//   ("$UP" in an argument is replaced by the upstream directory, bench/upstream)
const path = require('path');
const { startListening, stop, run } = require('./lib/proc');
const { tracingEnv, UPSTREAM, ROOT } = require('./lib/variants');
const { summary, round } = require('./lib/stats');

const DRIVER = path.join(__dirname, 'lib', 'inproc-driver.js');

/** The default setups: bare, lean upstream with and without its exporter, ours with and without. */
function defaultList(upstream) {
  const ours = ['--require', '@org/trace-register'];
  return [
    { id: 'bare', label: 'bare node' },
    ...(upstream
      ? [
          { id: 'upstream-lean', label: 'sdk-trace-node http+pg', args: ['--require', path.join(UPSTREAM, 'trace-node-http-pg.js')] },
          { id: 'upstream-lean-noexport', label: 'sdk-trace-node http+pg, no exporter', args: ['--require', path.join(UPSTREAM, 'trace-node-http-pg-noexport.js')] },
        ]
      : []),
    { id: 'ours', label: 'ours', args: ours },
    { id: 'ours-noexport', label: 'ours, OTEL_TRACES_EXPORTER=none', args: ours, env: { OTEL_TRACES_EXPORTER: 'none' } },
  ];
}

async function inprocBench({ sinkPort, list, rounds = 5, requests = 50000, warmup = 5000, log = () => {} }) {
  const samples = Object.fromEntries(list.map((v) => [v.id, { us: [], mainUs: [], rss: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < list.length; i++) {
      const v = list[(i + r) % list.length];
      const args = (v.args || []).map((a) => a.replace('$UP', () => UPSTREAM));
      const o = await run(process.execPath, [...args, DRIVER, String(requests), String(warmup)], { cpu: 0, env: tracingEnv(sinkPort, v.env), cwd: ROOT, timeoutMs: 300000 });
      if (o.code !== 0) {
        // One broken setup must not cost the rest of the run: it is reported and left out.
        log(`${v.id}: in-process driver failed (exit ${o.code}): ${o.stderr.slice(-1000)}`);
        samples[v.id].failed = true;
        continue;
      }
      const x = JSON.parse(o.stdout.trim().split('\n').pop());
      samples[v.id].us.push(x.us);
      samples[v.id].mainUs.push(x.mainUs);
      samples[v.id].rss.push(x.rss);
    }
    log(`in-process round ${r + 1}/${rounds}`);
  }
  const variants = {};
  for (const v of list) {
    const s = samples[v.id];
    if (s.us.length === 0) continue;
    const r2 = (x) => ({ ...x, median: round(x.median, 2), min: round(x.min, 2), max: round(x.max, 2), spread: round(x.spread, 2) });
    variants[v.id] = { label: v.label ?? v.id, usPerRequest: r2(summary(s.us)), mainThreadUsPerRequest: r2(summary(s.mainUs)), rssMiB: r2(summary(s.rss)) };
  }
  return { rounds, requests, warmup, variants };
}

module.exports = { inprocBench, defaultList };

if (require.main === module) {
  (async () => {
    const { ensureUpstream } = require('./lib/variants');
    const quick = Boolean(process.env.BENCH_QUICK);
    const adHoc = process.argv[2] ? JSON.parse(process.argv[2]) : undefined;
    const upstream = process.env.BENCH_UPSTREAM !== '0' && ensureUpstream();
    const sink = await startListening(process.execPath, [path.join(__dirname, 'lib', 'otlp-sink.js')], { cpu: 1 });
    try {
      const res = await inprocBench({
        sinkPort: sink.port,
        list: adHoc ?? defaultList(upstream),
        rounds: Number(process.env.BENCH_ROUNDS) || (quick ? 1 : 5),
        requests: Number(process.env.BENCH_REQUESTS) || (quick ? 500 : 50000),
        warmup: Number(process.env.BENCH_WARMUP) || (quick ? 100 : 5000),
        log: (l) => process.stderr.write(`${l}\n`),
      });
      const bare = res.variants.bare?.usPerRequest.median ?? 0;
      for (const [id, v] of Object.entries(res.variants)) {
        const u = v.usPerRequest;
        console.log(`${id.padEnd(26)} µs ${u.median.toFixed(2)} (+${(u.median - bare).toFixed(2)}) [${u.min}–${u.max}]  main thread ${v.mainThreadUsPerRequest.median}  RSS MiB ${v.rssMiB.median}`);
      }
    } finally {
      await stop(sink.child);
    }
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
