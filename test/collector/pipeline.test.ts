// The bundled config running in the real collector: OTLP in → tail sampling → OTLP out to a local
// receiver standing in for Jaeger/Tempo, and span metrics on the Prometheus endpoint. Traces are
// synthetic here (exact durations, so each one targets one policy); app-pipeline.test.ts runs the
// same path with a real instrumented app.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OtlpReceiver, ReceivedSpan } from '../fixtures/otlp-receiver';
import { BUILD_TIMEOUT_MS, collectorBinary, REPO_ROOT } from './collector-binary';
import { parsePrometheusText, RunningCollector, Sample, startCollector } from './collector-process';
import { buildTrace, sendTraces, SPAN_KIND, STATUS, SyntheticTrace } from './synthetic-traces';
import { exportGrpc } from './otlp-grpc-client';
import { randomBytes } from 'node:crypto';

const DECISION_WAIT_MS = 1500;

/** Settings every test collector shares: short waits so the suite stays fast. */
function testEnv(receiver: OtlpReceiver, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ORG_TRACE_BACKEND_ENDPOINT: receiver.url,
    ORG_TRACE_SAMPLING_DECISION_WAIT: `${DECISION_WAIT_MS}ms`,
    ORG_TRACE_SPANMETRICS_FLUSH_INTERVAL: '500ms',
    ORG_TRACE_BATCH_TIMEOUT: '100ms',
    ORG_TRACE_BACKEND_RETRY_MAX_INTERVAL: '200ms',
    ORG_TRACE_BACKEND_RETRY_MAX_ELAPSED: '1s',
    ...extra,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a scrape until `pick` finds what it needs (span metrics are flushed periodically). */
async function pollMetrics<T>(scrape: () => Promise<string>, pick: (s: Sample[]) => T | undefined, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await scrape();
    const found = pick(parsePrometheusText(last));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`metric condition not met after ${timeoutMs} ms; last scrape:\n${last.slice(0, 4000)}`);
    await sleep(250);
  }
}

const spansOf = (spans: ReceivedSpan[], traceId: string) => spans.filter((s) => s.traceId === traceId);

beforeAll(() => {
  collectorBinary(); // builds it (once, cached) if missing, or fails with the command to run
}, BUILD_TIMEOUT_MS);

