// Steady, open-loop HTTP traffic against an app under test, with per-request latency.
// Open loop (requests start on a fixed schedule, not when the previous one ends) so a stalled app
// shows up as latency and errors instead of silently lowering the request rate.
import * as http from 'node:http';

export interface TrafficResult {
  sent: number;
  ok: number;
  errors: number;
  /** Latencies of answered requests, ms, in completion order. */
  latencies: number[];
  /** Paths of requests answered 2xx (lets tests match spans to requests). */
  okPaths: string[];
}

export interface TrafficOptions {
  port: number;
  ratePerSecond: number;
  durationMillis: number;
  /** Path of the i-th request. */
  path: (i: number) => string;
  /** Requests still unanswered after this are counted as errors. */
  requestTimeoutMillis?: number;
}

export async function runTraffic(o: TrafficOptions): Promise<TrafficResult> {
  // A small keep-alive pool, like a reverse proxy in front of the app.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const result: TrafficResult = { sent: 0, ok: 0, errors: 0, latencies: [], okPaths: [] };
  const pending: Promise<void>[] = [];
  const interval = 1000 / o.ratePerSecond;
  const start = performance.now();
  const total = Math.floor((o.durationMillis / 1000) * o.ratePerSecond);
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const path = o.path(i);
    result.sent++;
    pending.push(
      once(agent, o.port, path, o.requestTimeoutMillis ?? 5000).then(
        (ms) => {
          result.ok++;
          result.latencies.push(ms);
          result.okPaths.push(path);
        },
        () => {
          result.errors++;
        },
      ),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return result;
}

function once(agent: http.Agent, port: number, path: string, timeoutMillis: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 300 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.setTimeout(timeoutMillis, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
