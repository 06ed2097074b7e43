import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChunkRequest, ChunkResult } from './chunk-reader';
import type { TimeBase } from './time-base';
import type { TraceStore } from './trace-store';
import type { InputIssue } from './types';

export interface ParallelOptions {
  /** Reader threads; 0 reads in the main thread. Default: the CPUs available, at most 4. */
  workers?: number;
  /** Bytes per chunk handed to a worker (default 8 MiB); a file needs two chunks to go parallel. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK = 8 << 20;
const WORKER_FILE = path.join(__dirname, 'read-worker.js');

/** Default worker count: every core (the main thread only merges while they parse), at most 4. */
export function defaultWorkers(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(0, Math.min(4, n));
}

/**
 * Worker count to use for a file of `size` bytes, 0 for in-thread. Parallel needs: a worker script
 * next to this module (the compiled package; not when run from TypeScript sources), more than one
 * core's worth of work (two chunks at least), and more than one worker.
 */
export function workersFor(size: number, o: ParallelOptions): number {
  const workers = o.workers ?? defaultWorkers();
  const chunk = o.chunkBytes ?? DEFAULT_CHUNK;
  if (workers < 1 || size < 2 * chunk) return 0;
  if (!fs.existsSync(WORKER_FILE)) return 0;
  return Math.min(workers, Math.ceil(size / chunk));
}

/**
 * Reads a JSON-lines file (its first line already known to be JSON) in chunks split at newlines,
 * parsed by worker threads. Chunks are merged strictly in file order, so the store, the time base,
 * line numbers and issues come out exactly as a single-threaded read would make them; results that
 * arrive early wait (at most one per worker, so memory stays bounded).
 */
export function readFileParallel(
  file: string, size: number, workers: number, base: number, store: TraceStore, time: TimeBase, issue: (i: InputIssue) => void,
  o: ParallelOptions, progress?: (bytes: number) => void,
): Promise<{ spans: number; lines: number }> {
  const chunk = o.chunkBytes ?? DEFAULT_CHUNK;
  const chunks = Math.ceil(size / chunk);
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    const done = new Map<number, ChunkResult>();
    let nextToSend = 0;
    let nextToMerge = 0;
    let lineOffset = 0;
    let spans = 0;
    let finished = false;
    const stop = (err?: Error): void => {
      if (finished) return;
      finished = true;
      for (const w of pool) void w.terminate();
      if (err) reject(err);
      else resolve({ spans, lines: lineOffset });
    };
    const idle: Worker[] = [];
    const send = (w: Worker): void => {
      // Never run more than two chunks per worker ahead of the merge: early results wait in memory.
      if (nextToSend >= chunks || nextToSend - nextToMerge >= 2 * workers) {
        idle.push(w);
        return;
      }
      const id = nextToSend++;
      const req: ChunkRequest = { id, file, start: id * chunk, end: Math.min(size, (id + 1) * chunk), base };
      w.postMessage(req);
    };
    const merge = (): void => {
      for (let r = done.get(nextToMerge); r !== undefined; r = done.get(nextToMerge)) {
        done.delete(nextToMerge);
        time.seed(base);
        store.addBlock(r.columns);
        for (const i of r.issues) issue({ ...i, line: i.line === undefined ? undefined : i.line + lineOffset });
        // Beyond a chunk's first 200 the session keeps none anyway: count them.
        for (let k = 0; k < r.moreIssues; k++) issue({ source: file, message: 'more input problems' });
        lineOffset += r.lines;
        spans += r.spans;
        progress?.(Math.min(size, (nextToMerge + 1) * chunk) - nextToMerge * chunk);
        nextToMerge++;
      }
      if (nextToMerge === chunks) stop();
      else while (idle.length > 0 && nextToSend < chunks && nextToSend - nextToMerge < 2 * workers) send(idle.pop()!);
    };
    for (let k = 0; k < workers; k++) {
      const w = new Worker(WORKER_FILE);
      pool.push(w);
      w.on('message', (m: { ok: true; result: ChunkResult } | { ok: false; id: number; error: string }) => {
        if (finished) return;
        if (!m.ok) return stop(new Error(m.error));
        done.set(m.result.id, m.result);
        send(w);
        merge();
      });
      w.on('error', (e) => stop(e));
      w.on('exit', (code) => {
        if (!finished && code !== 0) stop(new Error(`reader thread exited with code ${code}`));
      });
      send(w);
    }
  });
}
