// Issue 9, item 3: a typo in a deployment manifest must never take the app down. The variables are
// read from the SDK's own source (config.ts), so one added later is fuzzed without editing this
// file; the known-bad table below must name it too (a test checks that), so it also gets a
// deliberate bad value. Each case is a real `node --require` process that must start, serve a
// traced request (pg included), and exit normally on SIGTERM, with at most one warning per
// variable, none of them leaking a credential, none of them unbounded.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtlpReceiver } from '../fixtures/otlp-receiver';
import { httpGet, REPO_ROOT } from '../fixtures/spawn-app';
import { Apps, logLines, timedExit } from './harness/app-under-test';
import { record } from './harness/results';
import { Random } from './harness/random';

const CONFIG_SOURCE = join(REPO_ROOT, 'packages/trace-sdk/src/config.ts');
const VARIABLES = [...new Set([...readFileSync(CONFIG_SOURCE, 'utf8').matchAll(/'((?:OTEL|ORG_TRACE)_[A-Z0-9_]+)'/g)].map((m) => m[1]))].sort();

/**
 * A value each variable must reject with a warning naming it; null = free-form (any string is a
 * valid service name or file path), nothing to reject.
 */
const KNOWN_BAD: Record<string, string | null> = {
  OTEL_SDK_DISABLED: 'ture',
  OTEL_SERVICE_NAME: null,
  OTEL_RESOURCE_ATTRIBUTES: 'team',
  OTEL_NODE_RESOURCE_DETECTORS: 'k8s-magic',
  OTEL_TRACES_EXPORTER: 'zipkin',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://collector/v1/traces',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift',
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/xml',
  OTEL_EXPORTER_OTLP_HEADERS: 'api-key',
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'bad name=1',
  OTEL_EXPORTER_OTLP_TIMEOUT: '10s',
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '-5',
  OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'zstd',
  ORG_TRACE_FILE: null,
  OTEL_TRACES_SAMPLER: 'sometimes',
  OTEL_TRACES_SAMPLER_ARG: '1.5',
  OTEL_PROPAGATORS: 'b3',
  OTEL_BSP_SCHEDULE_DELAY: '5 s',
  OTEL_BSP_EXPORT_TIMEOUT: '0',
  OTEL_BSP_MAX_QUEUE_SIZE: '-1',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '99999999999999999999',
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'unlimited',
  OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0',
  OTEL_ATTRIBUTE_COUNT_LIMIT: '1.5',
  OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'NaN',
  OTEL_SPAN_EVENT_COUNT_LIMIT: '0x10',
  OTEL_SPAN_LINK_COUNT_LIMIT: '1e3',
  OTEL_LOG_LEVEL: 'loud',
  OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'mysql',
  OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'redis',
  ORG_TRACE_SHUTDOWN_TIMEOUT_MS: '2000ms',
  ORG_TRACE_HANDLE_SIGNALS: 'nope',
  ORG_TRACE_FLUSH_ON_CRASH: 'si',
  ORG_TRACE_ERROR_LOG_INTERVAL_MS: '5',
  ORG_TRACE_XTRACEID_HEADER: 'x trace id',
  ORG_TRACE_XTRACEID_FORMAT: 'base64',
  ORG_TRACE_XTRACEID_EXTRACT: 'maybe',
  ORG_TRACE_RESPONSE_HEADERS: '2',
  ORG_TRACE_DB_STATEMENT: 'full',
  ORG_TRACE_PG_SQLCOMMENTER: 'enabled!',
  ORG_TRACE_DB_QUERY_CACHE_SIZE: '1e6',
  ORG_TRACE_PG_CONNECT_SPANS: 'sometimes',
  ORG_TRACE_URL_QUERY: 'hide',
  ORG_TRACE_CONSOLE_CONTEXT: 'yes please',
  ORG_TRACE_LEAN_TRACER: 'sometimes',
  ORG_TRACE_BAGGAGE_ATTRIBUTES: 'http.*',
};

/**
 * Where one variable takes precedence over another, the shadowed one is never read, so it cannot
 * warn: the known-bad cases are split so that each variable is read in one of them.
 */
