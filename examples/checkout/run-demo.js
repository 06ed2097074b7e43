#!/usr/bin/env node
'use strict';
// `npm run demo`: the article's checkout system, started for real, put under load, traced by
// @org/trace, and analysed by trace-analyze — in one command, with nothing to install beyond `npm ci`.
//
//   PostgreSQL (embedded, or DATABASE_URL)
//   load generator ──X-Trace-ID──▶ gateway ──▶ checkout-api ──▶ payment, credit-scoring, inventory, email
//                                                   └── pg.Pool ──▶ PostgreSQL
//
// Every service is `node --require @org/trace-register services/<name>.js` and writes OTLP JSON lines
// into one file. The runner owns every process it starts and ends them (by pid) on the way out —
// also on Ctrl-C, SIGTERM, or an error.
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { SCENARIOS } = require('./scenarios');
const { LatencyModel, ARTICLE_DEFAULTS } = require('./lib/latency');
const { startDatabase, prepareSchema } = require('./runner/database');
const { ServiceProcess } = require('./runner/processes');
const { makeCustomers } = require('./runner/customers');
const { LoadGenerator } = require('./runner/load');
const { Progress, percentile } = require('./runner/progress');
const { analyse, analyzerCommand, CLI } = require('./runner/analysis');
const { verdict } = require('./runner/verdict');
const { warmUp } = require('./runner/warmup');

