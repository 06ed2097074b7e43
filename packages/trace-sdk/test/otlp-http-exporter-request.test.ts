// The exporter's POSTs bypass an OpenTelemetry instrumentation's wrapper of http.request (shimmer
// marks), and only that: any other wrapper (a proxy agent, nock) stays in the path.
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OtlpHttpSpanExporter } from '../src/exporters/otlp-http-exporter';
import { RateLimitedReporter } from '../src/logger';

let server: http.Server;
let posts = 0;
let endpoint = '';
const original = http.request;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts++;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

afterEach(() => {
  http.request = original;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Replaces http.request with a counting wrapper, marked as shimmer marks an instrumentation's. */
function wrapRequest(asInstrumentation: boolean): { calls: number } {
  const seen = { calls: 0 };
  const wrapped = function (this: unknown, ...args: unknown[]) {
    seen.calls++;
    return (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
  } as typeof http.request;
  if (asInstrumentation) {
    for (const [k, v] of [['__original', original], ['__unwrap', () => {}], ['__wrapped', true]] as const) {
      Object.defineProperty(wrapped, k, { value: v, configurable: true, enumerable: false, writable: true });
    }
  }
  http.request = wrapped;
  return seen;
}

async function exportOnce(): Promise<ExportResult> {
  const exporter = new OtlpHttpSpanExporter(
    { endpoint, headers: {}, protocol: 'http/protobuf', timeoutMillis: 5000, compression: 'none' },
    new RateLimitedReporter(() => {}, 'export failed', 60_000),
    'test',
  );
  try {
    return await new Promise((resolve) => exporter.exportEncoded(Buffer.alloc(0), 0, resolve));
  } finally {
    await exporter.shutdown();
  }
}

test.each([
  ["an instrumentation's wrapper of http.request is skipped: the POST still arrives", true, 0],
  ['any other wrapper of http.request is kept in the path', false, 1],
])('%s', async (_title, asInstrumentation, wrapperCalls) => {
  const before = posts;
  const seen = wrapRequest(asInstrumentation);
  expect((await exportOnce()).code).toBe(ExportResultCode.SUCCESS);
  expect(seen.calls).toBe(wrapperCalls);
  expect(posts).toBe(before + 1);
});

test('an unwrapped http.request is used as it is', async () => {
  const before = posts;
  expect((await exportOnce()).code).toBe(ExportResultCode.SUCCESS);
  expect(posts).toBe(before + 1);
});
