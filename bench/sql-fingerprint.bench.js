'use strict';
// Query hashing cost: our lexer-based normalizer + MurmurHash3 fingerprint (cache miss and cache hit)
// against libpg_query's fingerprint (PostgreSQL's own parser, WASM) and against the article's naive
// md5 of the raw SQL — IN THE SAME RUN (same process, same warm-up, rounds interleaved), so the
// ratios hold even when a shared machine makes absolute numbers swing.
//
//   npx tsc -b packages/trace-processors && node bench/sql-fingerprint.bench.js
//   BENCH_ROUNDS=25 BENCH_OPS=20000 node bench/sql-fingerprint.bench.js
//
// Writes bench/results/sql-fingerprint.json and .md, prints a markdown table.
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

let dist;
try {
  dist = require(path.join(__dirname, '..', 'packages', 'trace-processors', 'dist'));
} catch {
  console.error('build first: npx tsc -b packages/trace-processors');
  process.exit(1);
}
const { normalizeSql, QueryHasher } = dist;
const lpq = require('libpg-query');

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = Number(process.env.BENCH_ROUNDS) || (QUICK ? 3 : 15);
const OPS = Number(process.env.BENCH_OPS) || (QUICK ? 500 : 10000);

// 200-byte statements (198–215) of the kinds a web app sends: the budget is per 200-byte
// query. A join with inline literals and an IN list, a multi-row parameterized INSERT, an UPDATE with
// arithmetic and literals, and an ORM's fully quoted SELECT.
const SHORT = [
  "SELECT u.id, u.email, u.name, u.created_at FROM users u JOIN orders o ON o.user_id = u.id WHERE u.email = 'alice@example.com' AND o.status IN ('paid', 'shipped') AND o.total > 100 ORDER BY o.created_at DESC LIMIT 10",
  'INSERT INTO order_items (order_id, product_id, quantity, price, currency, created_at) VALUES ($1, $2, $3, $4, $5, now()), ($6, $7, $8, $9, $10, now()) ON CONFLICT DO NOTHING RETURNING id, created_at',
  "UPDATE accounts SET balance = balance - 125.50, updated_at = now(), version = version + 1 WHERE id = 42 AND balance >= 125.50 AND status <> 'frozen' AND currency = 'EUR' RETURNING id, balance, updated_at",
  'SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."createdAt" FROM "public"."Post" WHERE ("public"."Post"."authorId" = $1 AND "public"."Post"."published" = $2) LIMIT $3 OFFSET $4',
];
const avgShort = Math.round(SHORT.reduce((n, q) => n + q.length, 0) / SHORT.length);
// The set measured up to November 2026 (156–183 bytes; its figure was scaled up to 200 bytes, fixed
// costs included), still reported so that figures compare across runs.
const EARLIER = [
  "SELECT u.id, u.email, u.name FROM users u JOIN orders o ON o.user_id = u.id WHERE u.email = 'alice@example.com' AND o.status IN ('paid', 'shipped') ORDER BY o.created_at DESC LIMIT 10",
  'INSERT INTO order_items (order_id, product_id, quantity, price, created_at) VALUES ($1, $2, $3, $4, now()), ($5, $6, $7, $8, now()) RETURNING id, created_at',
  "UPDATE accounts SET balance = balance - 125.50, updated_at = now() WHERE id = 42 AND balance >= 125.50 AND status <> 'frozen' RETURNING id, balance, updated_at",
  'SELECT "public"."Post"."id", "public"."Post"."title" FROM "public"."Post" WHERE ("public"."Post"."authorId" = $1 AND "public"."Post"."published" = $2) LIMIT $3',
];
const avgEarlier = Math.round(EARLIER.reduce((n, q) => n + q.length, 0) / EARLIER.length);

// Long statements: a 4 KiB analytics query and a 64 KiB bulk insert.
const LONG_4K = (() => {
  let q = 'WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval \'7 days\') SELECT ';
  let i = 0;
  while (q.length < 4000) q += `sum(CASE WHEN r.status = 'state_${i}' THEN r.total_${i} ELSE 0 END) AS s${i++}, `;
  return q + "count(*) FROM recent r JOIN users u ON u.id = r.user_id WHERE u.country = 'DE' GROUP BY u.id";
})();
const LONG_64K = (() => {
  let q = 'INSERT INTO events (tenant_id, kind, payload, created_at) VALUES ';
  const rows = [];
  for (let i = 0; q.length + rows.length * 60 < 64 * 1024; i++) rows.push(`(${i % 97}, 'kind_${i % 13}', '{"n":${i},"user":"u${i}@example.com"}', now())`);
  return q + rows.join(', ');
})();

const md5 = (q) => crypto.createHash('md5').update(q).digest('hex');
// The cache-miss path exactly as a traced query pays it: QueryHasher.analyze without a cache
// (normalize + summary + hash of the key + the result object).
const missHasher = new QueryHasher({ cacheSize: 0 });
const ours = (q) => missHasher.analyze(q).hash;
const hasher = new QueryHasher();

