'use strict';
// Runs inproc-driver.js under several setups, rounds alternating, each in its own process pinned to
// core 0 (the OTLP sink on core 1), and prints medians of µs/request (added over `bare`).
//
//   node bench/lib/inproc-runner.js '<json list of {id, args?, env?}>' [rounds=3] [requests=50000]
//   e.g. '[{"id":"bare"},{"id":"ours","args":["--require","@org/trace-register"]},
//          {"id":"ours-noecho","args":["--require","@org/trace-register"],"env":{"ORG_TRACE_RESPONSE_HEADERS":"false"}}]'
//   "$UP" in an argument is replaced by the upstream directory (bench/upstream).
const path = require('path');
const { startListening, stop, run } = require('./proc');
const { tracingEnv, UPSTREAM, ROOT } = require('./variants');

const DRIVER = path.join(__dirname, 'inproc-driver.js');
const list = JSON.parse(process.argv[2]).map((v) => ({ ...v, args: (v.args || []).map((a) => a.replace('$UP', UPSTREAM)) }));
const R = Number(process.argv[3] || 3);
const N = Number(process.argv[4] || 50000);
(async () => {
  const sink = await startListening(process.execPath, [path.join(__dirname, 'otlp-sink.js')], { cpu: 1 });
  const res = Object.fromEntries(list.map((v) => [v.id, []]));
  try {
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < list.length; i++) {
        const v = list[(i + r) % list.length];
        const o = await run(process.execPath, [...v.args, DRIVER, String(N), '5000'], { cpu: 0, env: tracingEnv(sink.port, v.env), cwd: ROOT, timeoutMs: 300000 });
        if (o.code !== 0) {
          console.error(v.id, o.stderr.slice(-500));
          continue;
        }
        res[v.id].push(JSON.parse(o.stdout.trim().split('\n').pop()));
      }
    }
  } finally {
    await stop(sink.child);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = res.bare && res.bare.length ? med(res.bare.map((x) => x.us)) : 0;
  for (const [id, rs] of Object.entries(res)) {
    if (rs.length === 0) continue;
    const us = rs.map((x) => x.us);
    console.log(`${id.padEnd(24)} µs ${med(us).toFixed(2)} (+${(med(us) - base).toFixed(2)}) [${Math.min(...us).toFixed(1)}–${Math.max(...us).toFixed(1)}]  RSS MiB ${med(rs.map((x) => x.rss)).toFixed(1)}`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
