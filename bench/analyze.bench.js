'use strict';
// Benchmark of @org/trace-analyze against the article's approach (sum span durations per trace,
// percentiles over the sums, average span duration per component in slow traces), all run in
// the same invocation on the same generated file, each in its own child process so that CPU time
// (all threads of the process) and peak RSS are measured per side. The analyzer runs twice: with
// its default reader threads (one per available CPU, at most 4) and in a single thread.
// Not a timed test: it reports figures and ratios.
//
//   node bench/analyze.bench.js [--spans 1000000] [--keep] [--file existing.jsonl]
// Writes bench/results/analyze.json.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const SPANS = Number(arg('spans', process.env.BENCH_SPANS || 1_000_000));
const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'packages/trace-analyze/dist/index.js');

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4]);
} else {
  main();
}

function main() {
  if (!fs.existsSync(DIST)) {
    console.error('bench: build first (npx tsc -b packages/trace-analyze)');
    process.exit(2);
  }
  const given = arg('file');
  const file = given || path.join(os.tmpdir(), `trace-analyze-bench-${process.pid}.jsonl`);
  // --file reuses a file this script generated earlier (--keep): same seed, same counts.
  const gen = given ? { spans: SPANS, traces: undefined } : generate(file, SPANS);
  const sizeMb = fs.statSync(file).size / 1048576;
  console.log(`${given ? 'using' : 'generated'} ${gen.spans.toLocaleString()} spans (${sizeMb.toFixed(0)} MB) → ${file}`);
  const load = os.loadavg();
  const results = {};
  for (const mode of ['naive', 'analyze', 'analyze_1thread']) {
    // Both sides get the young-generation size the CLI itself relaunches with for large inputs.
    const r = spawnSync(process.execPath, ['--max-semi-space-size=64', __filename, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    results[mode] = JSON.parse(r.stdout.trim().split('\n').pop());
    const x = results[mode];
    console.log(`${mode.padEnd(16)} wall ${x.wall_s.toFixed(2)} s  cpu ${x.cpu_s.toFixed(2)} s  ${Math.round(x.spans / x.cpu_s).toLocaleString()} spans/cpu-s  ${Math.round(x.spans / x.wall_s).toLocaleString()} spans/s wall  peak RSS ${x.max_rss_mb.toFixed(0)} MB${x.workers !== undefined ? `  reader threads ${x.workers}` : ''}  (load ${x.load_avg_1m_at_start})`);
  }
  if (!args.includes('--keep') && !given) fs.unlinkSync(file);
  const a = results.analyze;
  const s = results.analyze_1thread;
  const n = results.naive;
  if (given) Object.assign(gen, { spans: n.spans, traces: n.traces });
  const loadEnd = os.loadavg();
  const per = (x) => ({ ...x, spans_per_cpu_s: Math.round(x.spans / x.cpu_s), spans_per_wall_s: Math.round(x.spans / x.wall_s) });
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    load_avg_1m_at_start: Number(load[0].toFixed(2)),
    load_avg_at_start: load.map((x) => Number(x.toFixed(2))),
    load_avg_at_end: loadEnd.map((x) => Number(x.toFixed(2))),
    input: { spans: gen.spans, traces: gen.traces, file_mb: Number(sizeMb.toFixed(1)) },
    analyze: per(a),
    analyze_1thread: per(s),
    naive: per(n),
    ratio: {
      cpu_analyze_over_naive: Number((a.cpu_s / n.cpu_s).toFixed(2)),
      wall_analyze_over_naive: Number((a.wall_s / n.wall_s).toFixed(2)),
      rss_analyze_over_naive: Number((a.max_rss_mb / n.max_rss_mb).toFixed(2)),
    },
    targets: {
      spans_per_s: 300000, max_rss_mb_for_1M_spans: 1024,
      met_spans_per_s: Math.round(a.spans / a.wall_s) >= 300000, met_rss: a.max_rss_mb < 1024,
    },
    note: 'cpu_s counts every thread of the process (reader threads included). The naive side is the article\'s SQL in JS (it double-counts nested spans); the ratio is the price of the real critical path. The machine is shared: cpu_s is the steadier figure; load averages are recorded per run.',
  };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results/analyze.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(`ratio analyze/naive: cpu ${out.ratio.cpu_analyze_over_naive}×, wall ${out.ratio.wall_analyze_over_naive}×, rss ${out.ratio.rss_analyze_over_naive}× → bench/results/analyze.json`);
}

async function child(mode, file) {
  const loadAtStart = Number(os.loadavg()[0].toFixed(2));
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let spans = 0;
  let traces = 0;
  let workers;
  if (mode === 'analyze' || mode === 'analyze_1thread') {
    const { AnalysisSession } = require(DIST);
    const { workersFor } = require(path.join(ROOT, 'packages/trace-analyze/dist/parallel-read.js'));
    // Default reader threads (what the CLI uses), or none.
    const opts = mode === 'analyze' ? {} : { workers: 0 };
    workers = workersFor(fs.statSync(file).size, opts);
    const s = new AnalysisSession(opts);
    await s.readInputs([file]);
    spans = s.store.spanCount;
    const rep = s.finish({});
    traces = rep.traces;
    if (rep.endpoints.length === 0 || rep.input.issue_count !== 0) throw new Error('bench input was not analysed cleanly');
  } else {
    ({ spans, traces } = await naive(file));
  }
  const cpu = process.cpuUsage(c0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ spans, traces, wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, max_rss_mb: process.resourceUsage().maxRSS / 1024, workers, load_avg_1m_at_start: loadAtStart }) + '\n');
}

