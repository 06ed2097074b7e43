// Out-of-process: real apps started with `node --require/--import @org/trace-register`, a real
// PostgreSQL, and the in-repo OTLP receiver decoding what was really sent.
import { OtlpReceiver, ReceivedSpan } from '../../../test/fixtures/otlp-receiver';
import { httpGet, spawnApp, SpawnedApp } from '../../../test/fixtures/spawn-app';

let receiver: OtlpReceiver;
const apps: SpawnedApp[] = [];

beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  await receiver.stop();
});

function start(script: string, loader: 'require' | 'import', env: Record<string, string> = {}): SpawnedApp {
  const app = spawnApp(script, {
    loader,
    env: {
      DATABASE_URL: process.env.DATABASE_URL,
      OTEL_SERVICE_NAME: 'users-api',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,team=payments',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      ...env,
    },
  });
  apps.push(app);
  return app;
}

function byName(spans: ReceivedSpan[], re: RegExp): ReceivedSpan[] {
  return spans.filter((s) => re.test(s.name));
}

function assertHttpPgTrace(spans: ReceivedSpan[]) {
  const server = spans.find((s) => s.kind === 2 && s.attributes['url.path'] === '/users');
  expect(server).toBeDefined();
  const trace = spans.filter((s) => s.traceId === server!.traceId);
  const connect = byName(trace, /^pg-pool\.connect$/);
  const query = trace.filter((s) => s.kind === 3 && s.attributes['db.system.name'] === 'postgresql' && !/connect/.test(s.name));
  const clientConnect = byName(trace, /^pg\.connect$/);
  // A new physical connection is opened inside the pool's wait, not beside it.
  for (const c of clientConnect) expect(connect.map((p) => p.spanId)).toContain(c.parentSpanId);
  // No span of the exporter's own requests (a feedback loop) is ever exported.
  expect(spans.filter((s) => String(s.attributes['url.full'] ?? '').includes('/v1/traces'))).toEqual([]);
  expect(connect.length).toBeGreaterThanOrEqual(1);
  expect(query.length).toBeGreaterThanOrEqual(1);
  // Correct parent/child: pool connect and query are children of the server span.
  for (const s of [...connect, ...query]) expect(s.parentSpanId).toBe(server!.spanId);
  expect(server!.parentSpanId).toBe('');
  expect(server!.resource['service.name']).toBe('users-api');
  expect(server!.resource['deployment.environment.name']).toBe('test');
  expect(server!.resource['team']).toBe('payments');
  expect(server!.resource['telemetry.distro.name']).toBe('@org/trace');
  expect(server!.resource['telemetry.sdk.language']).toBe('nodejs');
  expect(server!.attributes['http.request.method']).toBe('GET');
  expect(server!.attributes['http.response.status_code']).toBe(200);
  // Query string values never leave the process (ORG_TRACE_URL_QUERY=redact by default).
  if (server!.attributes['url.query'] !== undefined) expect(server!.attributes['url.query']).toMatch(/^(email=REDACTED)?$/);
  // No raw literal of the request reaches the exporter through the query text.
  expect(JSON.stringify(spans, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('alice');
  return { server: server!, connect, query };
}

test('CommonJS app under --require: server span → pg pool-connect + query spans in one trace', async () => {
  const app = start('http-pg-app.js', 'require');
  const port = await app.port();
  const res = await httpGet(`http://127.0.0.1:${port}/users?email=alice@example.com`);
  expect(res.status).toBe(200);
  const spans = await receiver.waitFor((s) => s.some((x) => x.kind === 2) && s.some((x) => x.kind === 3));
  assertHttpPgTrace(spans);
  expect(receiver.requests[0].contentType).toBe('application/x-protobuf');
  expect(app.stderr).toMatch(/@org\/trace INFO @org\/trace [\d.]+ started: service=users-api exporter=otlp\(http\/protobuf http:\/\/127\.0\.0\.1:\d+\/v1\/traces\) sampler=parentbased_always_on propagators=tracecontext,baggage,xtraceid instrumentations=http,undici,pg/);
});

test('ESM app under --import: pg and http imports are instrumented with that one flag', async () => {
  const app = start('http-pg-app.mjs', 'import');
  const port = await app.port();
  expect((await httpGet(`http://127.0.0.1:${port}/users`)).status).toBe(200);
  const spans = await receiver.waitFor((s) => s.some((x) => x.kind === 2) && s.some((x) => x.kind === 3));
  assertHttpPgTrace(spans);
  expect(app.stderr).not.toMatch(/ExperimentalWarning|--experimental-loader/);
});

test('outgoing http.request and fetch are client spans in the same trace, and carry traceparent', async () => {
  const downstream = start('http-pg-app.js', 'require', { OTEL_SERVICE_NAME: 'downstream' });
  const dport = await downstream.port();
  const app = start('http-pg-app.js', 'require');
  const port = await app.port();
  const viaHttp = JSON.parse((await httpGet(`http://127.0.0.1:${port}/call?url=${encodeURIComponent(`http://127.0.0.1:${dport}/headers`)}`)).body);
  const viaFetch = JSON.parse((await httpGet(`http://127.0.0.1:${port}/fetch?url=${encodeURIComponent(`http://127.0.0.1:${dport}/headers`)}`)).body);
  for (const h of [viaHttp, viaFetch]) expect(h.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const parents = [viaHttp, viaFetch].map((h) => h.traceparent.split('-')[2]);
  // Both processes export on their own schedule: wait until every span the assertions need is in.
  const spans = await receiver.waitFor((s) =>
    parents.every((p) => {
      const client = s.find((x) => x.spanId === p);
      return client !== undefined && s.some((x) => x.spanId === client.parentSpanId) && s.some((x) => x.parentSpanId === p);
    }),
  );
  for (const h of [viaHttp, viaFetch]) {
    const [, traceId, parent] = h.traceparent.split('-');
    const client = spans.find((s) => s.spanId === parent)!;
    expect(client.kind).toBe(3);
    expect(client.traceId).toBe(traceId);
    const upstreamServer = spans.find((s) => s.spanId === client.parentSpanId)!;
    expect(upstreamServer.kind).toBe(2);
    expect(upstreamServer.resource['service.name']).toBe('users-api');
    const downServer = spans.find((s) => s.parentSpanId === parent)!;
    expect(downServer.resource['service.name']).toBe('downstream');
  }
});

test('OTEL_EXPORTER_OTLP_PROTOCOL=http/json with gzip and headers', async () => {
  const app = start('http-pg-app.js', 'require', {
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cret,x-tenant=acme',
  });
  const port = await app.port();
  await httpGet(`http://127.0.0.1:${port}/`);
  await receiver.waitFor((s) => s.some((x) => x.kind === 2));
  const r = receiver.requests[0];
  expect(r.contentType).toBe('application/json');
  expect(r.contentEncoding).toBe('gzip');
  expect(r.headers.authorization).toBe('Bearer s3cret');
  expect(r.headers['x-tenant']).toBe('acme');
  // The startup line names the header, never its value.
  expect(app.stderr).toContain('authorization=[REDACTED]');
  expect(app.stderr).not.toContain('s3cret');
});

test('http/protobuf (spans encoded as they end) with gzip: the collector decodes the request', async () => {
  const app = start('http-pg-app.js', 'require', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
  const port = await app.port();
  await httpGet(`http://127.0.0.1:${port}/users`);
  const spans = await receiver.waitFor((s) => s.some((x) => x.kind === 2) && s.some((x) => x.attributes['db.query.text'] !== undefined));
  const r = receiver.requests[0];
  expect(r.contentType).toBe('application/x-protobuf');
  expect(r.contentEncoding).toBe('gzip');
  const server = spans.find((x) => x.kind === 2)!;
  expect(server.attributes['http.request.method']).toBe('GET');
  expect(server.resource['service.name']).toBeDefined();
  // Parent/child links survive the per-span encoding.
  expect(spans.some((x) => x.parentSpanId === server.spanId)).toBe(true);
});

test('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg: http spans only', async () => {
  const app = start('http-pg-app.js', 'require', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg' });
  const port = await app.port();
  await httpGet(`http://127.0.0.1:${port}/users`);
  const spans = await receiver.waitFor((s) => s.some((x) => x.kind === 2));
  await new Promise((r) => setTimeout(r, 300));
  expect(spans.filter((s) => /pg/.test(s.name))).toEqual([]);
});

test('OTEL_SDK_DISABLED=true: the app runs, nothing is exported', async () => {
  const app = start('http-pg-app.js', 'require', { OTEL_SDK_DISABLED: 'true' });
  const port = await app.port();
  expect((await httpGet(`http://127.0.0.1:${port}/users`)).status).toBe(200);
  await new Promise((r) => setTimeout(r, 500));
  expect(receiver.requests).toHaveLength(0);
});

test('bad env values: one warning per variable, the app still serves and exports', async () => {
  const app = start('http-pg-app.js', 'require', { OTEL_BSP_MAX_QUEUE_SIZE: 'lots', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_LOG_LEVEL: 'warn' });
  const port = await app.port();
  expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
  await receiver.waitFor((s) => s.some((x) => x.kind === 2));
  expect(app.stderr.match(/OTEL_BSP_MAX_QUEUE_SIZE/g)).toHaveLength(1);
  expect(app.stderr.match(/OTEL_TRACES_SAMPLER/g)).toHaveLength(1);
  expect(app.stderr).toMatch(/OTEL_TRACES_SAMPLER: invalid value "sometimes".*default "parentbased_always_on"/);
});
