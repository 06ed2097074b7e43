// Real nginx in front of `node --require @org/trace-register http-pg-app.js`: the access log's
// trace_id is the trace id of the app's exported server span, the ids reach the app, and
// request_time − upstream_response_time shows the time spent outside the app.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpGet, spawnApp, SpawnedApp } from '../fixtures/spawn-app';
import { OtlpReceiver, ReceivedSpan } from '../fixtures/otlp-receiver';
import { freePort } from '../collector/collector-process';
import { checkConfig, deadPort, NGINX_DIR, parseLogLine, RunningNginx, startNginx } from './nginx-process';

let receiver: OtlpReceiver;
let app: SpawnedApp;
let nginx: RunningNginx;
let base: string;

beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
  app = spawnApp('http-pg-app.js', {
    loader: 'require',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'behind-nginx' },
  });
  const appPort = await app.port();
  // A port freePort() handed out can be taken by a parallel test file before nginx binds it: a
  // fixture race, so start again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      nginx = await startNginx({ port, appPort, deadPort: await deadPort() });
      base = `http://127.0.0.1:${port}`;
      break;
    } catch (err) {
      if (attempt >= 4 || !/Address already in use/.test(String(err))) throw err;
    }
  }
}, 30000);

afterAll(async () => {
  await nginx?.stop();
  await app?.stop();
  await receiver?.stop();
});

/** Sends one request through nginx; returns the response and that request's access-log line. */
async function viaNginx(path: string, headers: Record<string, string> = {}) {
  const before = nginx.accessLog().length;
  const res = await httpGet(`${base}${path}`, headers);
  const lines = await nginx.waitForLogLines(before + 1);
  return { res, log: parseLogLine(lines[before]), rawLog: lines[before] };
}

/** The app's server span for a trace (exported by the app's SDK to the receiver). */
async function serverSpan(traceId: string): Promise<ReceivedSpan> {
  const spans = await receiver.waitFor((s) => s.some((x) => x.traceId === traceId && x.kind === 2), 10000);
  return spans.find((x) => x.traceId === traceId && x.kind === 2)!;
}

const HEX32 = /^[0-9a-f]{32}$/;

describe('trace id: nginx log line ⇄ app server span', () => {
  test('no incoming id: nginx generates one, the app adopts it, the log records it', async () => {
    const { res, log } = await viaNginx('/users');
    expect(res.status).toBe(200);
    expect(log.trace_id).toMatch(HEX32);
    expect(log.x_trace_id).toBe(log.trace_id);
    expect(res.headers['x-trace-id']).toBe(log.trace_id);
    const span = await serverSpan(log.trace_id);
    expect(span.resource['service.name']).toBe('behind-nginx');
    expect(span.traceId).toBe(log.trace_id);
  });

  test('an incoming W3C traceparent wins: same trace id in the log, the app and X-Trace-ID', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parent = randomBytes(8).toString('hex');
    const traceparent = `00-${traceId}-${parent}-01`;
    const { res, log } = await viaNginx('/headers', { traceparent, tracestate: 'vendor=1' });
    const seen = JSON.parse(res.body) as Record<string, string>;
    expect(seen.traceparent).toBe(traceparent);
    expect(seen.tracestate).toBe('vendor=1');
    expect(seen['x-trace-id']).toBe(traceId);
    expect(log.trace_id).toBe(traceId);
    const span = await serverSpan(traceId);
    expect(span.parentSpanId).toBe(parent);
  });

  test('a legacy UUID X-Trace-ID: forwarded as sent, logged as the trace id the app derives from it', async () => {
    const uuid = '3f2b8c1e-9d4a-4e6b-8a7c-1b2c3d4e5f60';
    const { res, log } = await viaNginx('/headers', { 'X-Trace-ID': uuid });
    expect(JSON.parse(res.body)['x-trace-id']).toBe(uuid);
    expect(res.headers['x-trace-id']).toBe(uuid);
    expect(log.x_trace_id).toBe(uuid);
    expect(log.trace_id).toBe(uuid.replace(/-/g, ''));
    expect((await serverSpan(log.trace_id)).traceId).toBe(log.trace_id);
  });

  test('a 64-bit legacy id is left-padded exactly as the app pads it', async () => {
    const id64 = randomBytes(8).toString('hex');
    const { log } = await viaNginx('/users', { 'X-Trace-ID': id64 });
    expect(log.trace_id).toBe(`0000000000000000${id64}`);
    expect((await serverSpan(log.trace_id)).traceId).toBe(log.trace_id);
  });

  test('a free-form legacy id passes through unchanged; nginx cannot hash it, so trace_id is empty', async () => {
    const { res, log } = await viaNginx('/headers', { 'X-Trace-ID': 'order-42' });
    expect(JSON.parse(res.body)['x-trace-id']).toBe('order-42');
    expect(log.x_trace_id).toBe('order-42');
    expect(log.trace_id).toBe('');
  });

  test('an invalid traceparent is ignored, as the app ignores it: nginx generates the id', async () => {
    const { res, log } = await viaNginx('/headers', { traceparent: `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01` });
    expect(log.trace_id).toMatch(HEX32);
    expect(log.trace_id).not.toBe('0'.repeat(32));
    expect(JSON.parse(res.body)['x-trace-id']).toBe(log.trace_id);
    expect((await serverSpan(log.trace_id)).traceId).toBe(log.trace_id);
  });

  test('the app receives exactly one X-Trace-ID even when the client sent two', async () => {
    // node:http joins duplicate x-* headers with ", ": a single value proves nginx replaced them.
    const net = await import('node:net');
    const { port } = new URL(base);
    const before = nginx.accessLog().length;
    const body = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(Number(port), '127.0.0.1', () =>
        sock.write('GET /headers HTTP/1.1\r\nHost: x\r\nX-Trace-ID: first-id\r\nX-Trace-ID: second-id\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      sock.setEncoding('utf8').on('data', (d) => (data += d));
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
    });
    await nginx.waitForLogLines(before + 1);
    // The app's JSON echo of the headers it received (whether the body came chunked or not).
    const seen = JSON.parse(body.match(/\{.*\}/s)![0]);
    expect(seen['x-trace-id']).toBe('first-id');
  });

  test('when the app is down, the 502 from nginx still carries and logs the id', async () => {
    const { res, log } = await viaNginx('/down/users');
    expect(res.status).toBe(502);
    expect(res.headers['x-trace-id']).toMatch(HEX32);
    expect(log.trace_id).toBe(res.headers['x-trace-id']);
    expect(log.status).toBe('502');
  });

  test('the JSON log format carries the same ids and timings', async () => {
    const { log } = await viaNginx('/users');
    // nginx writes access.log, then access.json: wait for the second line as for the first.
    const deadline = Date.now() + 5000;
    while (nginx.jsonLog().length < nginx.accessLog().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const json = nginx.jsonLog().at(-1)!;
    expect(json.trace_id).toBe(log.trace_id);
    expect(json.x_trace_id).toBe(log.x_trace_id);
    expect(typeof json.request_time).toBe('number');
    expect(json.upstream_response_time).toBe(log.upstream_response_time);
    expect(json.path).toBe('/users');
  });

  test('query strings stay out of the access log', async () => {
    const { rawLog, log } = await viaNginx('/users?email=secret%40example.com');
    expect(rawLog).not.toContain('secret');
    expect(log.path).toBe('/users');
  });
});