/**
 * Median ns/op over interleaved rounds; each op runs on the next query of `queries`. The fastest
 * round of each candidate is left in `lastMinima`: on this shared VM the medians of two runs minutes
 * apart differ by up to ±10 % while the minima stay within ~3 %, so both are reported (the targets are
 * judged on the median).
 */
let lastMinima = {};
function measure(candidates, queries, ops) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  let sink = 0;
  for (const n of names) for (let i = 0; i < Math.min(ops, 2000); i++) sink += candidates[n](queries[i % queries.length]).length; // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of names) {
      const f = candidates[n];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) sink += f(queries[i % queries.length]).length;
      samples[n].push(Number(process.hrtime.bigint() - t0) / ops);
    }
  }
  if (sink === 0) throw new Error('unreachable');
  lastMinima = Object.fromEntries(names.map((n) => [n, Math.min(...samples[n])]));
  return Object.fromEntries(names.map((n) => [n, samples[n].sort((a, b) => a - b)[samples[n].length >> 1]]));
}

async function main() {
  await lpq.loadModule();
  for (const q of SHORT) hasher.analyze(q), hasher.analyze(q); // the cache-hit column (admitted on the second sighting)
  const results = {
    node: process.version,
    cpus: os.cpus().length,
    loadavg1mAtStart: +os.loadavg()[0].toFixed(2),
    rounds: ROUNDS,
    opsPerRound: OPS,
    date: new Date().toISOString(),
    short: {},
    long: {},
    memory: {},
  };

  const short = measure(
    {
      'md5 of raw SQL (article)': md5,
      'ours, cache hit': (q) => hasher.analyze(q).hash,
      'ours, cache miss (normalize + fingerprint)': ours,
      'libpg_query fingerprint': (q) => lpq.fingerprintSync(q),
    },
    SHORT,
    OPS,
  );
  results.short = {
    bytes: avgShort,
    nsPerOp: Object.fromEntries(Object.entries(short).map(([k, v]) => [k, Math.round(v)])),
    fastestRoundNsPerOp: Object.fromEntries(Object.entries(lastMinima).map(([k, v]) => [k, Math.round(v)])),
    ratioMissVsLibpgQuery: +(short['ours, cache miss (normalize + fingerprint)'] / short['libpg_query fingerprint']).toFixed(3),
    ratioHitVsLibpgQuery: +(short['ours, cache hit'] / short['libpg_query fingerprint']).toFixed(3),
    ratioMissVsMd5: +(short['ours, cache miss (normalize + fingerprint)'] / short['md5 of raw SQL (article)']).toFixed(2),
    ratioHitVsMd5: +(short['ours, cache hit'] / short['md5 of raw SQL (article)']).toFixed(2),
  };

  // The public normalizeSql (builds the key string, no hash) in a block of its own, after the miss
  // path was measured: it runs the same normalizer code with other branches, and an application's
  // span processor never calls it. Measured in the same rounds, its type feedback made the miss
  // path's optimized code polymorphic (~+5 % there).
  Object.assign(
    results.short.nsPerOp,
    Object.fromEntries(
      Object.entries(measure({ 'ours, normalizeSql only (public API, builds the key string)': (q) => normalizeSql(q).key }, SHORT, OPS)).map(([k, v]) => [k, Math.round(v)]),
    ),
  );

  const earlier = measure({ 'ours, cache miss (normalize + fingerprint)': ours, 'libpg_query fingerprint': (q) => lpq.fingerprintSync(q) }, EARLIER, OPS);
  results.earlierSet = {
    bytes: avgEarlier,
    nsPerOp: Object.fromEntries(Object.entries(earlier).map(([k, v]) => [k, Math.round(v)])),
  };

  for (const [name, q] of [['4 KiB', LONG_4K], ['64 KiB', LONG_64K]]) {
    const ops = Math.max(20, Math.round(OPS / (q.length / 200) * 4));
    const ns = measure({ 'md5 of raw SQL (article)': md5, ours, 'libpg_query fingerprint': (s) => lpq.fingerprintSync(s) }, [q], ops);
    results.long[name] = {
      bytes: q.length,
      nsPerByte: Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, +(v / q.length).toFixed(2)])),
      ratioOursVsLibpgQuery: +(ns.ours / ns['libpg_query fingerprint']).toFixed(3),
    };
  }

  // Memory: each in a fresh process, RSS after loading and fingerprinting the same statements.
  // --expose-gc: RSS is read after a full GC, so it measures what stays, not garbage not yet collected.
  const probe = (code) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', code], { cwd: path.join(__dirname, '..'), encoding: 'utf8' }));
  const queries = JSON.stringify([...SHORT, LONG_4K]);
  const distPath = JSON.stringify(path.join(__dirname, '..', 'packages', 'trace-processors', 'dist'));
  // RSS delta (what the OS sees, includes heap pages V8 keeps after GC) and retained memory delta
  // (JS heap used + external/ArrayBuffer memory, where the WASM heap lives), both after a full GC.
  const mem = `const m=()=>{const u=process.memoryUsage();return [u.rss,u.heapUsed+u.external+u.arrayBuffers]};`;
  const delta = `const a=m(); console.log(JSON.stringify({rssMiB:+((a[0]-b[0])/1048576).toFixed(1),retainedMiB:+((a[1]-b[1])/1048576).toFixed(1)}))`;
  results.memory = {
    baselineRssMiB: probe(`gc(); console.log(JSON.stringify(+(process.memoryUsage().rss/1048576).toFixed(1)))`),
    ours: probe(
      `${mem} gc(); const b=m(); const d=require(${distPath}); const h=new d.QueryHasher(); for (let i=0;i<2000;i++) for (const q of ${queries}) { h.analyze(q+' /* '+i+' */'); h.analyze(q+' /* '+i+' */'); } gc(); ${delta}`,
    ),
    libpgQuery: probe(
      `${mem} (async()=>{gc(); const b=m(); const l=require('libpg-query'); await l.loadModule(); for (let i=0;i<2000;i++) for (const q of ${queries}) l.fingerprintSync(q+' /* '+i+' */'); gc(); ${delta}})()`,
    ),
  };

  const s = results.short;
  let table = [
    `SQL fingerprint per statement, median of ${ROUNDS} interleaved rounds × ${OPS} ops, node ${process.version}, ` +
      `${results.cpus} cpus, load ${results.loadavg1mAtStart} at start`,
    '',
    `| ~${s.bytes}-byte statements | ns/op | vs libpg_query | vs md5 of raw |`,
    '|---|---:|---:|---:|',
    ...Object.entries(s.nsPerOp).map(
      ([k, v]) => `| ${k} | ${v} | ${(v / s.nsPerOp['libpg_query fingerprint']).toFixed(3)} | ${(v / s.nsPerOp['md5 of raw SQL (article)']).toFixed(2)} |`,
    ),
    '',
    `The earlier ~${results.earlierSet.bytes}-byte set: cache miss ${results.earlierSet.nsPerOp['ours, cache miss (normalize + fingerprint)']} ns, libpg_query ${results.earlierSet.nsPerOp['libpg_query fingerprint']} ns.`,
    '',
    '| long statement | bytes | md5 ns/byte | ours ns/byte | libpg_query ns/byte | ours / libpg_query |',
    '|---|---:|---:|---:|---:|---:|',
    ...Object.entries(results.long).map(
      ([k, v]) => `| ${k} | ${v.bytes} | ${v.nsPerByte['md5 of raw SQL (article)']} | ${v.nsPerByte.ours} | ${v.nsPerByte['libpg_query fingerprint']} | ${v.ratioOursVsLibpgQuery} |`,
    ),
    '',
    `| memory (fresh process, 10k distinct statements, after GC; node alone: ${results.memory.baselineRssMiB} MiB RSS) | RSS MiB | retained MiB |`,
    '|---|---:|---:|',
    `| + @org/trace-processors (cache full: 1000 entries, ≤ 4 Mi chars of keys) | +${results.memory.ours.rssMiB} | +${results.memory.ours.retainedMiB} |`,
    `| + libpg_query (WASM) | +${results.memory.libpgQuery.rssMiB} | +${results.memory.libpgQuery.retainedMiB} |`,
  ].join('\n');
  // The targets (#4), judged on this run's figures.
  const miss = s.nsPerOp['ours, cache miss (normalize + fingerprint)'];
  const hit = s.nsPerOp['ours, cache hit'];
  const longWorst = Math.max(...Object.values(results.long).map((v) => v.nsPerByte.ours));
  results.targets = {
    cacheHitNs: { target: 300, measured: hit, met: hit <= 300 },
    cacheMissNsPer200Bytes: { target: 3000, measured: Math.round((miss * 200) / s.bytes), met: (miss * 200) / s.bytes <= 3000 },
    longNsPerByte: { target: 20, measured: longWorst, met: longWorst <= 20 },
  };
  const t = results.targets;
  const verdict = (x) => (x.met ? 'met' : '**not met**');
  const targetTable = [
    '',
    '| target (issue 4) | this run | |',
    '|---|---:|---|',
    `| cache hit ≤ 300 ns | ${t.cacheHitNs.measured} ns | ${verdict(t.cacheHitNs)} |`,
    `| cache miss ≤ 3 µs for a 200-byte query | ${(t.cacheMissNsPer200Bytes.measured / 1000).toFixed(2)} µs (median: ${miss} ns at ${s.bytes} B on average, scaled to 200; fastest round ${((s.fastestRoundNsPerOp['ours, cache miss (normalize + fingerprint)'] * 200) / s.bytes / 1000).toFixed(2)} µs) | ${verdict(t.cacheMissNsPer200Bytes)} |`,
    `| long statements ≤ 20 ns/byte | ${t.longNsPerByte.measured} ns/byte (worst of 4 KiB, 64 KiB) | ${verdict(t.longNsPerByte)} |`,
  ].join('\n');
  table += '\n' + targetTable;
  console.log(table);

  const outDir = path.join(__dirname, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'sql-fingerprint.json');
  fs.writeFileSync(out + '.tmp', JSON.stringify(results, null, 2) + '\n');
  fs.renameSync(out + '.tmp', out);
  fs.writeFileSync(path.join(outDir, 'sql-fingerprint.md'), table + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