const SHADOWS: Record<string, string> = {
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: 'OTEL_EXPORTER_OTLP_TIMEOUT',
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'OTEL_EXPORTER_OTLP_COMPRESSION',
};

/** Valid values the random cases draw from (kept short: a valid 60 s shutdown deadline would only slow the suite). */
const VALID: Record<string, string[]> = {
  OTEL_SDK_DISABLED: ['false', 'true', 'FALSE'],
  OTEL_TRACES_EXPORTER: ['otlp', 'none', 'file', 'otlp,file', 'console'],
  OTEL_TRACES_SAMPLER: ['always_on', 'traceidratio', 'parentbased_always_off'],
  OTEL_TRACES_SAMPLER_ARG: ['0', '0.5', '1'],
  OTEL_LOG_LEVEL: ['info', 'debug', 'warn', 'none'],
  OTEL_EXPORTER_OTLP_PROTOCOL: ['http/json', 'grpc'],
  OTEL_EXPORTER_OTLP_COMPRESSION: ['gzip', 'none'],
  ORG_TRACE_SHUTDOWN_TIMEOUT_MS: ['0', '500', '2000'],
  ORG_TRACE_HANDLE_SIGNALS: ['true', 'false'],
  OTEL_PROPAGATORS: ['tracecontext', 'none', 'xtraceid,baggage'],
  ORG_TRACE_DB_STATEMENT: ['raw', 'off', 'sanitized'],
};

