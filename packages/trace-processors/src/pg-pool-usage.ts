/**
 * Per-pool connection usage for node-postgres pools, read live at each metric collection.
 *
 * instrumentation-pg 0.76 reports db.client.connection.* from pool events by adding deltas against
 * ONE "last seen" counter shared by every pool: with two pools, the second pool's delta is computed
 * from the first pool's numbers (negative `used` values appear), and two pools to the same database
 * also share one `pool.name`. This reads `totalCount`/`idleCount`/`waitingCount` of each registered
 * pool when the reader collects — no bookkeeping, so nothing can drift — under a name you choose.
 */
import { diag, type Attributes, type BatchObservableResult, type Meter, type Observable } from '@opentelemetry/api';

/** What we read from a pg-pool `Pool` (structural, so any pg-pool 2.x/3.x works). */
export interface PgPoolLike {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options?: { max?: number };
}

export interface PgPoolUsage {
  /**
   * Report this pool as `name` (made unique if already taken). The pool is held weakly: a pool that
   * is garbage-collected disappears from the metrics. Returns a function that stops reporting it.
   */
  observe(pool: PgPoolLike, name: string): () => void;
}

export const ATTR_DB_CLIENT_CONNECTION_POOL_NAME = 'db.client.connection.pool.name';
export const ATTR_DB_CLIENT_CONNECTION_STATE = 'db.client.connection.state';

interface Entry {
  ref: WeakRef<PgPoolLike>;
  name: string;
  used: Attributes;
  idle: Attributes;
  pool: Attributes;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function createPgPoolUsage(meter: Meter): PgPoolUsage {
  const entries = new Set<Entry>();
  const names = new Set<string>();
  const connections = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'Connections of the pool, by state (read from the pool at collection time).',
    unit: '{connection}',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    description: 'Requests waiting for a connection of the pool.',
    unit: '{request}',
  });
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    description: 'Most connections the pool may open.',
    unit: '{connection}',
  });
  const observables: Observable[] = [connections, pending, max];

  meter.addBatchObservableCallback((result: BatchObservableResult) => {
    for (const entry of entries) {
      const pool = entry.ref.deref();
      if (pool === undefined) {
        entries.delete(entry);
        names.delete(entry.name);
        continue;
      }
      try {
        const total = count(pool.totalCount);
        const idle = Math.min(count(pool.idleCount), total);
        result.observe(connections, total - idle, entry.used);
        result.observe(connections, idle, entry.idle);
        result.observe(pending, count(pool.waitingCount), entry.pool);
        const limit = pool.options?.max;
        if (typeof limit === 'number' && Number.isFinite(limit)) result.observe(max, limit, entry.pool);
      } catch (error) {
        diag.debug('@org/trace-processors: reading pool usage failed', error);
      }
    }
  }, observables);

  return {
    observe(pool: PgPoolLike, name: string): () => void {
      let unique = typeof name === 'string' && name.length > 0 ? name : 'pool';
      for (let i = 2; names.has(unique); i++) unique = `${name}#${i}`;
      names.add(unique);
      const entry: Entry = {
        ref: new WeakRef(pool),
        name: unique,
        used: { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: unique, [ATTR_DB_CLIENT_CONNECTION_STATE]: 'used' },
        idle: { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: unique, [ATTR_DB_CLIENT_CONNECTION_STATE]: 'idle' },
        pool: { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: unique },
      };
      entries.add(entry);
      return () => {
        entries.delete(entry);
        names.delete(unique);
      };
    },
  };
}