/** The article's queries: per trace SUM(duration), percentiles over the sums, AVG per component in slow traces. */
async function naive(file) {
  const readline = require('node:readline');
  const perTrace = new Map(); // traceId → { total, spans: [[component, dur]] }
  let spans = 0;
  const rl = readline.createInterface({ input: fs.createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const doc = JSON.parse(line);
    for (const rs of doc.resourceSpans) {
      const svc = (rs.resource.attributes.find((a) => a.key === 'service.name') || { value: {} }).value.stringValue;
      for (const ss of rs.scopeSpans) {
        for (const sp of ss.spans) {
          const d = (Number(sp.endTimeUnixNano) - Number(sp.startTimeUnixNano)) / 1e6;
          let t = perTrace.get(sp.traceId);
          if (!t) perTrace.set(sp.traceId, (t = { total: 0, spans: [] }));
          t.total += d;
          t.spans.push([`${svc} ${sp.name}`, d]);
          spans++;
        }
      }
    }
  }
  const totals = [...perTrace.values()].map((t) => t.total).sort((a, b) => a - b);
  const pct = (p) => {
    const h = (totals.length - 1) * p;
    return totals[Math.floor(h)] + (h - Math.floor(h)) * (totals[Math.ceil(h)] - totals[Math.floor(h)]);
  };
  const p95 = pct(0.95);
  const comp = new Map();
  for (const t of perTrace.values()) {
    if (t.total <= p95) continue;
    for (const [c, d] of t.spans) {
      const x = comp.get(c) || { sum: 0, n: 0, max: 0 };
      x.sum += d;
      x.n++;
      x.max = Math.max(x.max, d);
      comp.set(c, x);
    }
  }
  [...comp].sort((a, b) => b[1].sum / b[1].n - a[1].sum / a[1].n);
  return { spans, traces: perTrace.size };
}

/** Seeded generator of checkout/dashboard traffic as our file exporter writes it (512 spans per line). */
function generate(file, target) {
  let seed = 12345;
  const r = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let idc = 0;
  const id = (bytes) => (++idc).toString(16).padStart(bytes * 2, '0').replace(/^0/, 'a');
  const ns = (ms) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  const fd = fs.openSync(file, 'w');
  let batch = [];
  let spans = 0;
  let traces = 0;
  const flush = () => {
    const by = new Map();
    for (const s of batch) {
      if (!by.has(s.svc)) by.set(s.svc, []);
      by.get(s.svc).push(s.span);
    }
    const doc = { resourceSpans: [...by].map(([svc, list]) => ({ resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans: list }] })) };
    fs.writeSync(fd, JSON.stringify(doc) + '\n');
    batch = [];
  };
  const T0 = Date.UTC(2026, 10, 25, 14);
  const add = (trace, svc, parent, name, kind, start, dur, attrs = []) => {
    const span = {
      traceId: trace, spanId: id(8), parentSpanId: parent ? parent.spanId : '', name, kind,
      startTimeUnixNano: ns(start), endTimeUnixNano: ns(start + dur), attributes: attrs, status: {},
    };
    current.push({ svc, span });
    spans++;
    return span;
  };
  const str = (key, v) => ({ key, value: { stringValue: v } });
  let current = [];
  while (spans < target) {
    current = [];
    const trace = id(16);
    traces++;
    const t = T0 + traces * 2;
    const dash = r() < 0.5;
    const root = add(trace, 'edge', null, dash ? 'GET /account/dashboard' : 'POST /checkout', 2, t, 0, [str('http.route', dash ? '/account/dashboard' : '/checkout'), str('customer.tier', r() < 0.2 ? 'gold' : 'standard')]);
    const client = add(trace, 'edge', root, 'GET', 3, t + 1, 0, [str('server.address', 'checkout-api')]);
    const api = add(trace, 'checkout-api', client, root.name, 2, t + 1.5, 0, [str('http.route', dash ? '/account/dashboard' : '/checkout')]);
    let c = t + 2;
    const wait = r() < 0.05 ? 50 + r() * 500 : r();
    add(trace, 'checkout-api', api, 'pg-pool.connect', 1, c, wait, [str('db.system', 'postgresql')]);
    c += wait;
    for (let q = 0; q < (dash ? 3 : 2); q++) {
      const d = 1 + r() * 5;
      add(trace, 'checkout-api', api, 'pg.query:SELECT shop', 3, c, d, [str('db.system.name', 'postgresql'), str('db.query.summary', `SELECT t${q}`), str('org.db.query.hash', `${q}`.repeat(16))]);
      c += d + 0.1;
    }
    if (!dash) {
      // credit-scoring and payment in parallel, then inventory
      const cs = 30 + r() * (r() < 0.05 ? 1500 : 60);
      const pay = 20 + r() * 30;
      const a = add(trace, 'checkout-api', api, 'POST', 3, c, cs, [str('server.address', 'credit-scoring')]);
      add(trace, 'credit-scoring', a, 'POST /score', 2, c + 0.3 + (r() - 0.5) * 4, cs - 0.6, []);
      const b = add(trace, 'checkout-api', api, 'POST', 3, c, pay, [str('server.address', 'payment')]);
      add(trace, 'payment', b, 'POST /charge', 2, c + 0.3, pay - 0.6, []);
      c += Math.max(cs, pay) + 0.2;
      const p = add(trace, 'checkout-api', api, 'orders publish', 4, c, 0.5, [str('messaging.destination.name', 'orders')]);
      add(trace, 'email', p, 'orders process', 5, c + 5, 20 + r() * 10, []);
      c += 0.6;
    }
    // Durations of the enclosing spans are known only now: patch them before the trace is batched.
    const end = c + 0.5;
    api.endTimeUnixNano = ns(end);
    client.endTimeUnixNano = ns(end + 0.5);
    root.endTimeUnixNano = ns(end + 1);
    batch.push(...current);
    if (batch.length >= 512) flush();
  }
  if (batch.length) flush();
  fs.closeSync(fd);
  return { spans, traces };
}