const apps = new Apps();
let rx: OtlpReceiver;
beforeAll(async () => {
  rx = await new OtlpReceiver().start();
});
const tempDirs: string[] = [];
afterAll(async () => {
  await rx.stop();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => apps.stopAll());

interface Outcome {
  served: number;
  exit: { code: number | null; signal: NodeJS.Signals | null; ms: number };
  warnings: string[];
  stderr: string;
}

/** Starts the app with `env`, makes two requests, SIGTERMs it. */
async function tryConfig(env: Record<string, string>): Promise<Outcome> {
  const cwd = mkdtempSync(join(tmpdir(), 'org-trace-config-fuzz-'));
  tempDirs.push(cwd);
  // A fresh cwd holds whatever a relative ORG_TRACE_FILE writes; NODE_PATH lets --require find the
  // register from there.
  const app = apps.start('http-pg-app.js', { NODE_PATH: join(REPO_ROOT, 'node_modules'), OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, ...env }, { cwd });
  const port = await app.port();
  let served = 0;
  for (const path of ['/users', '/']) if ((await httpGet(`http://127.0.0.1:${port}${path}`)).status === 200) served++;
  const exit = await timedExit(app, 'SIGTERM');
  // Configuration warnings are `@org/trace WARN <VARIABLE>: …` (export failures and the shutdown
  // summary are warnings too, but about the collector, not the configuration).
  return { served, exit, warnings: logLines(app.stderr, / WARN (OTEL|ORG_TRACE)_[A-Z0-9_]+: /), stderr: app.stderr };
}

function warnedVariable(line: string): string {
  return line.match(/ WARN ([A-Z0-9_]+): /)![1];
}

function warningsNaming(warnings: string[], name: string): string[] {
  return warnings.filter((w) => warnedVariable(w) === name);
}

/** Exits as a process without telemetry would, or as our handler does (143), within its deadline. */
function expectNormalExit(o: Outcome): void {
  expect(o.exit.code === 143 || (o.exit.code === null && o.exit.signal === 'SIGTERM')).toBe(true);
  expect(o.exit.ms).toBeLessThanOrEqual(2500);
}

test('every variable the SDK reads has a known-bad case here (or is marked free-form)', () => {
  expect(VARIABLES.length).toBeGreaterThan(30);
  expect(VARIABLES.filter((v) => !(v in KNOWN_BAD))).toEqual([]);
});

const knownBadCases = (() => {
  const bad = Object.entries(KNOWN_BAD).filter(([name, v]) => v !== null && VARIABLES.includes(name)) as [string, string][];
  const specific = new Set(Object.keys(SHADOWS));
  // Case 1: everything but the signal-specific variables (which would shadow the general ones).
  // Case 2: the signal-specific ones, with a ratio sampler so that the sampler argument is read.
  const general = Object.fromEntries(bad.filter(([n]) => !specific.has(n) && n !== 'OTEL_TRACES_SAMPLER_ARG'));
  const signal: Record<string, string> = { ...Object.fromEntries(bad.filter(([n]) => specific.has(n) || n === 'OTEL_TRACES_SAMPLER_ARG')), OTEL_TRACES_SAMPLER: 'traceidratio' };
  const cases: Array<[string, Record<string, string>]> = [
    ['general variables', general],
    ['signal-specific variables (+ sampler argument)', signal],
  ];
  return cases;
})();

test.each(knownBadCases)('known-bad values, %s: starts, serves, exits; exactly one warning naming each', async (_label, env) => {
  const o = await tryConfig(env);
  const names = Object.keys(env).filter((n) => KNOWN_BAD[n] === env[n]);
  const missing = names.filter((n) => warningsNaming(o.warnings, n).length !== 1);
  record({ area: 'config', tried: `${names.length} variables set to known-bad values at once (${_label})`, measured: `served ${o.served}/2; exit ${o.exit.code ?? o.exit.signal} in ${o.exit.ms} ms; ${o.warnings.length} warnings; variables without exactly one warning: ${missing.join(', ') || 'none'}` });
  expect(o.served).toBe(2);
  expectNormalExit(o);
  expect(missing).toEqual([]);
  // One line per bad variable, nothing else.
  expect(o.warnings).toHaveLength(names.length);
});

test('a malformed OTLP header value is never echoed into the logs (it is a credential)', async () => {
  const secret = 'sk-live-51HxSECRETxSECRET';
  const o = await tryConfig({ OTEL_EXPORTER_OTLP_HEADERS: `Authorization: Bearer ${secret}`, OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-api-key=${secret},x api key=${secret}` });
  record({ area: 'config', tried: 'OTLP headers with a credential, malformed (":" instead of "=", bad header name)', measured: `served ${o.served}/2; credential in logs: ${o.stderr.includes(secret) || o.stderr.includes('SECRET')}` });
  expect(o.served).toBe(2);
  expectNormalExit(o);
  expect(o.stderr).not.toContain('SECRET');
});

test('20 000-character values: no log line grows with them (log shippers cut lines at 16 KiB)', async () => {
  const o = await tryConfig({
    OTEL_SERVICE_NAME: 's'.repeat(20_000),
    OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'd'.repeat(20_000),
    OTEL_PROPAGATORS: 'p'.repeat(20_000),
    OTEL_EXPORTER_OTLP_TIMEOUT: '9'.repeat(20_000),
  });
  const long = o.stderr.split('\n').filter((l) => l.length > 2000).map((l) => `${l.length} chars: ${l.slice(0, 70)}…`);
  record({ area: 'config', tried: 'four variables with 20 000-character values (service name, instrumentation list, propagators, timeout)', measured: `served ${o.served}/2; exit ${o.exit.code ?? o.exit.signal}; log lines over 2000 chars: ${long.length ? long.join(' | ') : 'none'}` });
  expect(o.served).toBe(2);
  expectNormalExit(o);
  expect(long).toEqual([]);
});

test('file exporter pointed at a path that cannot be written: the app serves, the failure is logged, not thrown', async () => {
  const o = await tryConfig({ OTEL_TRACES_EXPORTER: 'file', ORG_TRACE_FILE: '/proc/version/traces.jsonl', OTEL_BSP_SCHEDULE_DELAY: '50' });
  const failures = logLines(o.stderr, /span export failed|spans not written/);
  record({ area: 'config', tried: 'OTEL_TRACES_EXPORTER=file, ORG_TRACE_FILE under /proc (not writable)', measured: `served ${o.served}/2; exit ${o.exit.code ?? o.exit.signal} in ${o.exit.ms} ms; ${failures.length} failure line(s): ${failures[0]?.slice(0, 140) ?? 'none'}` });
  expect(o.served).toBe(2);
  expectNormalExit(o);
  expect(failures.length).toBeGreaterThanOrEqual(1);
  expect(failures.length).toBeLessThanOrEqual(2);
});

test('bounded random fuzz: 10 processes, random variables and values: no crash, ≤ 1 warning per variable, bounded lines', async () => {
  const rnd = new Random(0x5eed_c0f1);
  const generic = (): string =>
    rnd.pick<() => string>([
      () => rnd.pick(['', ' ', 'true', 'false', '0', '-1', '1e308', '9'.repeat(40), '0.5', 'null', 'undefined', ',,,', '=', '%', '%zz', '"quoted"']),
      () => rnd.string(rnd.int(1, 40), 'printable'),
      () => rnd.string(rnd.int(1, 20), 'unicode'),
      () => 'x'.repeat(rnd.int(1000, 20000)),
      () => Array.from({ length: rnd.int(2, 50) }, () => rnd.string(rnd.int(0, 8), 'alnum')).join(rnd.pick([',', '=', ', '])),
    ])();
  const cases: Array<{ env: Record<string, string>; outcome?: Outcome }> = [];
  for (let i = 0; i < 10; i++) {
    const env: Record<string, string> = {};
    for (const name of rnd.sample(VARIABLES, rnd.int(4, 12))) {
      // Never point the exporter elsewhere than the receiver or write outside the temp cwd.
      if (/ENDPOINT/.test(name)) continue;
      env[name] = VALID[name] && rnd.chance(0.4) ? rnd.pick(VALID[name]) : KNOWN_BAD[name] && rnd.chance(0.2) ? KNOWN_BAD[name]! : generic();
      if (name === 'ORG_TRACE_FILE') env[name] = `out/${rnd.string(8, 'alnum')}.jsonl`;
    }
    cases.push({ env });
  }
  // Each property is tallied separately so a failure says which one broke, with the case that broke it.
  const broken: Record<'crash' | 'multiWarn' | 'unrelatedWarn' | 'longLine', string[]> = { crash: [], multiWarn: [], unrelatedWarn: [], longLine: [] };
  const show = (env: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 60)}…(${v.length} chars)` : v])));
  for (const c of cases) {
    const o = (c.outcome = await tryConfig(c.env));
    const set = Object.keys(c.env);
    if (!(o.served === 2 && (o.exit.code === 143 || o.exit.signal === 'SIGTERM') && o.exit.ms <= 2500)) broken.crash.push(`${show(c.env)} served ${o.served} exit ${JSON.stringify(o.exit)}`);
    const multi = set.filter((n) => warningsNaming(o.warnings, n).length > 1);
    if (multi.length > 0) broken.multiWarn.push(`${multi.join(',')} in ${show(c.env)}`);
    const unrelated = o.warnings.filter((w) => !set.includes(warnedVariable(w)));
    if (unrelated.length > 0) broken.unrelatedWarn.push(unrelated.join(' | '));
    // A bad value must not turn into a log line the size of the value (log shippers cut at 16 KiB).
    const long = o.stderr.split('\n').filter((l) => l.length > 2000);
    if (long.length > 0) broken.longLine.push(long.map((l) => `${l.length} chars: ${l.slice(0, 100)}…`).join(' | '));
  }
  const vars = new Set(cases.flatMap((c) => Object.keys(c.env)));
  const n = cases.length;
  record({
    area: 'config',
    tried: `${n} processes, ${cases.reduce((k, c) => k + Object.keys(c.env).length, 0)} random values over ${vars.size} variables (seeded; long, unicode, list-shaped, numeric edge values)`,
    measured: `started, served, exited normally: ${n - broken.crash.length}/${n}; ≤ 1 warning per variable: ${n - broken.multiWarn.length}/${n}; warnings only for variables set: ${n - broken.unrelatedWarn.length}/${n}; no log line > 2000 chars: ${n - broken.longLine.length}/${n}`,
  });
  expect(broken.crash).toEqual([]);
  expect(broken.multiWarn).toEqual([]);
  expect(broken.unrelatedWarn).toEqual([]);
  expect(broken.longLine).toEqual([]);
}, 120_000);
