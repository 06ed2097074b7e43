import { AnalysisSession } from '../src/analyze';
import { FetchError } from '../src/http-json';
import { fetchJaeger } from '../src/jaeger-client';
import { closedPort, startBackend } from './backend-server';
import { jaegerDoc } from './jaeger-fixture';
import { rng, toOtlpDocuments, TraceBuilder } from './trace-generator';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);

describe('Jaeger client', () => {
  it('queries /api/traces with µs times and analyses the returned traces', async () => {
    const be = await startBackend((u) => (u.pathname === '/api/traces' ? { body: jaegerDoc() } : undefined));
    try {
      const s = new AnalysisSession();
      const n = await fetchJaeger({ url: `${be.url}/`, service: 'edge', operation: 'GET /checkout', minDuration: '2s', limit: 20, lookbackMs: 3600_000, now: NOW, headers: { authorization: 'Bearer t' } }, s);
      expect(n).toBe(1);
      const q = be.requests[0].url.searchParams;
      expect(Object.fromEntries(q)).toEqual({ service: 'edge', operation: 'GET /checkout', minDuration: '2s', limit: '20', start: String((NOW - 3600_000) * 1000), end: String(NOW * 1000) });
      expect(be.requests[0].headers.authorization).toBe('Bearer t');
      const rep = s.finish();
      expect(rep.endpoints.map((e) => e.name)).toEqual(['edge GET /checkout', 'checkout-api send-email']);
      expect(rep.endpoints[0]).toMatchObject({ count: 1, max_ms: 100, error_rate: 1 });
    } finally {
      await be.close();
    }
  });

  it('queries api/v3 (OTLP JSON under "result", possibly streamed as chunks)', async () => {
    const b = new TraceBuilder(rng(1));
    const root = b.span({ service: 'checkout-api', name: 'POST /checkout', kind: 'server', start: NOW - 60_000, dur: 2500 });
    b.span({ service: 'checkout-api', name: 'POST', kind: 'client', start: NOW - 60_000 + 10, dur: 2400, parent: root, attrs: { 'server.address': 'credit-scoring' } });
    const [doc] = toOtlpDocuments(b.spans, { kinds: 'enum' });
    const chunked = `${JSON.stringify({ result: doc })}\n${JSON.stringify({ result: { resourceSpans: [] } })}\n`;
    const be = await startBackend((u) => (u.pathname === '/api/v3/traces' ? { body: chunked } : undefined));
    try {
      const s = new AnalysisSession();
      expect(await fetchJaeger({ url: be.url, api: 'v3', service: 'checkout-api', minDuration: '2s', now: NOW }, s)).toBe(1);
      const q = be.requests[0].url.searchParams;
      expect(q.get('query.service_name')).toBe('checkout-api');
      expect(q.get('query.duration_min')).toBe('2s');
      expect(q.get('query.start_time_max')).toBe(new Date(NOW).toISOString());
      // Jaeger v2's HTTP gateway reads the limit from num_traces (search_depth alone gives HTTP 500).
      expect(q.get('query.num_traces')).toBe('100');
      const rep = s.finish();
      expect(rep.endpoints[0].components[0]).toMatchObject({ component: 'checkout-api → credit-scoring', kind: 'client', mean_ms: 2400 });
    } finally {
      await be.close();
    }
  });

  it('reports Jaeger-side errors as input issues and HTTP failures as clear errors', async () => {
    const withErr = { ...jaegerDoc(), errors: [{ code: 500, msg: 'trace too large', traceID: 'abc' }] };
    const be = await startBackend((u) => (u.searchParams.get('service') === 'broken' ? { status: 500, body: 'storage down' } : { body: withErr }));
    try {
      const s = new AnalysisSession();
      await fetchJaeger({ url: be.url, service: 'edge', now: NOW }, s);
      expect(s.issues[0].message).toBe('Jaeger error for trace abc: trace too large');
      await expect(fetchJaeger({ url: be.url, service: 'broken', now: NOW }, s)).rejects.toThrow(/answered HTTP 500: storage down/);
      await expect(fetchJaeger({ url: be.url, service: '' }, s)).rejects.toThrow(FetchError);
      const port = await closedPort();
      await expect(fetchJaeger({ url: `http://127.0.0.1:${port}`, service: 'x' }, s)).rejects.toThrow(new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/.*ECONNREFUSED`));
    } finally {
      await be.close();
    }
  });
});