describe('tail sampling with baseline 0: each policy keeps exactly its traces', () => {
  let receiver: OtlpReceiver;
  let collector: RunningCollector;
  const t: Record<string, SyntheticTrace> = {};
  const fast: SyntheticTrace[] = [];

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    collector = await startCollector(testEnv(receiver, { ORG_TRACE_SAMPLING_BASELINE_PERCENT: '0' }));

    const server = (durationMs: number, extra: Partial<Parameters<typeof buildTrace>[0][0]> = {}) => ({
      name: 'GET /orders/:id',
      kind: SPAN_KIND.SERVER,
      durationMs,
      attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 200 },
      ...extra,
    });
    const db = (durationMs: number, startMs = 1) => ({
      name: 'pg.query:SELECT shop',
      kind: SPAN_KIND.CLIENT,
      startMs,
      durationMs,
      attributes: { 'db.system': 'postgresql' },
    });

    t.error = buildTrace([
      server(8, {
        status: STATUS.ERROR,
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/orders/:id',
          'http.response.status_code': 500,
          'url.full': 'http://shop.local/orders/7?token=s3cr3t&email=a%40b.c',
          'http.target': '/orders/7?token=s3cr3t',
          'http.request.header.authorization': ['Bearer abcdefghijklmnop'],
          'http.request.header.cookie': 'session=abcdef123456',
          'http.request.header.x-trace-id': ['order-42'],
          // On a SERVER span this is the client's Host header: not a safe metric label.
          'server.address': 'attacker-chosen.example',
        },
      }),
      db(3),
    ]);
    t.slow = buildTrace([server(1500), db(5)]);
    t.slowDependency = buildTrace([server(400), db(320, 10)]);
    t.slowHttpDependency = buildTrace([
      server(420),
      { name: 'POST', kind: SPAN_KIND.CLIENT, startMs: 5, durationMs: 300, attributes: { 'server.address': 'payments.internal', 'http.request.method': 'POST' } },
    ]);
    t.flagged = buildTrace([server(4, { attributes: { 'http.route': '/orders/:id', 'org.sampling.keep': true } })]);
    // Near misses: each is just under a threshold and must be dropped.
    t.dependencyUnderThreshold = buildTrace([server(300), db(200, 10)]);
    t.slowInternalWork = buildTrace([server(600), { name: 'render', kind: SPAN_KIND.INTERNAL, startMs: 5, durationMs: 580 }]);
    t.underTraceThreshold = buildTrace([server(900)]);
    for (let i = 0; i < 50; i++) fast.push(buildTrace([server(5), db(2)]));

    // Mixed into one export in random order, as a busy service would send them.
    const all = [...Object.values(t), ...fast].sort(() => Math.random() - 0.5);
    await sendTraces(collector.otlpHttpUrl, 'checkout', all);
    // Kept traces arrive after decision_wait; then give stragglers time to show up too.
    await receiver.waitFor((s) => new Set(s.map((x) => x.traceId)).size >= 5, 20000);
    await sleep(DECISION_WAIT_MS + 1500);
  }, 60000);

  afterAll(async () => {
    await collector?.stop();
    await receiver?.stop();
  });

  test.each(['error', 'slow', 'slowDependency', 'slowHttpDependency', 'flagged'])('keeps the %s trace with all its spans', (name) => {
    const got = spansOf(receiver.spans, t[name].traceId);
    expect(got.map((s) => s.spanId).sort()).toEqual([...t[name].spanIds].sort());
  });

  test.each(['dependencyUnderThreshold', 'slowInternalWork', 'underTraceThreshold'])('drops the %s trace (no policy matches)', (name) => {
    expect(spansOf(receiver.spans, t[name].traceId)).toEqual([]);
  });

  test('drops every fast trace', () => {
    const kept = fast.filter((f) => spansOf(receiver.spans, f.traceId).length > 0);
    expect(kept).toHaveLength(0);
  });

  test('the sampler reports its decisions per policy', async () => {
    const sampled = await pollMetrics(
      () => collector.scrapeTelemetry(),
      (s) => {
        const rows = s.filter((x) => x.name.startsWith('otelcol_processor_tail_sampling_count_traces_sampled') && x.labels.sampled === 'true');
        return rows.length >= 4 ? Object.fromEntries(rows.map((r) => [r.labels.policy, r.value])) : undefined;
      },
    );
    expect(sampled).toMatchObject({ 'keep-errors': 1, 'keep-slow-traces': 1, 'keep-slow-dependencies': 2, 'keep-flagged': 1 });
  });

  test('secrets are gone from exported spans: query strings, auth and cookie headers', () => {
    const root = spansOf(receiver.spans, t.error.traceId).find((s) => s.kind === SPAN_KIND.SERVER)!;
    const exported = JSON.stringify(root.attributes);
    expect(exported).not.toContain('s3cr3t');
    expect(exported).not.toContain('abcdefghijklmnop');
    expect(exported).not.toContain('abcdef123456');
    expect(root.attributes['url.full']).toBe('http://shop.local/orders/7?redacted');
    expect(root.attributes['http.target']).toBe('/orders/7?redacted');
    // Non-secret attributes pass untouched.
    expect(root.attributes['http.request.header.x-trace-id']).toEqual(['order-42']);
    expect(root.attributes['http.route']).toBe('/orders/:id');
    // Metric-only sanitising does not touch the exported span.
    expect(root.attributes['server.address']).toBe('attacker-chosen.example');
  });

  test('span metrics count EVERY span, sampled or not (computed before sampling)', async () => {
    const total = 8 + fast.length; // server spans on the route: 8 targeted traces + the fast ones
    const calls = await pollMetrics(
      () => collector.scrapeSpanMetrics(),
      (s) => {
        const n = s
          .filter((x) => x.name === 'traces_span_metrics_calls_total' && x.labels.span_kind === 'SPAN_KIND_SERVER' && x.labels.http_route === '/orders/:id')
          .reduce((a, x) => a + x.value, 0);
        return n >= total ? n : undefined;
      },
    );
    expect(calls).toBe(total);
  });

  test('span metrics are millisecond histograms with service, route, kind, status and dependency labels', async () => {
    const samples = await pollMetrics(
      () => collector.scrapeSpanMetrics(),
      (s) => (s.some((x) => x.name === 'traces_span_metrics_duration_milliseconds_bucket' && x.labels.span_kind === 'SPAN_KIND_CLIENT') ? s : undefined),
    );
    const errors = samples.find(
      (x) => x.name === 'traces_span_metrics_calls_total' && x.labels.status_code === 'STATUS_CODE_ERROR' && x.labels.service_name === 'checkout',
    );
    expect(errors?.value).toBe(1);
    // Summed over the series that other dimensions (method, status code) split the route into.
    const bucket = (le: string) =>
      samples
        .filter(
          (x) =>
            x.name === 'traces_span_metrics_duration_milliseconds_bucket' &&
            x.labels.span_kind === 'SPAN_KIND_SERVER' &&
            x.labels.http_route === '/orders/:id' &&
            x.labels.status_code === 'STATUS_CODE_UNSET' &&
            x.labels.le === le,
        )
        .reduce((a, x) => a + x.value, 0);
    // 7 targeted UNSET server spans + the fast ones; all but the 1.5 s one are within 1000 ms,
    // and only the fast ones (5 ms) and the flagged one (4 ms) within 5 ms.
    expect(bucket('+Inf')).toBe(7 + fast.length);
    expect(bucket('1000')).toBe(6 + fast.length);
    expect(bucket('5')).toBe(1 + fast.length);
    expect(samples.some((x) => x.labels.db_system === 'postgresql' && x.labels.span_kind === 'SPAN_KIND_CLIENT')).toBe(true);
    expect(samples.some((x) => x.labels.server_address === 'payments.internal')).toBe(true);
    // High-cardinality values never become labels; a SERVER span's Host header neither.
    expect(samples.some((x) => Object.values(x.labels).includes('attacker-chosen.example'))).toBe(false);
    expect(samples.some((x) => Object.values(x.labels).some((v) => v.includes('/orders/7')))).toBe(false);
  });

  test('every metric the alert rules use is exported under that exact name', async () => {
    const rules = readFileSync(join(REPO_ROOT, 'deploy', 'prometheus', 'alerts.yaml'), 'utf8');
    const spanMetricNames = [...new Set(rules.match(/traces_span_metrics_[a-z_]+/g))];
    expect(spanMetricNames.length).toBeGreaterThanOrEqual(2);
    const names = new Set(parsePrometheusText(await collector.scrapeSpanMetrics()).map((x) => x.name));
    for (const n of spanMetricNames) expect(names).toContain(n);

    // Collector self-metrics: the rules match them with an optional _total suffix.
    const selfNames = [...new Set(rules.match(/otelcol_[a-z_]+/g))].map((n) => n.replace(/_total$/, ''));
    const telemetry = new Set(parsePrometheusText(await collector.scrapeTelemetry()).map((x) => x.name.replace(/_total$/, '')));
    const missing = selfNames.filter((n) => !telemetry.has(n));
    // send_failed_spans only appears after a failed export: see the backend-failure test below.
    expect(missing.filter((n) => n !== 'otelcol_exporter_send_failed_spans')).toEqual([]);
  });
});

