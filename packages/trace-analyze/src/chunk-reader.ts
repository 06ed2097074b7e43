import * as fs from 'node:fs';
import { jsonError, readDocument } from './input-files';
import { readOtlpLineFast } from './otlp-fast-line';
import type { ReadContext } from './otlp-json-reader';
import { SpanColumns, transferList, type ColumnsMessage } from './span-columns';
import { TimeBase } from './time-base';
import type { InputIssue } from './types';

/** A byte range of a JSON-lines file: the lines that *start* in [start, end). */
export interface ChunkRequest {
  id: number;
  file: string;
  start: number;
  end: number;
  /** The session's time base (seconds): relative times come out as a sequential read makes them. */
  base: number;
}

export interface ChunkResult {
  id: number;
  columns: ColumnsMessage;
  /** Issues with lines numbered from 1 within the chunk; at most MAX_ISSUES, `moreIssues` beyond. */
  issues: InputIssue[];
  moreIssues: number;
  /** Lines that start in the chunk (blank ones included, as the sequential reader counts them). */
  lines: number;
  spans: number;
}

/** Per chunk; the session keeps 200 in all, the earliest, so more per chunk are never shown. */
const MAX_ISSUES = 200;
const STEP = 1 << 20;

/**
 * Reads one chunk of a JSON-lines file whose first line is known to be JSON: the same per-line
 * handling as `readFile` in that mode (fast path, else JSON.parse + readDocument; a broken line is
 * an issue), with its own time base, which the caller shifts onto the session's.
 */
export function readChunk(req: ChunkRequest): { result: ChunkResult; transfer: ArrayBuffer[] } {
  const fd = fs.openSync(req.file, 'r');
  try {
    return readChunkFd(fd, req);
  } finally {
    fs.closeSync(fd);
  }
}

function readChunkFd(fd: number, req: ChunkRequest): { result: ChunkResult; transfer: ArrayBuffer[] } {
  const size = fs.fstatSync(fd).size;
  const end = Math.min(req.end, size);
  // A line that began before `start` belongs to the previous chunk: begin after its newline.
  let from = req.start;
  if (from > 0) {
    const one = Buffer.alloc(1);
    fs.readSync(fd, one, 0, 1, from - 1);
    if (one[0] !== 10) {
      from = findNewline(fd, from, size);
      if (from < 0) from = size;
      else from++;
    }
  }
  const cols = new SpanColumns();
  const time = new TimeBase();
  time.seed(req.base);
  const issues: InputIssue[] = [];
  let moreIssues = 0;
  const issue = (i: InputIssue): void => {
    if (issues.length < MAX_ISSUES) issues.push(i);
    else moreIssues++;
  };
  const ctx: ReadContext = { sink: cols, time, issue, source: req.file };
  let lines = 0;
  let spans = 0;
  if (from < end) {
    // The chunk, plus the rest of its last line, in one read (no copy to join them).
    let stop = end;
    if (end < size) {
      const one = Buffer.alloc(1);
      fs.readSync(fd, one, 0, 1, end - 1);
      if (one[0] !== 10) {
        const nl = findNewline(fd, end, size);
        stop = nl < 0 ? size : nl + 1;
      }
    }
    const buf = readRange(fd, from, stop - from);
    let pos = 0;
    while (pos < buf.length) {
      let nl = buf.indexOf(10, pos);
      if (nl < 0) nl = buf.length;
      lines++;
      ctx.line = lines;
      spans += readLine(buf, pos, nl, ctx);
      pos = nl + 1;
    }
  }
  const message = cols.seal();
  return { result: { id: req.id, columns: message, issues, moreIssues, lines, spans }, transfer: transferList(message) };
}

function readLine(buf: Buffer, start: number, end: number, ctx: ReadContext): number {
  while (end > start && (buf[end - 1] === 13 || buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
  while (start < end && (buf[start] === 32 || buf[start] === 9)) start++;
  if (end === start) return 0;
  if (buf[start] === 123) {
    const n = readOtlpLineFast(buf, start, end, ctx);
    if (n >= 0) return n;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8', start, end));
  } catch (e) {
    ctx.issue({ source: ctx.source, line: ctx.line, message: `invalid JSON (${jsonError(e)})` });
    return 0;
  }
  return readDocument(doc, ctx);
}

function readRange(fd: number, pos: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? buf : buf.subarray(0, got);
}

/** Offset of the first '\n' at or after `pos`, or -1. */
function findNewline(fd: number, pos: number, size: number): number {
  const buf = Buffer.allocUnsafe(STEP);
  while (pos < size) {
    const n = fs.readSync(fd, buf, 0, Math.min(STEP, size - pos), pos);
    if (n === 0) return -1;
    const i = buf.indexOf(10);
    if (i >= 0 && i < n) return pos + i;
    pos += n;
  }
  return -1;
}
