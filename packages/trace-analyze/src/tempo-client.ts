import type { AnalysisSession } from './analyze';
import { FetchError, getJson, mapLimit, redact, type HttpOptions } from './http-json';

export interface TempoQuery extends HttpOptions {
  /** Tempo HTTP base URL, e.g. http://localhost:3200 */
  url: string;
  /** TraceQL, e.g. '{ trace:duration > 2s }' (default '{}' = any trace). */
  query?: string;
  /** How far back from now, ms (default 1 h). */
  lookbackMs?: number;
  /** Max traces (default 100). */
  limit?: number;
  /** Parallel trace fetches (default 8). */
  concurrency?: number;
  now?: number;
  /** Called after each trace fetch, for progress display. */
  onTrace?: (done: number, total: number) => void;
}

/**
 * Tempo has no bulk fetch: search with TraceQL, then fetch each trace by id, in parallel. A trace
 * that fails to fetch is recorded as an input issue and the others are still analysed. Returns the
 * number of traces fetched.
 */
export async function fetchTempo(q: TempoQuery, session: AnalysisSession): Promise<number> {
  const base = q.url.replace(/\/+$/, '');
  const end = Math.floor((q.now ?? Date.now()) / 1000);
  const start = end - Math.ceil((q.lookbackMs ?? 3600_000) / 1000);
  const p = new URLSearchParams({ q: q.query ?? '{}', start: String(start), end: String(end), limit: String(q.limit ?? 100) });
  const url = `${base}/api/search?${p}`;
  const res = (await getJson(url, q)) as { traces?: Array<{ traceID?: string }> };
  if (!res || (res.traces !== undefined && !Array.isArray(res.traces))) throw new FetchError(`${redact(url)}: unexpected answer (no "traces" array)`);
  const ids = [...new Set((res.traces ?? []).map((t) => t.traceID).filter((x): x is string => typeof x === 'string' && x.length > 0))];
  let done = 0;
  let ok = 0;
  await mapLimit(ids, q.concurrency ?? 8, async (id) => {
    const turl = `${base}/api/traces/${encodeURIComponent(id)}`;
    session.sources++;
    try {
      const doc = await getJson(turl, q);
      if (session.addDocument(doc, redact(turl)) > 0) ok++;
    } catch (e) {
      session.issue({ source: redact(turl), message: (e as Error).message });
    }
    q.onTrace?.(++done, ids.length);
  });
  return ok;
}
