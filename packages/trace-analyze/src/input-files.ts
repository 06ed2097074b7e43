import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { isJaegerDocument, readJaegerDocument } from './jaeger-json-reader';
import { readOtlpLineFast } from './otlp-fast-line';
import { readFileParallel, workersFor, type ParallelOptions } from './parallel-read';
import { TraceStore } from './trace-store';
import { readOtlpDocument, type ReadContext } from './otlp-json-reader';
import { TimeBase } from './time-base';
import type { InputIssue, SpanSink } from './types';

const DATA_FILE = /\.(jsonl?|ndjson)(\.gz)?$/i;

/**
 * Expands CLI inputs: '-' (stdin), files, directories (recursively, *.json/*.jsonl/*.ndjson[.gz]) and
 * globs (`*`, `?`, `**`; expanded here because Node 18/20 have no fs.glob and shells differ).
 * Returns the paths plus one issue per input that matched nothing.
 */
export function expandInputs(inputs: string[]): { files: string[]; issues: InputIssue[] } {
  const files: string[] = [];
  const issues: InputIssue[] = [];
  for (const input of inputs) {
    if (input === '-') {
      files.push('-');
      continue;
    }
    if (/[*?]/.test(input)) {
      const found = glob(input);
      if (found.length === 0) issues.push({ source: input, message: 'glob matched no files' });
      files.push(...found);
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch {
      issues.push({ source: input, message: 'no such file or directory' });
      continue;
    }
    if (st.isDirectory()) {
      const found = walk(input).filter((f) => DATA_FILE.test(f));
      if (found.length === 0) issues.push({ source: input, message: 'directory holds no .json/.jsonl/.ndjson files' });
      files.push(...found);
    } else files.push(input);
  }
  return { files: [...new Set(files)], issues };
}

/** Files under `dir`, sorted; `maxDepth` levels of subdirectories; dot-directories skipped for globs. */
function walk(dir: string, maxDepth = Infinity, skipDot = false): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (maxDepth > 0 && !(skipDot && e.name.startsWith('.'))) out.push(...walk(p, maxDepth - 1, skipDot));
    } else if (e.isFile()) out.push(p);
  }
  return out;
}