describe('tail sampling with the probabilistic baseline', () => {
  test('keeps roughly the baseline share of ordinary traces, not all and not none', async () => {
    const receiver = await new OtlpReceiver().start();
    const collector = await startCollector(testEnv(receiver, { ORG_TRACE_SAMPLING_BASELINE_PERCENT: '10' }));
    try {
      const fast: SyntheticTrace[] = [];
      for (let i = 0; i < 400; i++) fast.push(buildTrace([{ name: 'GET /', kind: SPAN_KIND.SERVER, durationMs: 3 }]));
      for (let i = 0; i < 4; i++) await sendTraces(collector.otlpHttpUrl, 'front', fast.slice(i * 100, (i + 1) * 100));
      // Counted once every trace has its decision and every kept one is delivered — polled, not a
      // fixed sleep: on a loaded machine decisions and the export after them run late, and a count
      // taken too early comes out short. Only the baseline policy can keep these traces, so its
      // "sampled" count is the number of traces that must arrive.
      const decided = await pollMetrics(
        () => collector.scrapeTelemetry(),
        (s) => {
          const rows = s.filter((x) => x.name.startsWith('otelcol_processor_tail_sampling_count_traces_sampled') && x.labels.policy === 'baseline');
          const total = rows.reduce((a, x) => a + x.value, 0);
          return total >= fast.length ? rows.filter((x) => x.labels.sampled === 'true').reduce((a, x) => a + x.value, 0) : undefined;
        },
        20000,
      );
      const traceCount = () => new Set(receiver.spans.map((s) => s.traceId)).size;
      await receiver.waitFor(() => traceCount() >= decided, 10000).catch(() => undefined);
      const kept = traceCount();
      // Binomial(400, 0.1): mean 40, sd 6. These bounds fail only on a real change of behaviour.
      expect(kept).toBeGreaterThanOrEqual(15);
      expect(kept).toBeLessThanOrEqual(75);
    } finally {
      await collector.stop();
      await receiver.stop();
    }
  }, 60000);
});