const HELP = `Usage: npm run demo -- [options]      (or: node examples/checkout/run-demo.js [options])

Scenarios (--scenario, default cascade):
${Object.entries(SCENARIOS).map(([k, s]) => `  ${k.padEnd(13)} ${s.summary}`).join('\n')}

Options:
  --scenario NAME         baseline | payment-slow | cascade
  --duration SECONDS      length of the load phase (default 60; the whole demo takes ~20 s more)
  --rate N                requests per second arriving at the edge (default 6; peaks multiply it)
  --max-requests N        stop after this many requests even if time is left (default 3000)
  --pool-size N           checkout-api's pg.Pool max connections (default 5)
  --latency k=ms,…        override medians: ${Object.keys(ARTICLE_DEFAULTS).join(', ')}, payment_review
  --sigma S               spread of every latency (log-normal shape, default 0.25)
  --tail-probability P    share of calls that land in the slow tail (default 0.01)
  --tail-multiplier X     how much slower a tail call is (default 4)
  --time-scale F          multiply every simulated latency by F (e.g. 0.5 for a faster run)
  --out DIR               where traces, reports and logs go (default examples/checkout/output/<scenario>)
  --otlp URL              also export to an OTLP/HTTP collector, e.g. http://127.0.0.1:4318
  --strict                exit 1 if the analysis does not find what the scenario planted
  -h, --help

Environment: DATABASE_URL uses that PostgreSQL instead of the embedded one (tables go in schema
checkout_demo, recreated on every run).
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'cascade' },
      duration: { type: 'string', default: '60' },
      rate: { type: 'string', default: '6' },
      'max-requests': { type: 'string', default: '3000' },
      'pool-size': { type: 'string', default: '5' },
      latency: { type: 'string' },
      sigma: { type: 'string', default: '0.25' },
      'tail-probability': { type: 'string', default: '0.01' },
      'tail-multiplier': { type: 'string', default: '4' },
      'time-scale': { type: 'string', default: '1' },
      out: { type: 'string' },
      otlp: { type: 'string' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const num = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}], not "${values[name]}"`);
    return n;
  };
  const scenario = SCENARIOS[values.scenario];
  if (!scenario) throw new Error(`unknown --scenario "${values.scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const latency = {};
  for (const kv of (values.latency ?? '').split(',').filter(Boolean)) {
    const m = /^([a-z_]+)=(\d+(?:\.\d+)?)$/.exec(kv.trim());
    if (!m) throw new Error(`--latency entries look like payment=800, not "${kv}"`);
    latency[m[1]] = Number(m[2]);
  }
  if (values.otlp !== undefined && !/^https?:\/\//.test(values.otlp)) throw new Error(`--otlp must be an http(s) URL, not "${values.otlp}"`);
  return {
    scenarioName: values.scenario,
    scenario,
    durationMs: num('duration', 5, 170) * 1000,
    rate: num('rate', 0.5, 50),
    maxRequests: Math.floor(num('max-requests', 10, 100_000)),
    poolSize: Math.floor(num('pool-size', 1, 100)),
    sim: {
      latency,
      sigma: num('sigma', 0, 2),
      tailProbability: num('tail-probability', 0, 1),
      tailMultiplier: num('tail-multiplier', 1, 100),
      timeScale: num('time-scale', 0.05, 10),
      overrides: scenario.phases[0].overrides,
    },
    out: path.resolve(values.out ?? path.join(__dirname, 'output', values.scenario)),
    otlp: values.otlp,
    strict: values.strict,
  };
}

// Everything that must be undone on the way out, in reverse order of creation.
const running = { services: [], db: undefined, load: undefined, progress: undefined, analyzer: undefined };
let stopping;

async function cleanup() {
  if (!stopping) {
    stopping = (async () => {
      running.progress?.stop();
      running.load?.abort();
      await Promise.all(running.services.map((s) => s.stop()));
      await running.db?.stop();
    })();
  }
  return stopping;
}

// Last resort if the runner dies of an exception: children are killed by pid, synchronously.
process.on('exit', () => {
  for (const s of running.services) if (!s.exited) s.proc.kill('SIGKILL');
});

// A signal at any point: stop what runs (load, services, database — or the analyzer, if the
// services are already down) and exit with 128 + the signal number.
let interrupted;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    if (interrupted) return; // a second Ctrl-C while cleaning up: keep cleaning up
    interrupted = code;
    process.stderr.write(`\n${signal}: stopping the services and the database…\n`);
    running.analyzer?.kill('SIGTERM');
    cleanup().finally(() => process.exit(code));
  });
}

const log = (s = '') => process.stdout.write(`${s}\n`);

/** The packages the demo runs must be built (`npm run demo` builds them; a direct `node` run may not). */
function checkBuilt() {
  const missing = [];
  try {
    require.resolve('@org/trace-register', { paths: [__dirname] });
  } catch {
    missing.push('@org/trace-register');
  }
  if (!fs.existsSync(CLI)) missing.push('@org/trace-analyze');
  if (missing.length > 0) throw new Error(`${missing.join(' and ')} not built: run \`npm run build\` (or \`npm run demo\`, which builds first)`);
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  checkBuilt();
  const t0 = Date.now();
  fs.mkdirSync(path.join(o.out, 'logs'), { recursive: true });
  const files = {
    traces: path.join(o.out, 'traces.jsonl'),
    html: path.join(o.out, 'report.html'),
    json: path.join(o.out, 'analysis.json'),
    requests: path.join(o.out, 'requests.jsonl'),
  };
  for (const f of Object.values(files)) fs.rmSync(f, { force: true });
  for (const f of fs.readdirSync(path.join(o.out, 'logs'))) fs.rmSync(path.join(o.out, 'logs', f), { force: true });

  log(`@org/trace checkout demo — scenario "${o.scenarioName}": ${o.scenario.summary}.`);
  log('');

  // 1. PostgreSQL and the shop's tables — while the dependencies that need no database start.
  const customers = makeCustomers(200);
  const model = new LatencyModel(o.sim);
  const schema = 'checkout_demo';
  const database = (async () => {
    running.db = await startDatabase({ log: (s) => log(`  ${s}`) });
    await prepareSchema(running.db.url, schema, {
      customers,
      dbLatency: { session: model.distribution('session'), order_write: model.distribution('order_write') },
    });
  })();

  // 2. The services, leaves first: each one learns the others' URLs from its environment.
  const env = (name, extra = {}) => {
    const e = { ...process.env };
    delete e.NODE_OPTIONS; // the services load exactly one thing: @org/trace-register
    return {
      ...e,
      OTEL_SERVICE_NAME: name,
      OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=demo,service.namespace=shop,demo.scenario=${o.scenarioName}`,
      OTEL_TRACES_EXPORTER: o.otlp ? 'file,otlp' : 'file',
      ...(o.otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: o.otlp } : {}),
      ORG_TRACE_FILE: files.traces, // one file for all services: one write per line, O_APPEND
      OTEL_BSP_SCHEDULE_DELAY: '500',
      // Ready for the baggage → attributes processor: the tier set at checkout-api reaches every
      // downstream span as an attribute (ignored by SDK versions without it).
      ORG_TRACE_BAGGAGE_ATTRIBUTES: 'customer.tier',
      SIM_CONFIG: JSON.stringify(o.sim),
      PORT: '0',
      ...extra,
    };
  };
  const logFile = (name) => path.join(o.out, 'logs', `${name}.log`);
  const start = (name, extra) => {
    const s = new ServiceProcess(name, { env: env(name, extra), logFile: logFile(name) });
    running.services.push(s);
    return s.ready();
  };
  const leaves = Promise.all(['payment', 'inventory', 'email', 'credit-scoring'].map((n) => start(n)));
  // allSettled: if one side fails, the other has finished starting before the cleanup stops it.
  const [dbDone, leavesDone] = await Promise.allSettled([database, leaves]);
  if (dbDone.status === 'rejected') throw dbDone.reason;
  if (leavesDone.status === 'rejected') throw leavesDone.reason;
  const [payment, inventory, email, credit] = leavesDone.value;
  const api = await start('checkout-api', {
    DATABASE_URL: running.db.url,
    CHECKOUT_DB_SCHEMA: schema,
    PG_POOL_MAX: String(o.poolSize),
    PAYMENT_URL: payment.url,
    INVENTORY_URL: inventory.url,
    EMAIL_URL: email.url,
    CREDIT_SCORING_URL: credit.url,
  });
  const gateway = await start('gateway', { CHECKOUT_API_URL: api.url });
  log(`  services: ${running.services.map((s) => `${s.name} :${s.port}`).join(', ')} (pids ${running.services.map((s) => s.proc.pid).join(' ')})`);
  const warmStart = Date.now();
  await warmUp({ baseUrl: gateway.url, customers, poolSize: o.poolSize });
  log(`  started in ${((Date.now() - t0) / 1000).toFixed(1)} s (warm-up, not traced: ${((Date.now() - warmStart) / 1000).toFixed(1)} s)`);
  log(`  load: ${o.rate} req/s for ${o.durationMs / 1000} s (at most ${o.maxRequests} requests)`);
  log('');

  // 3. Load, with the scenario's phases sent to the services as they begin.
  const load = new LoadGenerator({
    baseUrl: gateway.url,
    scenario: o.scenario,
    customers,
    rate: o.rate,
    durationMs: o.durationMs,
    maxRequests: o.maxRequests,
    onPhase: (p) => {
      for (const s of running.services) s.send({ type: 'sim-overrides', overrides: p.overrides });
      if (o.scenario.phases.length > 1 && !process.stdout.isTTY) log(`  phase: ${p.name}`);
    },
  });
  running.load = load;
  running.progress = new Progress(load);
  running.progress.start();
  await load.run();
  if (interrupted) return new Promise(() => {}); // the signal handler finishes and exits
  load.phase = 'draining';
  await load.drain(20_000);
  running.progress.stop();
  running.progress = undefined;
  fs.writeFileSync(files.requests, load.results.map((r) => JSON.stringify(r)).join('\n') + '\n');

  // 4. Stop the services (they flush their last spans on SIGTERM) and the database.
  await cleanup();
  if (interrupted) return new Promise(() => {});
  const unclean = running.services.filter((s) => s.proc.exitCode !== 143 && s.proc.exitCode !== 0);
  for (const s of unclean) log(`  warning: ${s.name} exited with ${s.proc.exitCode ?? s.proc.signalCode} (see ${s.logFile})`);
  summariseLoad(load);

  // 5. The analysis.
  log('');
  log(`── trace-analyze ${'─'.repeat(60)}`);
  log(`$ ${analyzerCommand(files.traces)}`);
  const report = await analyse({
    tracesFile: files.traces,
    htmlFile: files.html,
    jsonFile: files.json,
    color: Boolean(process.stdout.isTTY),
    onSpawn: (child) => (running.analyzer = child),
  });
  if (interrupted) return new Promise(() => {});

  log(`── what the scenario planted, and what the analysis found ${'─'.repeat(20)}`);
  const checks = verdict(o.scenario, report);
  for (const c of checks) log(`  ${c.pass ? '✓' : '✗'} ${c.text}`);
  const idCheck = traceIdCheck(load.results, files.traces);
  if (idCheck) log(`  ${idCheck.pass ? '✓' : '✗'} ${idCheck.text}`);
  log('');
  log(wrap(o.scenario.lesson, 100, '  '));

  log('');
  log(`Files (${path.relative(process.cwd(), o.out) || '.'}):`);
  log(`  ${rel(files.html)}  open in a browser (file://${files.html}): findings, flame graph, the worst trace's waterfall`);
  log(`  ${rel(files.traces)}  OTLP JSON lines from all ${running.services.length} services`);
  log(`  ${rel(files.json)}  the same analysis as JSON (trace-analyze --format json)`);
  log(`  ${rel(files.requests)}  every request the load generator sent, with its X-Trace-ID`);
  log(`  ${rel(path.join(o.out, 'logs'))}/  service output`);
  log(`Done in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
  const failed = checks.some((c) => !c.pass) || (idCheck && !idCheck.pass);
  return o.strict && failed ? 1 : 0;
}

function wrap(text, width, indent) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

function rel(p) {
  return path.relative(process.cwd(), p) || p;
}

function summariseLoad(load) {
  const byEndpoint = {};
  for (const r of load.results) (byEndpoint[r.endpoint] ??= []).push(r);
  log(`  ${load.results.length} requests${load.shed ? `, ${load.shed} not sent (too many in flight)` : ''}:`);
  for (const [endpoint, rs] of Object.entries(byEndpoint)) {
    const ms = rs.map((r) => r.ms).sort((a, b) => a - b);
    const errors = rs.filter((r) => r.status !== 200 && r.status !== 201);
    const codes = [...new Set(errors.map((r) => r.status || r.error))].join(', ');
    log(
      `    ${endpoint.padEnd(10)} ${String(rs.length).padStart(4)}  p50 ${percentile(ms, 0.5)} ms  p95 ${percentile(ms, 0.95)} ms  ` +
        `max ${ms[ms.length - 1]} ms  errors ${errors.length}${codes ? ` (${codes})` : ''}`,
    );
  }
  // With phases, the same numbers per phase: what users felt before, during and after the peak.
  const phases = load.scenario.phases.map((p) => p.name);
  if (phases.length > 1) {
    log(`  by phase (p50 / p95, ms):  ${phases.map((p) => p.padEnd(17)).join('')}`);
    for (const endpoint of Object.keys(byEndpoint)) {
      const cells = phases.map((p) => {
        const ms = byEndpoint[endpoint].filter((r) => r.phase === p).map((r) => r.ms).sort((a, b) => a - b);
        return (ms.length ? `${percentile(ms, 0.5)} / ${percentile(ms, 0.95)}` : '-').padEnd(17);
      });
      log(`    ${endpoint.padEnd(23)}${cells.join('')}`);
    }
  }
}

/**
 * The legacy id users quote: the slowest checkout's X-Trace-ID must be the trace id (without dashes)
 * of spans from every service it went through.
 */
function traceIdCheck(results, tracesFile) {
  const slowest = results.filter((r) => r.endpoint === 'checkout' && r.status === 201).sort((a, b) => b.ms - a.ms)[0];
  if (!slowest) return undefined;
  const traceId = slowest.x_trace_id.replace(/-/g, '');
  const services = new Set();
  for (const line of fs.readFileSync(tracesFile, 'utf8').split('\n')) {
    if (!line.includes(traceId)) continue;
    for (const rs of JSON.parse(line).resourceSpans ?? []) {
      const name = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue;
      if ((rs.scopeSpans ?? []).some((ss) => (ss.spans ?? []).some((sp) => sp.traceId === traceId))) services.add(name);
    }
  }
  const expected = ['gateway', 'checkout-api', 'payment', 'credit-scoring', 'inventory', 'email'];
  const missing = expected.filter((s) => !services.has(s));
  return {
    pass: missing.length === 0,
    text:
      `slowest checkout (${(slowest.ms / 1000).toFixed(1)} s) was sent with X-Trace-ID ${slowest.x_trace_id}: trace ${traceId} ` +
      (missing.length === 0 ? `spans all ${expected.length} services` : `is missing spans from ${missing.join(', ')}`),
  };
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    if (interrupted) return; // the signal handler is already stopping everything
    running.progress?.stop();
    const usage = /^ERR_PARSE_ARGS/.test(err.code ?? '') || /^--/.test(err.message) || /unknown --scenario/.test(err.message);
    process.stderr.write(`\ndemo failed: ${err.message}${usage ? ' (see --help)' : ''}\n`);
    await cleanup().catch(() => {});
    process.exit(1);
  },
);
