// Issue 9, item 1: the collector misbehaves while a real `node --require @org/trace-register` app
// serves steady traffic. For each fault we check, from outside the process: the app's tail latency
// stays near that of a control app with a healthy collector, its RSS stays bounded, the exporter's
// deadline holds, failures are logged once per interval with counts, every span is accounted for
// (exported + failed + dropped + in flight = created) and, once the collector is back, new spans
// arrive again.
//
// Sizes are small on purpose (queue 128, batch 32, 100 req/s): the queue fills within a second of
// a fault, so "queue limit honoured" and "drops counted" are exercised, not assumed.
import { OtlpReceiver, ReceivedSpan } from '../fixtures/otlp-receiver';
import { Apps, logLines, shutdownSummary, timedExit } from './harness/app-under-test';
import { record } from './harness/results';
import { RssSampler } from './harness/rss-sampler';
import { percentile, runTraffic } from './harness/traffic';

const RATE = 100;
const FAULT_MILLIS = 4000;
const RECOVERY_MILLIS = 3000;
/** Worst case: the export in flight when the collector returns runs to its deadline first. */
const RESUME_BOUND_MILLIS = 6000;
const LOG_INTERVAL = 1000;
const BASE_ENV = {
  OTEL_BSP_SCHEDULE_DELAY: '100',
  OTEL_BSP_MAX_QUEUE_SIZE: '128',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '32',
  ORG_TRACE_ERROR_LOG_INTERVAL_MS: String(LOG_INTERVAL),
  // Only the http server span per request: exact span accounting.
  OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http',
};

const apps = new Apps();
afterEach(() => apps.stopAll());

type Fault = {
  exporterTimeout: number;
  /** Breaks the collector; returns true when it was stopped (it then comes back as a new server on the same port). */
  apply: (rx: OtlpReceiver) => Promise<boolean> | boolean;
};

interface Run {
  p50: number;
  p98: number;
  p99: number;
  controlP50: number;
  controlP99: number;
  maxRssMiB: number;
  controlMaxRssMiB: number;
  errors: number;
  created: number;
  received: number;
  controlLost: number;
  summary: ReturnType<typeof shutdownSummary>;
  exportLogLines: string[];
  dropLogLines: string[];
  /** ms since the fault began at which the (misbehaving) collector saw a request. */
  arrivals: number[];
  /** ms from the collector's return to the first delivered span of a request made after it. */
  resumedMillis: number;
  /** Requests of the last second of the recovery phase whose spans never arrived. */
  lateMissing: number;
  exit: { code: number | null; ms: number };
}

const isAddrInUse = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE';