function glob(pattern: string): string[] {
  const norm = pattern.split(path.sep).join('/');
  const parts = norm.split('/');
  const firstGlob = parts.findIndex((p) => /[*?]/.test(p));
  const baseDir = parts.slice(0, firstGlob).join('/') || (norm.startsWith('/') ? '/' : '.');
  let re = '';
  for (let i = 0; i < norm.length; i++) {
    const c = norm[i];
    if (c === '*' && norm[i + 1] === '*') {
      re += norm[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += norm[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`);
  if (!fs.existsSync(baseDir)) return [];
  // Without '**' the pattern fixes the depth: do not walk (say) node_modules for '*.jsonl'.
  const depth = norm.includes('**') ? Infinity : parts.length - firstGlob - 1;
  return walk(baseDir, depth, true)
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => rx.test(f) || rx.test(`./${f}`))
    .sort();
}

export interface FileReadResult {
  spans: number;
  lines: number;
}

/** Progress callback: bytes consumed since the previous call. */
export type ProgressFn = (bytes: number) => void;

/**
 * Streams one file (or stdin) into the sink. JSON-lines is the fast path: each line is parsed and
 * dropped. A file whose first line is not a complete JSON value is re-read as one document (a
 * pretty-printed ExportTraceServiceRequest, a Jaeger download, or an array of requests). Problems are
 * reported with file and line; the rest of the file is still read.
 */
export async function readFile(
  file: string,
  sink: SpanSink,
  time: TimeBase,
  issue: (i: InputIssue) => void,
  progress?: ProgressFn,
  parallel: ParallelOptions = {},
): Promise<FileReadResult> {
  const source = file === '-' ? '<stdin>' : file;
  if (file !== '-' && !file.endsWith('.gz') && sink instanceof TraceStore) {
    // Big JSON-lines files are parsed by worker threads; the result is the same, spans and issues.
    let size = 0;
    try {
      size = fs.statSync(file).size;
    } catch {
      /* the stream below reports it */
    }
    const workers = workersFor(size, parallel);
    const first = workers > 0 ? firstJsonLine(file) : undefined;
    // Every chunk computes relative times against the base a sequential read would have: the
    // session's, or else the first timestamp of the file (rounding far from the base depends on it).
    const base = first === undefined ? undefined : time.base ?? firstTimestamp(first);
    if (base !== undefined) {
      try {
        const r = await readFileParallel(file, size, workers, base, sink, time, issue, parallel, progress);
        if (r.spans === 0) issue({ source, message: 'no spans found' });
        return r;
      } catch (e) {
        issue({ source, message: `read failed: ${(e as Error).message}` });
        return { spans: 0, lines: 0 };
      }
    }
  }
  let stream: Readable = file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 1 << 20 });
  if (file.endsWith('.gz')) stream = stream.pipe(zlib.createGunzip());
  const ctx: ReadContext = { sink, time, issue, source };
  let lineNo = 0;
  let spans = 0;
  let jsonLines = 0; // lines that parsed: after the first, a broken line is an error, not a format switch
  let wholeDoc: Buffer[] | undefined;
  let carry: Buffer | undefined;
  const pending: Buffer[] = [];

  const handleLine = (buf: Buffer, start: number, end: number): void => {
    lineNo++;
    while (end > start && (buf[end - 1] === 13 || buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
    while (start < end && (buf[start] === 32 || buf[start] === 9)) start++;
    if (end === start) return;
    if (buf[start] === 123) {
      // Common case: a clean OTLP request, read from the bytes (same spans, a fraction of the work).
      ctx.line = lineNo;
      const n = readOtlpLineFast(buf, start, end, ctx);
      if (n >= 0) {
        jsonLines++;
        spans += n;
        return;
      }
    }
    const text = buf.toString('utf8', start, end);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      if (jsonLines === 0 && !sawBadLine && (text[0] === '{' || text[0] === '[')) {
        // Not JSON-lines (or a broken first line): read the rest as one document, decide at the end.
        firstLine = lineNo;
        wholeDoc = [Buffer.from(text + '\n')];
        return;
      }
      sawBadLine = true;
      issue({ source, line: lineNo, message: `invalid JSON (${jsonError(e)})` });
      return;
    }
    jsonLines++;
    ctx.line = lineNo;
    spans += readDocument(doc, ctx);
  };
  let firstLine = 0;
  let sawBadLine = false;

  try {
    for await (const chunkRaw of stream) {
      const chunk = chunkRaw as Buffer;
      progress?.(chunk.length);
      if (wholeDoc) {
        wholeDoc.push(chunk);
        continue;
      }
      // A line longer than a chunk (one big request per line is common) is collected as a list
      // and joined once, when its newline arrives: re-concatenating per chunk would be quadratic.
      if (carry && chunk.indexOf(10) < 0) {
        pending.push(chunk);
        continue;
      }
      let buf = carry ? Buffer.concat([carry, ...pending, chunk]) : chunk;
      carry = undefined;
      pending.length = 0;
      let pos = 0;
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        handleLine(buf, pos, nl);
        pos = nl + 1;
        const wd = wholeDoc as Buffer[] | undefined; // assigned inside handleLine
        if (wd) {
          wd.push(buf.subarray(pos));
          pos = buf.length;
          break;
        }
      }
      if (pos < buf.length) carry = buf.subarray(pos);
    }
  } catch (e) {
    issue({ source, message: `read failed: ${(e as Error).message}` });
    return { spans, lines: lineNo };
  }
  if (wholeDoc) {
    if (carry) wholeDoc.push(carry, ...pending);
    const text = Buffer.concat(wholeDoc).toString('utf8');
    const startLine = firstLine;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      // Maybe JSON-lines after all, with a broken first line: keep every line that parses.
      const lines = text.split('\n');
      const parsed: Array<[number, unknown]> = [];
      const bad: InputIssue[] = [];
      lines.forEach((l, i) => {
        const t = l.trim();
        if (!t) return;
        try {
          parsed.push([startLine + i, JSON.parse(t)]);
        } catch (le) {
          bad.push({ source, line: startLine + i, message: `invalid JSON (${jsonError(le)})` });
        }
      });
      if (parsed.length === 0) {
        const m = /position (\d+)/.exec((e as Error).message);
        const at = m ? startLine + countLines(text, Number(m[1])) : startLine;
        issue({ source, line: at, message: `invalid JSON (${jsonError(e)})` });
        return { spans, lines: lineNo };
      }
      bad.forEach(issue);
      for (const [ln, d] of parsed) {
        ctx.line = ln;
        spans += readDocument(d, ctx);
      }
      return finish();
    }
    ctx.line = startLine;
    const docs = Array.isArray(doc) ? doc : [doc];
    for (const d of docs) spans += readDocument(d, ctx);
  } else if (carry && carry.length + pending.length > 0) {
    const last = pending.length ? Buffer.concat([carry, ...pending]) : carry;
    handleLine(last, 0, last.length);
  }
  return finish();

  function finish(): FileReadResult {
    if (lineNo === 0) issue({ source, message: 'empty input' });
    else if (spans === 0) issue({ source, message: 'no spans found' });
    return { spans, lines: lineNo };
  }
}

/**
 * The first non-blank line of a file when it parses as JSON: then the file is read as JSON lines (the
 * sequential reader decides the same way), which is what chunks can be parsed independently for.
 */
function firstJsonLine(file: string): unknown {
  const fd = fs.openSync(file, 'r');
  try {
    const step = 1 << 20;
    let acc = Buffer.alloc(0);
    let pos = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(step);
      const n = fs.readSync(fd, buf, 0, step, pos);
      if (n === 0) break;
      pos += n;
      acc = acc.length ? Buffer.concat([acc, buf.subarray(0, n)]) : buf.subarray(0, n);
      // Lines of nothing but blanks are skipped, as handleLine does.
      for (;;) {
        const nl = acc.indexOf(10);
        if (nl < 0) break;
        const line = acc.toString('utf8', 0, nl).replace(/^[ \t]+|[ \t\r]+$/g, '');
        if (line !== '') return parseOrUndefined(line);
        acc = acc.subarray(nl + 1);
      }
      if (acc.length > 64 << 20) return undefined; // a giant first line: not worth it, read in one thread
    }
    const last = acc.toString('utf8').replace(/^[ \t]+|[ \t\r]+$/g, '');
    return last === '' ? undefined : parseOrUndefined(last);
  } finally {
    fs.closeSync(fd);
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The time base reading `doc` would pick (read into a throw-away store: nothing is kept). */
function firstTimestamp(doc: unknown): number | undefined {
  const scratch = new TimeBase();
  readDocument(doc, { sink: { add: () => undefined }, time: scratch, issue: () => undefined, source: '' });
  return scratch.base;
}

/** JSON.parse messages differ across Node versions; keep the useful part. */
export function jsonError(e: unknown): string {
  return String((e as Error).message).replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of JSON input: truncated?');
}

function countLines(text: string, upTo: number): number {
  let n = 0;
  for (let i = 0; i < upTo && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Dispatches on the envelope: Jaeger v1 `{data}` or any OTLP-shaped document. */
export function readDocument(doc: unknown, ctx: ReadContext): number {
  if (isJaegerDocument(doc)) return readJaegerDocument(doc, ctx);
  return readOtlpDocument(doc, ctx);
}
