// Issue 9, item 2: shutdown never hangs and never loses what it could have sent. Real processes,
// real signals: with the collector down or blackholed the process is gone within the 2 s deadline
// with 143 (SIGTERM) / 130 (SIGINT); with it up every span of a completed request is delivered
// first; an app's own handlers keep control; a crash still flushes (bounded) when asked to.
import { OtlpReceiver } from '../fixtures/otlp-receiver';
import { freePort } from '../fixtures/postgres';
import { httpGet } from '../fixtures/spawn-app';
import { Apps, shutdownSummary, timedExit } from './harness/app-under-test';
import { record } from './harness/results';
import { runTraffic } from './harness/traffic';

const apps = new Apps();
const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await apps.stopAll();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

async function receiver(mode: 'ok' | 'blackhole' | 'slow'): Promise<OtlpReceiver> {
  const rx = await new OtlpReceiver().start();
  receivers.push(rx);
  if (mode === 'blackhole') rx.behaviour = { mode: 'blackhole' };
  if (mode === 'slow') rx.behaviour = { mode: 'delay', millis: 300 };
  return rx;
}

async function endpoint(mode: 'down' | 'blackhole' | 'ok'): Promise<string> {
  return mode === 'down' ? `http://127.0.0.1:${await freePort()}` : (await receiver(mode)).url;
}

// A long batch delay: at the signal the spans are still queued, so only the shutdown flush can
// deliver them, and a stuck export is in flight when the collector is broken.
const QUEUED = { OTEL_BSP_SCHEDULE_DELAY: '60000' };

