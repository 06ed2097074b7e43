import { parentPort } from 'node:worker_threads';
import { readChunk, type ChunkRequest } from './chunk-reader';

/** Worker thread of the parallel reader: one chunk per message, spans back as transferred columns. */
parentPort?.on('message', (req: ChunkRequest) => {
  try {
    const { result, transfer } = readChunk(req);
    parentPort!.postMessage({ ok: true, result }, transfer);
  } catch (e) {
    parentPort!.postMessage({ ok: false, id: req.id, error: (e as Error)?.message ?? String(e) });
  }
});
