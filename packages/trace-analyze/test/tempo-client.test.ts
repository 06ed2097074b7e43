import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AnalysisSession } from '../src/analyze';
import { fetchTempo } from '../src/tempo-client';
import { closedPort, startBackend } from './backend-server';
import { rng, toOtlpDocuments, TraceBuilder, type GenSpan } from './trace-generator';

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);

function trace(i: number): GenSpan[] {
  const b = new TraceBuilder(rng(100 + i));
  const t = NOW - 600_000 + i * 1000;
  const root = b.span({ service: 'edge', name: 'GET /account/dashboard', kind: 'server', start: t, dur: 2100 + i });
  b.span({ service: 'edge', name: 'pg-pool.connect', start: t + 5, dur: 2000, parent: root, attrs: { 'db.system': 'postgresql' } });
  return b.spans;
}

beforeAll(() => {
  // The CLI case runs the built dist/ (a no-op when `npm run build` already ran).
  const root = path.resolve(__dirname, '../../..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/trace-analyze'], { cwd: root });
});

describe('Tempo client', () => {
  const traces = Array.from({ length: 12 }, (_, i) => trace(i));
  let inFlight = 0;
  let maxInFlight = 0;
  const route = (u: URL) => {
    if (u.pathname === '/api/search') {
      // Tempo drops leading zeros of trace ids in search results.
      return { body: { traces: traces.map((t) => ({ traceID: t[0].traceId.replace(/^0+/, ''), rootServiceName: 'edge', rootTraceName: t[0].name, startTimeUnixNano: '0', durationMs: 2100 })), metrics: { inspectedTraces: 12 } } };
    }
    const m = /^\/api\/traces\/([0-9a-f]+)$/.exec(u.pathname);
    if (m) {
      const t = traces.find((x) => x[0].traceId.endsWith(m[1]));
      if (!t) return { status: 404, body: 'trace not found' };
      if (t === traces[3]) return { status: 500, body: 'querier timeout' };
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Older Tempo: {batches} with base64 ids; newer: {trace:{resourceSpans}} with hex ids.
      const body = traces.indexOf(t) % 2 === 0
        ? { batches: (toOtlpDocuments(t, { ids: 'base64', kinds: 'enum' })[0] as { resourceSpans: unknown[] }).resourceSpans }
        : { trace: toOtlpDocuments(t)[0] };
      return { body, delayMs: 20 };
    }
    return undefined;
  };

  it('searches with TraceQL, fetches each trace in parallel, and reports failed fetches', async () => {
    const be = await startBackend((u) => {
      const r = route(u);
      if (r?.delayMs) setTimeout(() => inFlight--, r.delayMs);
      return r;
    });
    try {
      const s = new AnalysisSession();
      const progress: number[] = [];
      const n = await fetchTempo({ url: be.url, query: '{ trace:duration > 2s }', limit: 50, concurrency: 4, now: NOW, lookbackMs: 900_000, headers: { 'X-Scope-OrgID': 'shop' }, onTrace: (d) => progress.push(d) }, s);
      expect(n).toBe(11);
      const search = be.requests[0].url.searchParams;
      expect(Object.fromEntries(search)).toEqual({ q: '{ trace:duration > 2s }', start: String(NOW / 1000 - 900), end: String(NOW / 1000), limit: '50' });
      expect(be.requests.every((r) => r.headers['x-scope-orgid'] === 'shop')).toBe(true);
      expect(maxInFlight).toBeGreaterThan(1);
      expect(maxInFlight).toBeLessThanOrEqual(4);
      expect(progress).toHaveLength(12);
      expect(s.issueCount).toBe(1);
      expect(s.issues[0].message).toMatch(/answered HTTP 500: querier timeout/);
      const rep = s.finish();
      expect(rep.traces).toBe(11);
      expect(rep.endpoints[0].components[0]).toMatchObject({ kind: 'pool_wait', component: 'edge: postgresql pool wait' });
    } finally {
      await be.close();
    }
  });

  it('works end to end through the CLI (--tempo)', async () => {
    const be = await startBackend(route);
    try {
      const cli = path.resolve(__dirname, '../dist/cli.js');
      const r = await new Promise<ReturnType<typeof spawnSync>>((resolve) => {
        // spawn asynchronously: the fake backend runs in this process.
        const { spawn } = require('node:child_process') as typeof import('node:child_process');
        const p = spawn(process.execPath, [cli, '--tempo', be.url, '--query', '{ trace:duration > 2s }', '--lookback', '1d', '--format', 'json', '--no-progress']);
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (status) => resolve({ status, stdout, stderr } as unknown as ReturnType<typeof spawnSync>));
      });
      expect(r.status).toBe(0);
      const rep = JSON.parse(String(r.stdout));
      expect(rep.traces).toBe(11);
      expect(String(r.stderr)).toMatch(/1 input problem\(s\) skipped/);
      const port = await closedPort();
      const down = spawnSync(process.execPath, [cli, '--tempo', `http://127.0.0.1:${port}`, '--no-progress'], { encoding: 'utf8' });
      expect(down.status).toBe(2);
      expect(down.stderr).toMatch(new RegExp(`^trace-analyze: cannot reach http://127\\.0\\.0\\.1:${port}/api/search.*ECONNREFUSED`));
    } finally {
      await be.close();
    }
  });
});