describe.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('%s', (sig, code) => {
  test.each(['down', 'blackhole'] as const)(`collector %s: exit ${code} within 2 s, every span accounted for`, async (mode) => {
    // Default OTLP timeout (10 s): only the shutdown deadline can end the stuck export. One span
    // per request (http only), so the loss report can be checked exactly.
    const app = apps.start('http-pg-app.js', { ...QUEUED, OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '16', OTEL_EXPORTER_OTLP_ENDPOINT: await endpoint(mode) });
    const port = await app.port();
    // 40 requests: a batch of 16 is in flight (stuck or refused), the rest queued behind it.
    const t = await runTraffic({ port, ratePerSecond: 200, durationMillis: 200, path: (i) => `/r/${i}` });
    const exit = await timedExit(app, sig);
    const s = shutdownSummary(app.stderr);
    record({ area: 'shutdown', tried: `${sig}, collector ${mode}, ${t.ok} requests done (1 span each)`, measured: `exit ${exit.code} in ${exit.ms} ms; ${s ? `reported ${s.exported} exported, ${s.failed} failed, ${s.dropped} dropped, ${s.inFlight} in flight` : 'no loss report'}` });
    expect(t.ok).toBe(40);
    expect(exit.code).toBe(code);
    expect(exit.ms).toBeLessThanOrEqual(2000);
    expect(s).toBeDefined();
    expect(s!.exported).toBe(0);
    // Each span counted once: never both "in flight" and "failed".
    expect(s!.failed + s!.dropped + s!.inFlight).toBe(40);
  });

  test(`collector up: every span of the completed requests is delivered, then exit ${code}`, async () => {
    const rx = await receiver('ok');
    const app = apps.start('http-pg-app.js', { ...QUEUED, OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
    const port = await app.port();
    const t = await runTraffic({ port, ratePerSecond: 200, durationMillis: 1500, path: (i) => `/users?i=${i}` });
    const exit = await timedExit(app, sig);
    const server = rx.spans.filter((s) => s.kind === 2);
    const queries = rx.spans.filter((s) => s.attributes['db.query.text'] !== undefined);
    record({ area: 'shutdown', tried: `${sig}, collector up, ${t.ok} requests done (spans only queued)`, measured: `${server.length} server + ${queries.length} query spans delivered; exit ${exit.code} in ${exit.ms} ms` });
    expect(t.ok).toBe(300);
    expect(new Set(server.map((s) => s.spanId)).size).toBe(300);
    expect(queries).toHaveLength(300);
    expect(exit.code).toBe(code);
    expect(exit.ms).toBeLessThanOrEqual(2000);
    expect(shutdownSummary(app.stderr)).toBeUndefined();
  });
});

test('collector up but slow (300 ms per request): queued spans still delivered within the deadline', async () => {
  const rx = await receiver('slow');
  const app = apps.start('http-pg-app.js', { ...QUEUED, OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
  const port = await app.port();
  const t = await runTraffic({ port, ratePerSecond: 200, durationMillis: 1000, path: (i) => `/users?i=${i}` });
  const exit = await timedExit(app, 'SIGTERM');
  const server = rx.spans.filter((s) => s.kind === 2);
  record({ area: 'shutdown', tried: `SIGTERM, collector answering in 300 ms, ${t.ok} requests (${Math.ceil((t.ok * 3 + 1) / 512)} batches)`, measured: `${server.length}/${t.ok} server spans delivered; exit ${exit.code} in ${exit.ms} ms` });
  expect(server).toHaveLength(t.ok);
  expect(exit.code).toBe(143);
  expect(exit.ms).toBeLessThanOrEqual(2000);
});

test("the app's own SIGTERM handler decides the exit, even with a blackholed collector, within the deadline", async () => {
  const app = apps.start('http-pg-app.js', { ...QUEUED, APP_OWN_SIGTERM: '1', OTEL_EXPORTER_OTLP_ENDPOINT: await endpoint('blackhole') });
  const port = await app.port();
  await httpGet(`http://127.0.0.1:${port}/users`);
  const exit = await timedExit(app, 'SIGTERM');
  record({ area: 'shutdown', tried: "app's own SIGTERM handler (closes server, exits 0), collector blackholed", measured: `handler ran: ${app.stdout.includes('APP SIGTERM HANDLER')}; exit ${exit.code} in ${exit.ms} ms` });
  expect(app.stdout).toContain('APP SIGTERM HANDLER');
  expect(exit.code).toBe(0);
  // Our flush may hold the app's process.exit back, but never past the shutdown deadline.
  expect(exit.ms).toBeLessThanOrEqual(2000);
});

test("an app SIGINT handler that does not exit keeps the process alive and serving; spans still flow", async () => {
  const rx = await receiver('ok');
  const app = apps.start('signals-crash-app.js', { OTEL_BSP_SCHEDULE_DELAY: '100', APP_OWN_SIGINT: '1', OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
  const port = await app.port();
  await httpGet(`http://127.0.0.1:${port}/before`);
  app.kill('SIGINT');
  await app.waitForOutput(/APP SIGINT HANDLER 1/);
  app.kill('SIGINT');
  await app.waitForOutput(/APP SIGINT HANDLER 2/);
  await new Promise((r) => setTimeout(r, 2500)); // past our 2 s shutdown deadline
  const alive = app.proc.exitCode === null && app.proc.signalCode === null;
  const after = alive ? await httpGet(`http://127.0.0.1:${port}/after`) : undefined;
  await rx.waitFor((s) => s.some((x) => x.attributes['url.path'] === '/after'), 5000).catch(() => undefined);
  const paths = rx.spans.map((s) => s.attributes['url.path']);
  const exit = await timedExit(app, 'SIGTERM');
  record({ area: 'shutdown', tried: 'app SIGINT handler that keeps running, 2 × SIGINT', measured: `alive 2.5 s later: ${alive}; served after: ${after?.status}; spans after: ${paths.includes('/after')}; then SIGTERM → ${exit.code}` });
  expect(alive).toBe(true);
  expect(after?.status).toBe(200);
  expect(paths).toEqual(expect.arrayContaining(['/before', '/after']));
  expect(exit.code).toBe(143);
});

describe('uncaught exception', () => {
  test('ORG_TRACE_FLUSH_ON_CRASH=true, collector up: spans of completed requests delivered, exit 1, error printed', async () => {
    const rx = await receiver('ok');
    const app = apps.start('signals-crash-app.js', { ...QUEUED, ORG_TRACE_FLUSH_ON_CRASH: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
    const port = await app.port();
    for (let i = 0; i < 20; i++) await httpGet(`http://127.0.0.1:${port}/ok/${i}`);
    const t0 = Date.now();
    await httpGet(`http://127.0.0.1:${port}/crash`);
    const exit = await app.exited;
    const ms = Date.now() - t0;
    const server = rx.spans.filter((s) => s.kind === 2);
    record({ area: 'shutdown', tried: 'uncaught exception, ORG_TRACE_FLUSH_ON_CRASH=true, collector up', measured: `${server.length}/21 server spans delivered (incl. the crashing request); exit ${exit.code} in ${ms} ms` });
    expect(exit.code).toBe(1);
    expect(app.stderr).toMatch(/Error: boom: uncaught in a callback\n\s+at /);
    expect(server.map((s) => s.attributes['url.path'])).toEqual(expect.arrayContaining([...Array.from({ length: 20 }, (_, i) => `/ok/${i}`), '/crash']));
    expect(ms).toBeLessThanOrEqual(2000);
  });

  test('ORG_TRACE_FLUSH_ON_CRASH=true, collector blackholed: exit 1 within the 2 s deadline', async () => {
    const app = apps.start('signals-crash-app.js', { ...QUEUED, ORG_TRACE_FLUSH_ON_CRASH: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: await endpoint('blackhole') });
    const port = await app.port();
    await httpGet(`http://127.0.0.1:${port}/ok`);
    const t0 = Date.now();
    await httpGet(`http://127.0.0.1:${port}/crash`);
    const exit = await app.exited;
    const ms = Date.now() - t0;
    record({ area: 'shutdown', tried: 'uncaught exception, ORG_TRACE_FLUSH_ON_CRASH=true, collector blackholed', measured: `exit ${exit.code} in ${ms} ms` });
    expect(exit.code).toBe(1);
    expect(app.stderr).toContain('boom: uncaught in a callback');
    expect(ms).toBeLessThanOrEqual(2000);
  });

  test('default (no flush on crash): Node behaves as without tracing — exit 1 at once', async () => {
    const app = apps.start('signals-crash-app.js', { ...QUEUED, OTEL_EXPORTER_OTLP_ENDPOINT: await endpoint('blackhole') });
    const port = await app.port();
    const t0 = Date.now();
    await httpGet(`http://127.0.0.1:${port}/crash`);
    const exit = await app.exited;
    const ms = Date.now() - t0;
    record({ area: 'shutdown', tried: 'uncaught exception, flush on crash off (default)', measured: `exit ${exit.code} in ${ms} ms` });
    expect(exit.code).toBe(1);
    expect(app.stderr).toContain('boom: uncaught in a callback');
    expect(ms).toBeLessThanOrEqual(500);
  });
});

test('a short script with a blackholed collector ends on its own within the deadline (beforeExit flush is bounded)', async () => {
  const app = apps.start('short-script.js', { ...QUEUED, OTEL_EXPORTER_OTLP_ENDPOINT: await endpoint('blackhole') });
  const t0 = Date.now();
  // Timed from the end of the script's own work, not from the spawn: process start takes ~0.3 s on
  // a quiet machine and over a second on a busy one, and is no part of the flush deadline.
  let workDone = Infinity;
  app.waitForOutput(/WORK DONE/).then(() => (workDone = Date.now()), () => undefined);
  const exit = await app.exited;
  const end = Date.now();
  const ms = end - t0;
  const flushMs = end - workDone;
  const s = shutdownSummary(app.stderr);
  record({ area: 'shutdown', tried: 'short script ends by itself, collector blackholed (beforeExit flush)', measured: `exit ${exit.code} after ${ms} ms of life, ${flushMs} ms after its work was done; loss reported: ${s ? `${s.inFlight} in flight, ${s.dropped} dropped` : 'no'}` });
  expect(exit.code).toBe(0);
  expect(Number.isFinite(workDone)).toBe(true); // its output was read before it exited
  expect(s).toEqual({ exported: 0, failed: 0, dropped: 0, inFlight: 1 });
  // The beforeExit flush holds the process for the 2 s shutdown deadline at most (measured: ~2015 ms
  // from the script's last line to the exit) — not the 10 s OTLP timeout of the stuck export —
  // plus the moment a busy machine takes to run the deadline's timer and end the process. (Before,
  // the bound was 3.5 s from the spawn, startup included: ~3.3 s for the flush on a quiet machine.)
  expect(flushMs).toBeLessThanOrEqual(3000);
});