describe('timings: where the time went', () => {
  test('a slow app: upstream_response_time covers the app server span; request_time covers both', async () => {
    const { log } = await viaNginx(`/sql?q=${encodeURIComponent('SELECT pg_sleep(0.3) AS slept')}`);
    const span = await serverSpan(log.trace_id);
    const appMs = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
    const upstreamMs = Number(log.upstream_response_time) * 1000;
    const requestMs = Number(log.request_time) * 1000;
    expect(appMs).toBeGreaterThanOrEqual(295);
    // nginx's clock runs from before the app sees the request until after it answered. The slack:
    // nginx rounds to 1 ms and reads a clock cached per event-loop wake, and the app's server span
    // ends on the response's 'finish' callback, which a busy CI machine (parallel test files) can
    // run several ms after nginx already has the bytes. Seen: app 305.6 ms, upstream 303 ms.
    expect(upstreamMs).toBeGreaterThanOrEqual(appMs - 20);
    expect(requestMs).toBeGreaterThanOrEqual(upstreamMs - 2);
    // With a fast client, almost all the time was in the app.
    expect(requestMs - upstreamMs).toBeLessThan(250);
    expect(Number(log.upstream_connect_time)).toBeGreaterThanOrEqual(0);
    expect(Number(log.upstream_header_time)).toBeGreaterThanOrEqual(0);
  });

  test('a slow client link: request_time − upstream_response_time is the proxy-side time', async () => {
    // 300 kB through a 200 kB/s limit: the app answers at once, nginx needs ~1 s more to deliver.
    const { res, log } = await viaNginx(`/slow-client/sql?q=${encodeURIComponent("SELECT repeat('x', 300000) AS blob")}`);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(300000);
    const overhead = Number(log.request_time) - Number(log.upstream_response_time);
    expect(overhead).toBeGreaterThan(0.6);
    expect(Number(log.upstream_response_time)).toBeLessThan(overhead);
    const span = await serverSpan(log.trace_id);
    const appSeconds = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e9;
    // The app's own span does not see the slow link: the overhead is only visible in nginx.
    expect(appSeconds).toBeLessThan(overhead);
  });
});

describe('the shipped example nginx.conf', () => {
  test('passes `nginx -t` with its includes (paths pointed at a temp dir)', async () => {
    const port = await freePort();
    // Only machine paths change; the relative includes resolve against the copied snippets.
    const text = readFileSync(join(NGINX_DIR, 'nginx.conf'), 'utf8')
      .replace('listen 8080;', `listen 127.0.0.1:${port};`)
      .replace(/\/var\/log\/nginx\//g, '')
      .replace('/run/nginx.pid', 'nginx.pid');
    const snippets = Object.fromEntries(['trace-context.conf', 'trace-proxy.conf'].map((f) => [f, readFileSync(join(NGINX_DIR, f), 'utf8')]));
    const res = checkConfig(text, snippets);
    expect(res.output).toMatch(/syntax is ok/);
    expect(res.status).toBe(0);
  });

  test('`nginx -t` is a real check: a broken map fails it', () => {
    const broken = readFileSync(join(NGINX_DIR, 'trace-context.conf'), 'utf8').replace('map $http_x_trace_id $org_x_trace_id {', 'map $http_x_trace_id {');
    const res = checkConfig(`events {}\nhttp {\n${broken}\n}\n`);
    expect(res.status).not.toBe(0);
  });
});
