'use strict';
// `npm run bench`: every benchmark in one comparable run. Starts the OTLP sink (core 1), installs the
// upstream comparison packages on demand, runs startup → per-request/memory → per-request in
// process → exporter for every setup, then every other benchmark under bench/ (SQL normalizer, propagator, analyzer…) as is.
// Writes bench/results/latest.json and latest.md and prints the markdown.
//
// Environment:
//   BENCH_QUICK=1        tiny counts (the smoke test; the numbers mean nothing)
//   BENCH_ONLY=a,b       subset of: startup, request, inproc, exporter, others
//   BENCH_UPSTREAM=0     skip the upstream columns (no install)
//   BENCH_OUT=dir        where latest.json / latest.md go (default bench/results)
//   BENCH_OTHERS=a.js,b  only these of the other benchmarks (file names under bench/)
//   BENCH_MERGE=1        keep the parts of an existing latest.json that this run does not redo
//                        (e.g. re-run the SQL benchmarks after a change: BENCH_ONLY=others
//                        BENCH_OTHERS=sql-fingerprint.bench.js BENCH_MERGE=1)
//   BENCH_ROUNDS, BENCH_REQUESTS, BENCH_WARMUP, BENCH_RATE, BENCH_SECONDS   override the defaults
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startListening, stop, run, hasTaskset } = require('./lib/proc');
const { ensureUpstream } = require('./lib/variants');
const { startupBench } = require('./startup.bench');
const { requestBench } = require('./request.bench');
const { inprocBench, defaultList: inprocList } = require('./inproc.bench');
const { exporterBench } = require('./exporter.bench');
const { markdown } = require('./lib/report');

/** Benchmarks written for single packages: run as they are, their own results files embedded. */
const OWN = new Set(['startup.bench.js', 'request.bench.js', 'inproc.bench.js', 'exporter.bench.js', 'run.js']);
function otherBenchmarks(dir = __dirname) {
  return fs
    .readdirSync(dir)
    .filter((f) => !OWN.has(f) && (/\.bench\.js$/.test(f) || /^analy[sz]e.*\.js$/.test(f)))
    .sort();
}

async function runOthers({ quick, log, files }) {
  const out = [];
  for (const file of otherBenchmarks().filter((f) => !files || files.includes(f))) {
    const stem = file.replace(/(\.bench)?\.js$/, '');
    const started = Date.now();
    // Quick mode shrinks the knobs the package benchmarks read; full mode uses their own defaults.
    const env = { ...process.env, ...(quick ? { BENCH_ROUNDS: '1', BENCH_OPS: '1000', BENCH_SPANS: '5000', BENCH_QUERIES: '200' } : {}) };
    log(`running bench/${file}`);
    const r = await run(process.execPath, [path.join(__dirname, file)], { env, cwd: path.join(__dirname, '..'), timeoutMs: quick ? 120000 : 900000 });
    const fresh = (p) => fs.existsSync(p) && fs.statSync(p).mtimeMs >= started;
    const jsonFile = path.join(__dirname, 'results', `${stem}.json`);
    const mdFile = path.join(__dirname, 'results', `${stem}.md`);
    out.push({
      file: `bench/${file}`,
      code: r.code,
      seconds: Math.round(r.wallMs / 100) / 10,
      results: fresh(jsonFile) ? JSON.parse(fs.readFileSync(jsonFile, 'utf8')) : undefined,
      markdown: fresh(mdFile) ? fs.readFileSync(mdFile, 'utf8').trim() : undefined,
      stdoutTail: r.stdout.trim().split('\n').slice(-40).join('\n'),
      stderrTail: r.code === 0 ? undefined : r.stderr.slice(-2000),
    });
  }
  return out;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadavgAtStart: os.loadavg().map((x) => x.toFixed(1)).join(' '),
    pinned: hasTaskset() && cpus.length >= 2,
  };
}

async function main() {
  const quick = Boolean(process.env.BENCH_QUICK);
  const only = new Set((process.env.BENCH_ONLY || 'startup,request,inproc,exporter,others').split(',').map((s) => s.trim()));
  const outDir = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(__dirname, 'results');
  const num = (name, full, small) => Number(process.env[name]) || (quick ? small : full);
  const log = (l) => process.stderr.write(`[bench] ${l}\n`);

  const results = { startedAt: new Date().toISOString(), quick, machine: machine() };
  const upstream = process.env.BENCH_UPSTREAM !== '0' && (only.has('startup') || only.has('request') || only.has('inproc') || only.has('exporter')) && ensureUpstream(log);
  results.upstream = upstream;
  const sink = await startListening(process.execPath, [path.join(__dirname, 'lib', 'otlp-sink.js')], { cpu: 1 });
  try {
    if (only.has('startup')) results.startup = await startupBench({ sinkPort: sink.port, upstream, rounds: num('BENCH_ROUNDS', 15, 1), log });
    if (only.has('request')) {
      results.request = await requestBench({
        sinkPort: sink.port,
        upstream,
        rounds: num('BENCH_ROUNDS', 3, 1),
        requests: num('BENCH_REQUESTS', 55000, 300),
        warmup: num('BENCH_WARMUP', 5000, 50),
        log,
      });
    }
    if (only.has('inproc')) {
      results.inproc = await inprocBench({
        sinkPort: sink.port,
        list: inprocList(upstream),
        rounds: num('BENCH_ROUNDS', 5, 1),
        requests: num('BENCH_REQUESTS', 50000, 300),
        warmup: num('BENCH_WARMUP', 5000, 50),
        log,
      });
    }
    if (only.has('exporter')) {
      results.exporter = await exporterBench({ sinkPort: sink.port, upstream, rounds: num('BENCH_ROUNDS', 3, 1), rate: num('BENCH_RATE', 5000, 2000), seconds: num('BENCH_SECONDS', 10, 1), log });
    }
  } finally {
    await stop(sink.child);
  }
  const others = process.env.BENCH_OTHERS ? process.env.BENCH_OTHERS.split(',').map((f) => f.trim()) : undefined;
  if (only.has('others')) results.others = await runOthers({ quick, log, files: others });
  results.finishedAt = new Date().toISOString();

  fs.mkdirSync(outDir, { recursive: true });
  if (process.env.BENCH_MERGE === '1') mergeInto(results, path.join(outDir, 'latest.json'));
  const md = markdown(results);
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'latest.md'), md);
  process.stdout.write(md);
}

/**
 * BENCH_MERGE: the previous run's parts that this run did not redo are kept, and re-run package
 * benchmarks replace their previous entries one by one. The machine line stays this run's.
 */
function mergeInto(results, file) {
  if (!fs.existsSync(file)) return;
  const previous = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Which run each kept part comes from (a part kept through several merges keeps its own run).
  const keptFrom = {};
  for (const part of ['startup', 'request', 'inproc', 'exporter']) {
    if (results[part] === undefined && previous[part] !== undefined) {
      results[part] = previous[part];
      keptFrom[part] = previous.keptFrom?.[part] ?? previous.startedAt;
    }
  }
  if (previous.others) {
    const fresh = new Map((results.others ?? []).map((o) => [o.file, o]));
    const kept = previous.others.filter((o) => !fresh.has(o.file));
    if (kept.length > 0) keptFrom.others = previous.keptFrom?.others ?? previous.startedAt;
    results.others = previous.others.map((o) => fresh.get(o.file) ?? o);
    for (const o of fresh.values()) if (!previous.others.some((p) => p.file === o.file)) results.others.push(o);
  }
  results.keptFrom = keptFrom;
}

module.exports = { otherBenchmarks, mergeInto };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
