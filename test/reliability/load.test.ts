// Issue 9, item 6: steady traced traffic with the collector up — nothing may be lost and memory
// must stay flat. The test suite runs a bounded variant (15 s); `node tools/reliability/run.js`
// runs the full 60 s for docs/reliability.md (ORG_TRACE_RELIABILITY_LOAD_SECONDS sets the length).
// Product defaults for the batch processor (2048 queue, 512 batch, 5 s delay): this is the
// configuration users run, not a tuned one.
import { OtlpReceiver } from '../fixtures/otlp-receiver';
import { Apps, shutdownSummary, timedExit } from './harness/app-under-test';
import { record } from './harness/results';
import { rssSlackMiB } from './harness/heap-slack';
import { RssSampler } from './harness/rss-sampler';
import { percentile, runTraffic } from './harness/traffic';

const SECONDS = Number(process.env.ORG_TRACE_RELIABILITY_LOAD_SECONDS || 15);
const RATE = 100;

const apps = new Apps();
afterAll(() => apps.stopAll());

test(`${SECONDS} s at ${RATE} req/s (http + pg, ~4 spans each), collector up: zero spans lost, RSS flat`, async () => {
  const rx = await new OtlpReceiver().start();
  try {
    const app = apps.start('http-pg-app.js', { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_BSP_SCHEDULE_DELAY: '5000', POOL_MAX: '4' });
    const port = await app.port();
    const rss = new RssSampler(app.proc.pid!, 250).start();
    const t = await runTraffic({ port, ratePerSecond: RATE, durationMillis: SECONDS * 1000, path: (i) => `/users?n=${i}` });
    rss.stop();
    const exit = await timedExit(app, 'SIGTERM');
    const server = rx.spans.filter((s) => s.kind === 2).length;
    const queries = rx.spans.filter((s) => s.attributes['db.query.text'] !== undefined).length;
    const loss = shutdownSummary(app.stderr);
    // RSS after warm-up (the first fifth: JIT, pool connections, first exports) — second vs last quarter.
    const early = rss.medianBetween(0.25, 0.5);
    const late = rss.medianBetween(0.75, 1);
    record({
      area: 'load',
      tried: `${SECONDS} s at ${RATE} req/s on GET /users (server + pool + query spans), collector up, default batch settings`,
      measured: `${t.ok}/${t.sent} requests ok, p99 ${percentile(t.latencies, 99).toFixed(1)} ms; ${rx.spans.length} spans received (${server} server, ${queries} query), loss report: ${loss ? JSON.stringify(loss) : 'none'}; RSS median ${early.toFixed(0)} MiB (2nd quarter) → ${late.toFixed(0)} MiB (last quarter), max ${rss.max().toFixed(0)}; exit ${exit.code} in ${exit.ms} ms`,
    });
    expect(t.errors).toBe(0);
    expect(server).toBe(t.sent);
    expect(queries).toBe(t.sent);
    expect(loss).toBeUndefined();
    expect(late - early).toBeLessThanOrEqual(rssSlackMiB(10));
    expect(exit.code).toBe(143);
  } finally {
    await rx.stop();
  }
}, (SECONDS + 60) * 1000);
