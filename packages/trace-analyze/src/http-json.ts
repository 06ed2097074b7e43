/** Options shared by the backend clients. */
export interface HttpOptions {
  /** Extra request headers (auth, tenant: e.g. `X-Scope-OrgID` for multi-tenant Tempo). */
  headers?: Record<string, string>;
  /** Per-request timeout, ms (default 30 000). */
  timeoutMs?: number;
}

/** Error with a message fit for the terminal (no stack needed). */
export class FetchError extends Error {}

/** GET a URL and return its body text; network errors and non-2xx answers become FetchErrors. */
export async function getText(url: string, o: HttpOptions = {}): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...o.headers }, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? `timed out after ${o.timeoutMs ?? 30_000} ms` : err.cause?.code ?? err.cause?.message ?? err.message;
    throw new FetchError(`cannot reach ${redact(url)}: ${why}`);
  }
  const body = await res.text();
  if (!res.ok) throw new FetchError(`${redact(url)} answered HTTP ${res.status}: ${body.slice(0, 300).trim()}`);
  return body;
}

/** GET and parse JSON; a body that is not JSON is a FetchError naming the URL. */
export async function getJson(url: string, o: HttpOptions = {}): Promise<unknown> {
  const text = await getText(url, o);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FetchError(`${redact(url)} did not return JSON (${(e as Error).message}): ${text.slice(0, 120)}`);
  }
}

/** Drops credentials from URLs before they reach messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return url;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