async function startPair(env: Record<string, string>) {
  // The receiver listens on a port of its own choosing (0), so nothing can take it first; its port
  // is kept for the restart.
  const rx = await new OtlpReceiver().start();
  const port = rx.port;
  const app = apps.start('http-pg-app.js', { ...BASE_ENV, ...env, OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
  return { port, rx, app, appPort: await app.port() };
}

/**
 * The collector back on the port it had. While it was down the port was free, and a parallel test
 * file's outgoing connection can hold it as its local (ephemeral) port for a moment: bind then fails
 * with EADDRINUSE until that connection closes. That is the fixture's race, not the app's: try again
 * for a few seconds (the resume bound is measured from the moment it is back).
 */
async function restartOn(port: number): Promise<OtlpReceiver> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await new OtlpReceiver().start(port);
    } catch (err) {
      if (!isAddrInUse(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * One run: warm-up, fault under traffic, recovery under traffic, SIGTERM. A control app with a
 * healthy collector gets the same traffic at the same time: on 2 shared cores absolute latencies
 * swing with whatever else runs, so the bound is relative to a twin that lived through the same noise.
 */
async function run(fault: Fault): Promise<Run> {
  const subject = await startPair({ OTEL_EXPORTER_OTLP_TIMEOUT: String(fault.exporterTimeout) });
  const control = await startPair({ OTEL_EXPORTER_OTLP_TIMEOUT: String(fault.exporterTimeout) });
  const receivers = [subject.rx, control.rx];
  let rx = subject.rx;
  const both = (durationMillis: number, ratePerSecond: number, prefix: string) =>
    Promise.all([subject.appPort, control.appPort].map((port) => runTraffic({ port, ratePerSecond, durationMillis, path: (i) => `/${prefix}/${i}` })));
  try {
    const [warm] = await both(400, 50, 'warm');
    await rx.waitFor((s) => s.length >= warm.ok, 5000);

    const rss = new RssSampler(subject.app.proc.pid!).start();
    const controlRss = new RssSampler(control.app.proc.pid!).start();
    const faultStart = Date.now();
    const stopped = await fault.apply(rx);
    // Arrivals at the faulty collector, stamped by the receiver itself the moment it takes a request
    // in (body read; a 429 is answered in that same turn): no polling delay of the test's own loop
    // between an arrival and its timestamp, which made gaps look shorter or longer than they were.
    const rejectedBefore = rx.rejectedAt.length;
    const [during, controlDuring] = await both(FAULT_MILLIS, RATE, 'fault');
    const arrivals = rx.rejectedAt.slice(rejectedBefore).map((t) => t - faultStart);

    // The collector comes back: same address, answering 200.
    if (stopped) {
      rx = await restartOn(subject.port);
      receivers.push(rx);
    } else rx.behaviour = { mode: 'ok' };
    const backAt = Date.now();
    let resumedAt = Infinity;
    const isAfter = (s: ReceivedSpan) => String(s.attributes['url.path']).startsWith('/after/');
    const watch = rx.waitFor((s) => s.some(isAfter), RECOVERY_MILLIS + 10_000).then(() => (resumedAt = Date.now()), () => undefined);
    const [after, controlAfter] = await both(RECOVERY_MILLIS, RATE, 'after');
    await watch;
    // Spans of requests made once the queue had a second to drain must all arrive.
    const late = new Set(after.okPaths.filter((p) => Number(p.split('/')[2]) >= ((RECOVERY_MILLIS - 1000) / 1000) * RATE));
    const arrived = (spans: ReceivedSpan[]) => spans.filter((x) => late.has(String(x.attributes['url.path']))).length;
    await rx.waitFor((s) => arrived(s) === late.size, 10_000).catch(() => undefined);
    rss.stop();
    controlRss.stop();

    const [exit] = await Promise.all([timedExit(subject.app, 'SIGTERM'), timedExit(control.app, 'SIGTERM')]);
    const all = receivers.filter((r) => r !== control.rx).flatMap((r) => r.spans);
    const stderr = subject.app.stderr;
    return {
      // Fault and recovery (queue drain) together: 700 samples make p99 less of a lottery.
      p50: percentile([...during.latencies, ...after.latencies], 50),
      p98: percentile([...during.latencies, ...after.latencies], 98),
      p99: percentile([...during.latencies, ...after.latencies], 99),
      controlP50: percentile([...controlDuring.latencies, ...controlAfter.latencies], 50),
      controlP99: percentile([...controlDuring.latencies, ...controlAfter.latencies], 99),
      maxRssMiB: rss.max(),
      controlMaxRssMiB: controlRss.max(),
      errors: during.errors + after.errors,
      created: warm.sent + during.sent + after.sent,
      received: all.length,
      controlLost: warm.sent + controlDuring.sent + controlAfter.sent - control.rx.spans.length,
      summary: shutdownSummary(stderr),
      exportLogLines: logLines(stderr, /span export failed/),
      dropLogLines: logLines(stderr, /spans dropped:/),
      arrivals,
      resumedMillis: resumedAt - backAt,
      lateMissing: late.size - arrived(all),
      exit,
    };
  } finally {
    for (const r of receivers) await r.stop();
  }
}

/** Spans a rate-limited log line stands for: "N times since the last report, S spans" or one failure's own count. */
function spansInLines(lines: string[], single: RegExp): number {
  let total = 0;
  for (const l of lines) {
    const agg = l.match(/\d+ times since the last report, (\d+) spans/);
    total += agg ? Number(agg[1]) : Number(l.match(single)?.[1] ?? 1);
  }
  return total;
}

/** The bounds every fault must keep, relative to the control app. */
function expectAppUnharmed(r: Run, tried: string, duplicatesAllowed = 0): void {
  // p99: the export path must not add queueing to requests. Loose enough for 2 shared cores.
  // Latency: the export path must not add queueing to requests. On 2 shared cores one ~100 ms
  // scheduling stall of one process delays ~10 of its 700 requests and moves its p99 alone; harm
  // from the exporter hits requests all along. So: the subject's p98 (not p99: one stall's worth
  // of slack) within 2× the control's p99, or +20 ms. Both p99s are recorded.
  const tailBound = Math.max(r.controlP99 * 2, r.controlP99 + 20);
  const rssBound = r.controlMaxRssMiB + 30;
  const s = r.summary ?? { exported: r.received, failed: 0, dropped: 0, inFlight: 0 };
  const maxLogLines = Math.ceil((FAULT_MILLIS + RECOVERY_MILLIS + 10_000) / LOG_INTERVAL) + 1;
  record({
    area: 'faults',
    tried,
    measured:
      `p50 ${r.p50.toFixed(1)} / p98 ${r.p98.toFixed(1)} / p99 ${r.p99.toFixed(1)} ms (control p50 ${r.controlP50.toFixed(1)} / p99 ${r.controlP99.toFixed(1)}); max RSS ${r.maxRssMiB.toFixed(0)} MiB (control ${r.controlMaxRssMiB.toFixed(0)}); ` +
      `${r.created} spans: ${s.exported} exported, ${s.failed} failed, ${s.dropped} dropped, ${s.inFlight} in flight; ` +
      `${r.exportLogLines.length} export-error + ${r.dropLogLines.length} drop log lines; ` +
      `export resumed ${Number.isFinite(r.resumedMillis) ? `${(r.resumedMillis / 1000).toFixed(1)} s` : 'NEVER'} after recovery; exit ${r.exit.code} in ${r.exit.ms} ms`,
  });
  expect(r.controlLost).toBe(0);
  expect(r.errors).toBe(0);
  expect(r.p98).toBeLessThanOrEqual(tailBound);
  expect(r.maxRssMiB).toBeLessThanOrEqual(rssBound);
  // Nothing vanishes silently: every span created is either delivered or counted as lost.
  expect(s.exported + s.failed + s.dropped + s.inFlight).toBe(r.created);
  expect(r.received).toBeGreaterThanOrEqual(s.exported);
  expect(r.received - s.exported).toBeLessThanOrEqual(duplicatesAllowed);
  // The logs say what was lost, to the span: their counts add up to the shutdown report's.
  expect(spansInLines(r.exportLogLines, /: (\d+) spans not delivered/)).toBe(s.failed);
  expect(spansInLines(r.dropLogLines, /^$/)).toBe(s.dropped);
  // Rate-limited: at most one line per interval per kind, never one per batch.
  expect(r.exportLogLines.length).toBeLessThanOrEqual(maxLogLines);
  expect(r.dropLogLines.length).toBeLessThanOrEqual(maxLogLines);
  expect(r.resumedMillis).toBeLessThanOrEqual(RESUME_BOUND_MILLIS);
  expect(r.lateMissing).toBe(0);
  expect(r.exit.code).toBe(143);
  expect(r.exit.ms).toBeLessThanOrEqual(2000);
}

test('collector down (connection refused), then back on the same port', async () => {
  const r = await run({ exporterTimeout: 1000, apply: async (rx) => (await rx.stop(), true) });
  // Killing the collector can cut a 200 off after it stored the batch: the exporter counts that batch
  // as failed (or sends it again), so the collector may hold one batch more than "exported" says.
  expectAppUnharmed(r, 'endpoint down (connection refused) 4 s, then back', 32);
  expect(r.summary!.failed).toBeGreaterThan(0);
  expect(r.exportLogLines.join('\n')).toMatch(/ECONNREFUSED/);
  // Each export here takes the whole 1 s timeout (retries), as long as the log interval: a line may
  // stand for one failure, but it always says how many spans it is about.
  for (const l of r.exportLogLines) expect(l).toMatch(/\d+ spans not delivered|\d+ times since the last report, \d+ spans/);
});

test('collector blackholed (accepts, never answers): exporter deadline holds, one request at a time', async () => {
  const r = await run({ exporterTimeout: 1000, apply: (rx) => ((rx.behaviour = { mode: 'blackhole' }), false) });
  expectAppUnharmed(r, 'blackholed (accepts, never answers) 4 s, OTLP timeout 1 s');
  expect(r.summary!.dropped).toBeGreaterThan(0);
  expect(r.dropLogLines.join('\n')).toMatch(/spans dropped in total/);
  // One export in flight, each abandoned at the 1 s deadline: requests ~1 s apart, never piling up.
  const gaps = r.arrivals.slice(1).map((t, i) => t - r.arrivals[i]);
  expect(r.arrivals.length).toBeGreaterThanOrEqual(3);
  expect(r.arrivals.length).toBeLessThanOrEqual(Math.ceil(FAULT_MILLIS / 1000) + 1);
  for (const g of gaps) {
    expect(g).toBeGreaterThanOrEqual(900);
    expect(g).toBeLessThanOrEqual(1400);
  }
});

test('slow collector (2 s per request): exports continue, excess is dropped and counted', async () => {
  const r = await run({ exporterTimeout: 5000, apply: (rx) => ((rx.behaviour = { mode: 'delay', millis: 2000 }), false) });
  expectAppUnharmed(r, 'slow: 2 s per request 4 s, OTLP timeout 5 s');
  expect(r.summary!.dropped).toBeGreaterThan(0);
});

test('collector answering 500: not retried, failures counted and logged with counts', async () => {
  const r = await run({ exporterTimeout: 1000, apply: (rx) => ((rx.behaviour = { mode: 'status', status: 500 }), false) });
  expectAppUnharmed(r, 'answering HTTP 500 4 s');
  expect(r.summary!.failed).toBeGreaterThan(0);
  // Every failed span was really attempted (batches of at most 32), and 500 is not retried.
  expect(r.arrivals.length).toBeGreaterThanOrEqual(Math.ceil(r.summary!.failed / 32));
  expect(r.exportLogLines.join('\n')).toMatch(/HTTP 500 \(after 1 attempt\)/);
  expect(r.exportLogLines.join('\n')).toMatch(/\d+ times since the last report, \d+ spans \(last: \d+ spans not delivered/);
});

test('collector answering 429 with Retry-After: 1: no request before the collector asked for one', async () => {
  const r = await run({ exporterTimeout: 2500, apply: (rx) => ((rx.behaviour = { mode: 'status', status: 429, retryAfter: '1' }), false) });
  expectAppUnharmed(r, 'answering 429 + Retry-After: 1 for 4 s, OTLP timeout 2.5 s');
  const gaps = r.arrivals.slice(1).map((t, i) => t - r.arrivals[i]);
  record({ area: 'faults', tried: '429 Retry-After honoured', measured: `${r.arrivals.length} requests during the fault; smallest gap ${Math.min(...gaps)} ms` });
  expect(r.arrivals.length).toBeGreaterThanOrEqual(2);
  // Retry-After is honoured across batches too: a throttled collector is not hit by the next batch.
  for (const g of gaps) expect(g).toBeGreaterThanOrEqual(950);
});
