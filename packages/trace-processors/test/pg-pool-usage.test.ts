// Pool usage with two real pg pools: what instrumentation-pg 0.76 reports vs what the pools hold,
// and createPgPoolUsage's per-pool numbers (read live at collection).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createPgPoolUsage } from '@org/trace-processors';
import type { BatchObservableCallback, Meter } from '@opentelemetry/api';

type Counts = Record<string, Record<string, number>>;

function runPoolApp(): Promise<{ truth: Counts; upstream: Counts; ours: Counts }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(__dirname, 'fixtures', 'pg-pool-metrics-app.js')], { env: process.env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('pg pool usage', () => {
  it('reports each pool correctly where instrumentation-pg 0.76 mixes two pools up', async () => {
    const out = await runPoolApp();
    expect(out.ours).toEqual(out.truth);
    // Upstream: pools configured by connectionString all get the name
    // `unknown_host:unknown_port/unknown_database`, so both pools land in one series, whose values
    // are deltas computed against whichever pool fired the previous event — matching neither pool
    // nor their sum (3 used, 2 idle).
    expect(Object.keys(out.upstream)).toEqual(['unknown_host:unknown_port/unknown_database']);
    const merged = out.upstream['unknown_host:unknown_port/unknown_database'];
    expect(merged).not.toEqual(out.truth.a);
    expect(merged).not.toEqual(out.truth.b);
    expect(merged).not.toEqual({ used: 3, idle: 2 });
  });

  it('forgets stopped pools, makes names unique, never throws on odd pools', () => {
    let callback: BatchObservableCallback | undefined;
    const observed: Array<[number, Record<string, unknown>]> = [];
    const meter = {
      createObservableUpDownCounter: (name: string) => ({ name }),
      addBatchObservableCallback: (cb: BatchObservableCallback) => {
        callback = cb;
      },
    } as unknown as Meter;
    const usage = createPgPoolUsage(meter);
    const stop = usage.observe({ totalCount: 5, idleCount: 2, waitingCount: 7, options: { max: 5 } }, 'main');
    usage.observe({ totalCount: NaN, idleCount: -1, waitingCount: undefined as unknown as number }, 'main');
    const collect = () => {
      observed.length = 0;
      callback!({ observe: (_o: unknown, v: number, a: Record<string, unknown>) => observed.push([v, a]) } as never);
      return observed;
    };
    const first = collect();
    expect(first).toContainEqual([3, { 'db.client.connection.pool.name': 'main', 'db.client.connection.state': 'used' }]);
    expect(first).toContainEqual([7, { 'db.client.connection.pool.name': 'main' }]);
    expect(first).toContainEqual([0, { 'db.client.connection.pool.name': 'main#2', 'db.client.connection.state': 'used' }]);
    stop();
    expect(collect().some(([, a]) => a['db.client.connection.pool.name'] === 'main')).toBe(false);
  });
});
