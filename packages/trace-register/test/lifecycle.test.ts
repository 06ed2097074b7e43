// Shutdown behaviour of a real process: SIGTERM/SIGINT flush within the deadline and exit with
// 143/130; an unreachable or blackholed collector never holds the process; the app's own signal
// handler keeps control of the exit.
import { OtlpReceiver } from '../../../test/fixtures/otlp-receiver';
import { freePort } from '../../../test/fixtures/postgres';
import { httpGet, spawnApp, SpawnedApp } from '../../../test/fixtures/spawn-app';

const apps: SpawnedApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

function start(env: Record<string, string>): SpawnedApp {
  const app = spawnApp('http-pg-app.js', { env: { DATABASE_URL: process.env.DATABASE_URL, OTEL_BSP_SCHEDULE_DELAY: '60000', ...env } });
  apps.push(app);
  return app;
}

async function timeExit(app: SpawnedApp, sig: NodeJS.Signals) {
  const t0 = Date.now();
  app.kill(sig);
  const exit = await app.exited;
  return { ...exit, ms: Date.now() - t0 };
}

test('SIGTERM with the endpoint down (connection refused): exits ≤ 2 s with code 143', async () => {
  const port = await freePort();
  const app = start({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
  const p = await app.port();
  await httpGet(`http://127.0.0.1:${p}/users`);
  const exit = await timeExit(app, 'SIGTERM');
  expect(exit.code).toBe(143);
  expect(exit.ms).toBeLessThanOrEqual(2000);
});

test('SIGTERM with a blackholed collector: exits ≤ 2 s with code 143 and reports what was lost', async () => {
  const rx = await new OtlpReceiver().start();
  rx.behaviour = { mode: 'blackhole' };
  try {
    const app = start({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
    const p = await app.port();
    await httpGet(`http://127.0.0.1:${p}/users`);
    const exit = await timeExit(app, 'SIGTERM');
    expect(exit.code).toBe(143);
    expect(exit.ms).toBeLessThanOrEqual(2000);
    expect(app.stderr).toMatch(/shutdown: 0 spans exported/);
  } finally {
    await rx.stop();
  }
});

test('SIGINT with the collector up: every span of completed requests is delivered, exit 130', async () => {
  const rx = await new OtlpReceiver().start();
  try {
    const app = start({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url });
    const p = await app.port();
    for (let i = 0; i < 5; i++) await httpGet(`http://127.0.0.1:${p}/users`);
    const exit = await timeExit(app, 'SIGINT');
    expect(exit.code).toBe(130);
    expect(rx.spans.filter((s) => s.kind === 2)).toHaveLength(5);
  } finally {
    await rx.stop();
  }
});

test("the app's own SIGTERM handler decides the exit; spans are still flushed", async () => {
  const rx = await new OtlpReceiver().start();
  try {
    const app = start({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, APP_OWN_SIGTERM: '1' });
    const p = await app.port();
    await httpGet(`http://127.0.0.1:${p}/users`);
    const exit = await timeExit(app, 'SIGTERM');
    expect(app.stdout).toContain('APP SIGTERM HANDLER');
    expect(exit.code).toBe(0);
    expect(rx.spans.some((s) => s.kind === 2)).toBe(true);
  } finally {
    await rx.stop();
  }
});

test('a short script flushes on beforeExit without being kept alive', async () => {
  const rx = await new OtlpReceiver().start();
  try {
    const app = spawnApp('short-script.js', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_BSP_SCHEDULE_DELAY: '60000' } });
    apps.push(app);
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(rx.spans.map((s) => s.name)).toContain('short-work');
  } finally {
    await rx.stop();
  }
});

test('OTEL_TRACES_EXPORTER=file writes OTLP JSON lines (one ExportTraceServiceRequest per line)', async () => {
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { spansFromJson } = await import('../../../test/fixtures/otlp-receiver');
  const file = join(mkdtempSync(join(tmpdir(), 'org-trace-file-')), 'nested', 'traces.jsonl');
  const app = start({ OTEL_TRACES_EXPORTER: 'file', ORG_TRACE_FILE: file, OTEL_BSP_SCHEDULE_DELAY: '50' });
  const p = await app.port();
  await httpGet(`http://127.0.0.1:${p}/users`);
  const exit = await timeExit(app, 'SIGTERM');
  expect(exit.code).toBe(143);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const spans = lines.flatMap((l) => spansFromJson(JSON.parse(l)));
  expect(spans.find((s) => s.kind === 2)!.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(spans.some((s) => s.kind === 3)).toBe(true);
  for (const l of lines) expect(Object.keys(JSON.parse(l))).toEqual(['resourceSpans']);
});