describe('late spans and switches', () => {
  test('a span arriving after its trace was kept is still exported (decision cache)', async () => {
    const receiver = await new OtlpReceiver().start();
    // A small trace buffer, so the two traces are evicted from it by later traffic: from then on
    // only the decision cache remembers what was decided for them.
    const collector = await startCollector(testEnv(receiver, { ORG_TRACE_SAMPLING_BASELINE_PERCENT: '0', ORG_TRACE_SAMPLING_NUM_TRACES: '10' }));
    try {
      const kept = buildTrace([{ name: 'GET /late', kind: SPAN_KIND.SERVER, durationMs: 5, status: STATUS.ERROR }]);
      const dropped = buildTrace([{ name: 'GET /late', kind: SPAN_KIND.SERVER, durationMs: 5 }]);
      await sendTraces(collector.otlpHttpUrl, 'late', [kept, dropped]);
      await receiver.waitFor((s) => s.some((x) => x.traceId === kept.traceId), 15000);
      const filler = Array.from({ length: 40 }, () => buildTrace([{ name: 'GET /filler', kind: SPAN_KIND.SERVER, durationMs: 2 }]));
      await sendTraces(collector.otlpHttpUrl, 'late', filler);
      await sleep(500);
      // A child of each arrives after the decisions (a slow batch exporter, a retry…). On its own
      // the late child matches no policy; only the remembered decision can keep it.
      const child = (t: SyntheticTrace) =>
        buildTrace([{ name: 'late-child', kind: SPAN_KIND.INTERNAL, durationMs: 1 }], t.traceId).spans.map((sp) => ({ ...sp, parentSpanId: t.spanIds[0] }));
      const lateKept = child(kept);
      const lateDropped = child(dropped);
      await sendTraces(collector.otlpHttpUrl, 'late', [
        { traceId: kept.traceId, spanIds: [], spans: lateKept },
        { traceId: dropped.traceId, spanIds: [], spans: lateDropped },
      ]);
      await receiver.waitFor((s) => s.some((x) => x.name === 'late-child'), 10000);
      await sleep(DECISION_WAIT_MS + 500);
      expect(receiver.spans.filter((x) => x.traceId === kept.traceId).map((x) => x.name).sort()).toEqual(['GET /late', 'late-child']);
      expect(receiver.spans.filter((x) => x.traceId === dropped.traceId)).toEqual([]);
    } finally {
      await collector.stop();
      await receiver.stop();
    }
  }, 30000);

  test('ORG_TRACE_REDACT_URL_QUERY=false keeps query strings (credentials are still masked)', async () => {
    const receiver = await new OtlpReceiver().start();
    const collector = await startCollector(testEnv(receiver, { ORG_TRACE_SAMPLING_BASELINE_PERCENT: '0', ORG_TRACE_REDACT_URL_QUERY: 'false' }));
    try {
      const t = buildTrace([
        {
          name: 'GET /search',
          kind: SPAN_KIND.SERVER,
          durationMs: 5,
          status: STATUS.ERROR,
          attributes: { 'url.full': 'http://shop.local/search?q=shoes', 'http.request.header.authorization': 'Bearer abcdefghijklmnop' },
        },
      ]);
      await sendTraces(collector.otlpHttpUrl, 'debug', [t]);
      const [span] = (await receiver.waitFor((s) => s.some((x) => x.traceId === t.traceId), 15000)).filter((x) => x.traceId === t.traceId);
      expect(span.attributes['url.full']).toBe('http://shop.local/search?q=shoes');
      expect(JSON.stringify(span.attributes)).not.toContain('abcdefghijklmnop');
    } finally {
      await collector.stop();
      await receiver.stop();
    }
  }, 30000);
});

