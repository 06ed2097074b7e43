import type { AnalysisSession } from './analyze';
import { FetchError, getJson, getText, redact, type HttpOptions } from './http-json';

export interface JaegerQuery extends HttpOptions {
  /** Jaeger query base URL, e.g. http://localhost:16686 */
  url: string;
  /** 'v1' = /api/traces (Jaeger UI's internal API, µs times); 'v3' = /api/v3/traces (OTLP JSON). */
  api?: 'v1' | 'v3';
  service: string;
  operation?: string;
  /** How far back from now, ms (default 1 h). */
  lookbackMs?: number;
  /** e.g. '2s', '500ms' (passed through: Jaeger parses Go durations). */
  minDuration?: string;
  maxDuration?: string;
  /** Max traces (default 100). */
  limit?: number;
  /** Clock for tests. */
  now?: number;
}

/**
 * Fetches whole traces from Jaeger's query service into the session. Returns the number of traces
 * the backend returned. Backend-reported errors are recorded as input issues.
 */
export async function fetchJaeger(q: JaegerQuery, session: AnalysisSession): Promise<number> {
  if (!q.service) throw new FetchError('Jaeger needs a service (--service): its search API cannot list traces across services');
  const end = q.now ?? Date.now();
  const start = end - (q.lookbackMs ?? 3600_000);
  const base = q.url.replace(/\/+$/, '');
  session.sources++;
  if ((q.api ?? 'v1') === 'v1') {
    const p = new URLSearchParams({ service: q.service, start: String(start * 1000), end: String(end * 1000), limit: String(q.limit ?? 100) });
    if (q.operation) p.set('operation', q.operation);
    if (q.minDuration) p.set('minDuration', q.minDuration);
    if (q.maxDuration) p.set('maxDuration', q.maxDuration);
    const url = `${base}/api/traces?${p}`;
    const doc = (await getJson(url, q)) as { data?: unknown[]; errors?: Array<{ msg?: string; traceID?: string }> | null };
    if (!doc || !Array.isArray(doc.data)) throw new FetchError(`${redact(url)}: unexpected answer (no "data" array)`);
    for (const e of doc.errors ?? []) session.issue({ source: redact(url), message: `Jaeger error${e.traceID ? ` for trace ${e.traceID}` : ''}: ${e.msg ?? JSON.stringify(e)}` });
    session.addDocument(doc, redact(url));
    return doc.data.length;
  }
  const p = new URLSearchParams({
    'query.service_name': q.service,
    'query.start_time_min': new Date(start).toISOString(),
    'query.start_time_max': new Date(end).toISOString(),
    // The HTTP gateway of Jaeger v2 reads the limit as `num_traces`; older builds used the gRPC
    // field name `search_depth`. Sending both works on either (checked against Jaeger v2.13).
    'query.num_traces': String(q.limit ?? 100),
    'query.search_depth': String(q.limit ?? 100),
  });
  if (q.operation) p.set('query.operation_name', q.operation);
  if (q.minDuration) p.set('query.duration_min', q.minDuration);
  if (q.maxDuration) p.set('query.duration_max', q.maxDuration);
  const url = `${base}/api/v3/traces?${p}`;
  const text = await getText(url, q);
  // api/v3 answers {"result": {...}} — as one document or, via the gRPC gateway, one chunk per line.
  const chunks: unknown[] = [];
  try {
    chunks.push(JSON.parse(text));
  } catch {
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      try {
        chunks.push(JSON.parse(line));
      } catch (e) {
        session.issue({ source: redact(url), line: i + 1, message: `invalid JSON (${(e as Error).message})` });
      }
    }
  }
  const traceIds = new Set<string>();
  for (const c of chunks) {
    const err = (c as { error?: { message?: string; httpCode?: number } }).error;
    if (err) {
      // "trace not found" is how v3 says "no match"; anything else is worth reporting.
      if (err.httpCode !== 404) session.issue({ source: redact(url), message: `Jaeger error: ${err.message ?? JSON.stringify(err)}` });
      continue;
    }
    const rs = (c as { result?: { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ traceId?: string }> }> }> } }).result?.resourceSpans ?? [];
    for (const r of rs) for (const s of r.scopeSpans ?? []) for (const sp of s.spans ?? []) if (sp.traceId) traceIds.add(sp.traceId);
    session.addDocument(c, redact(url));
  }
  return traceIds.size;
}
