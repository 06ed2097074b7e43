// Issue: business context on spans and trace ids in logs — real processes under --require.
import { OtlpReceiver, ReceivedSpan } from '../../../test/fixtures/otlp-receiver';
import { httpGet, spawnApp, SpawnedApp } from '../../../test/fixtures/spawn-app';

let rx: OtlpReceiver;
const apps: SpawnedApp[] = [];
beforeEach(async () => {
  rx = await new OtlpReceiver().start();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  await rx.stop();
});

function start(name: string, env: Record<string, string> = {}) {
  const app = spawnApp('logging-app.js', { env: { OTEL_SERVICE_NAME: name, OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, ...env } });
  apps.push(app);
  return app;
}

const server = (spans: ReceivedSpan[], service: string) => spans.filter((s) => s.kind === 2 && s.resource['service.name'] === service);

test('client baggage reaches downstream spans as attributes, only for allow-listed keys', async () => {
  const env = { ORG_TRACE_BAGGAGE_ATTRIBUTES: 'customer.tier,tenant.id' };
  const b = start('svc-b', env);
  const a = start('svc-a', env);
  const [pa, pb] = [await a.port(), await b.port()];
  const headers = { baggage: 'customer.tier=platinum,tenant.id=acme,user.email=alice%40example.com' };
  const seenByB = JSON.parse((await httpGet(`http://127.0.0.1:${pa}/call?url=${encodeURIComponent(`http://127.0.0.1:${pb}/`)}`, headers)).body);
  expect(seenByB.baggage).toContain('customer.tier=platinum');
  const spans = await rx.waitFor((s) => server(s, 'svc-b').length >= 1 && server(s, 'svc-a').length >= 1 && s.some((x) => x.kind === 3));
  for (const s of [...server(spans, 'svc-a'), ...server(spans, 'svc-b'), ...spans.filter((x) => x.kind === 3)]) {
    expect(s.attributes['customer.tier']).toBe('platinum');
    expect(s.attributes['tenant.id']).toBe('acme');
    expect(s.attributes['user.email']).toBeUndefined();
  }
});

test('without the allow-list, baggage is propagated but never copied onto spans', async () => {
  const a = start('svc-a');
  const pa = await a.port();
  await httpGet(`http://127.0.0.1:${pa}/`, { baggage: 'customer.tier=gold' });
  const spans = await rx.waitFor((s) => server(s, 'svc-a').length >= 1);
  expect(server(spans, 'svc-a')[0].attributes['customer.tier']).toBeUndefined();
});

test('withBusinessContext sets the attribute on the current span and propagates it downstream', async () => {
  const env = { ORG_TRACE_BAGGAGE_ATTRIBUTES: 'customer.tier' };
  const b = start('svc-b', env);
  const a = start('svc-a', env);
  const [pa, pb] = [await a.port(), await b.port()];
  await httpGet(`http://127.0.0.1:${pa}/business?tier=silver&url=${encodeURIComponent(`http://127.0.0.1:${pb}/`)}`);
  const spans = await rx.waitFor((s) => server(s, 'svc-b').length >= 1 && server(s, 'svc-a').length >= 1);
  expect(server(spans, 'svc-a')[0].attributes['customer.tier']).toBe('silver');
  expect(server(spans, 'svc-b')[0].attributes['customer.tier']).toBe('silver');
});

function jsonLines(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

test('pino and winston lines written inside a request carry the exported server span trace id', async () => {
  const a = start('svc-a');
  const pa = await a.port();
  await httpGet(`http://127.0.0.1:${pa}/log`);
  const spans = await rx.waitFor((s) => server(s, 'svc-a').length >= 1);
  const span = server(spans, 'svc-a')[0];
  await a.waitForOutput(/"source":"winston"/);
  const lines = jsonLines(a.stdout);
  const p = lines.find((l) => l.source === 'pino')!;
  const w = lines.find((l) => l.source === 'winston')!;
  for (const l of [p, w]) {
    expect(l.trace_id).toBe(span.traceId);
    expect(l.span_id).toBe(span.spanId);
    expect(l.trace_flags).toBe('01');
    // The id legacy systems log: here the trace id in uuid form (no legacy id came in).
    expect(String(l.x_trace_id).replace(/-/g, '')).toBe(span.traceId);
  }
  // console is untouched unless opted in.
  expect(a.stdout).toMatch(/^console line formatted$/m);
});

test('a trace started from a legacy X-Trace-ID: logs carry the value users grep for', async () => {
  const a = start('svc-a', { ORG_TRACE_CONSOLE_CONTEXT: 'true' });
  const pa = await a.port();
  const legacy = 'req-7f3a9c-checkout-0001';
  await httpGet(`http://127.0.0.1:${pa}/log`, { 'x-trace-id': legacy });
  const spans = await rx.waitFor((s) => server(s, 'svc-a').length >= 1);
  const span = server(spans, 'svc-a')[0];
  await a.waitForOutput(/"source":"winston"/);
  const p = jsonLines(a.stdout).find((l) => l.source === 'pino')!;
  expect(p.trace_id).toBe(span.traceId);
  expect(p.x_trace_id).toBe(legacy);
  expect(a.stdout).toContain(`[trace_id=${span.traceId} span_id=${span.spanId} x_trace_id=${legacy}] console line formatted`);
});
