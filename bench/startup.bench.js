'use strict';
// Startup cost of each tracing setup for `node <setup> -e 0`: CPU (user+system), wall time and peak
// RSS, bare node in the same run. Rounds alternate the setups (rotating which goes first) so a
// burst of load from elsewhere on the machine hits every setup alike.
//
//   node bench/startup.bench.js            (BENCH_ROUNDS, BENCH_QUICK=1; writes bench/results/startup.json)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { run } = require('./lib/proc');
const { summary, round } = require('./lib/stats');
const { ROOT, variants, nodeArgs, tracingEnv } = require('./lib/variants');

const PROBE = path.join(__dirname, 'lib', 'rusage-probe.js');

async function startupBench({ sinkPort, upstream = true, rounds = 15, cpu = 0, log = () => {} } = {}) {
  // Candidates add a preload of their own: their startup numbers would not mean anything.
  const list = variants().filter((v) => (upstream || !v.upstream) && !v.candidate);
  const samples = Object.fromEntries(list.map((v) => [v.id, { cpuS: [], wallS: [], peakRssMiB: [] }]));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
  try {
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < list.length; i++) {
        const v = list[(i + r) % list.length];
        const file = path.join(tmp, `${v.id}-${r}.json`);
        const env = tracingEnv(sinkPort, { BENCH_RUSAGE_FILE: file });
        const res = await run(process.execPath, ['--require', PROBE, ...nodeArgs(v), '-e', '0'], { env, cpu, cwd: ROOT, timeoutMs: 30000 });
        if (res.code !== 0 || !fs.existsSync(file)) throw new Error(`startup ${v.id} failed (${res.code ?? res.signal}): ${res.stderr.slice(-2000)}`);
        const u = JSON.parse(fs.readFileSync(file, 'utf8'));
        samples[v.id].cpuS.push((u.userUs + u.systemUs) / 1e6);
        samples[v.id].wallS.push(res.wallMs / 1000);
        samples[v.id].peakRssMiB.push(u.maxRssKiB / 1024);
      }
      log(`startup round ${r + 1}/${rounds}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const result = {};
  for (const v of list) {
    const s = samples[v.id];
    result[v.id] = { label: v.label, cpuS: rounded(summary(s.cpuS)), wallS: rounded(summary(s.wallS)), peakRssMiB: rounded(summary(s.peakRssMiB)) };
  }
  return { rounds, variants: result };
}

function rounded(s) {
  return { median: round(s.median, 4), min: round(s.min, 4), max: round(s.max, 4), spread: round(s.spread, 2), n: s.n };
}

module.exports = { startupBench };

if (require.main === module) {
  (async () => {
    const { startSink } = require('./lib/otlp-sink');
    const { ensureUpstream } = require('./lib/variants');
    const sink = await startSink();
    const upstream = process.env.BENCH_UPSTREAM !== '0' && ensureUpstream();
    const rounds = Number(process.env.BENCH_ROUNDS) || (process.env.BENCH_QUICK ? 2 : 15);
    const res = await startupBench({ sinkPort: sink.port, upstream, rounds, log: (l) => process.stderr.write(`${l}\n`) });
    await sink.close();
    const out = path.join(__dirname, 'results', 'startup.json');
    fs.writeFileSync(out, JSON.stringify(res, null, 2) + '\n');
    console.log(JSON.stringify(res, null, 2));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