describe('OTLP over gRPC (:4317)', () => {
  test('spans received over gRPC go through the same sampling: an error trace is kept, a fast one dropped', async () => {
    const receiver = await new OtlpReceiver().start();
    const collector = await startCollector(testEnv(receiver, { ORG_TRACE_SAMPLING_BASELINE_PERCENT: '0' }));
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const span = (statusCode: number) => ({
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        name: 'GET /grpc-test',
        kind: SPAN_KIND.SERVER,
        startNs: now - 3_000_000n,
        endNs: now,
        statusCode,
      });
      const failed = span(STATUS.ERROR);
      const ok = span(STATUS.UNSET);
      const res = await exportGrpc(`127.0.0.1:${collector.ports.otlpGrpc}`, 'grpc-client', [failed, ok]);
      expect(res).toEqual({ status: 0, message: '' });
      await receiver.waitFor((s) => s.some((x) => x.traceId === failed.traceId), 15000);
      await sleep(1000);
      const [got] = receiver.spans.filter((x) => x.traceId === failed.traceId);
      expect(got.resource['service.name']).toBe('grpc-client');
      expect(got.startTimeUnixNano).toBe(failed.startNs);
      expect(got.endTimeUnixNano).toBe(failed.endNs);
      expect(receiver.spans.some((x) => x.traceId === ok.traceId)).toBe(false);
    } finally {
      await collector.stop();
      await receiver.stop();
    }
  }, 30000);
});

describe('backend failure', () => {
  test('a rejecting backend shows up as otelcol_exporter_send_failed_spans, which the alert rule watches', async () => {
    const receiver = await new OtlpReceiver().start();
    receiver.behaviour = { mode: 'status', status: 400 }; // permanent error: no retries
    const collector = await startCollector(testEnv(receiver, { ORG_TRACE_SAMPLING_BASELINE_PERCENT: '0' }));
    try {
      await sendTraces(collector.otlpHttpUrl, 'checkout', [buildTrace([{ name: 'GET /', kind: SPAN_KIND.SERVER, durationMs: 3, status: STATUS.ERROR }])]);
      const failed = await pollMetrics(
        () => collector.scrapeTelemetry(),
        (s) => s.find((x) => /^otelcol_exporter_send_failed_spans(_total)?$/.test(x.name) && x.value > 0),
        15000,
      );
      expect(failed.labels.exporter).toBe('otlp_http/backend');
      expect(receiver.rejected).toBeGreaterThan(0);
    } finally {
      await collector.stop();
      await receiver.stop();
    }
  }, 30000);
});
