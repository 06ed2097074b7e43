import { hexFromWords } from './id-words';
import { SpanColumns, spanRecordAt, type ColumnsMessage } from './span-columns';
import type { AttrValue, Attrs, SpanKind, SpanRecord, SpanSink } from './types';

/** Spans per block when spans are added one by one (readers in this thread). */
const BLOCK = 16384;

/**
 * Regroups spans by trace id. Spans of one trace may arrive from many lines, files or fetches in any
 * order, so a trace is only complete once every input has been read.
 *
 * Every span is held until then, so spans are held as sealed column blocks (`ColumnsMessage`: typed
 * arrays, string tables, attributes as index pairs), and traces as linked lists of span numbers: no
 * object and no id string per span, so a million waiting spans cost little memory and none of the
 * garbage collector's copying and marking. Blocks come from the readers of this thread (spans added
 * one by one) or ready-made from reader threads. A trace becomes `SpanRecord`s again only when it is
 * analysed (`drain`), one trace at a time.
 */
export class TraceStore implements SpanSink {
  /** Spans read (including any later dropped as duplicates). */
  spanCount = 0;
  private open = new SpanColumns();
  private blocks: ColumnsMessage[] = [];
  private blockStart: number[] = [];
  /** Spans linked so far (global span numbers 0…linked-1). */
  private linked = 0;
  private readonly index = new Map<string, number>();
  private ids: string[] = [];
  private head: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private tail: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private next: Int32Array<ArrayBuffer> = new Int32Array(BLOCK);
  private blockOf: Int32Array<ArrayBuffer> = new Int32Array(BLOCK);
  private view: Map<string, SpanRecord[]> | undefined;

  /** Number of distinct trace ids held. */
  get traceCount(): number {
    this.seal();
    return this.ids.length;
  }

  add(span: SpanRecord): void {
    this.open.add(span);
    this.added();
  }

  /** One span, ids as 32-bit words (big-endian halves of the 16 hex digits; 0,0 = no parent). */
  addParts(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, attrs: Attrs, followsFrom: boolean,
  ): void {
    this.open.addParts(traceId, spanHi, spanLo, parentHi, parentLo, name, kind, service, start, end, error, attrs, followsFrom);
    this.added();
  }

  /** One span with its attributes as pairs (see `PairsSink`). */
  addPartsPairs(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, keys: string[], values: AttrValue[], from: number, to: number,
  ): void {
    this.open.addPartsPairs(traceId, spanHi, spanLo, parentHi, parentLo, name, kind, service, start, end, error, keys, values, from, to);
    this.added();
  }

  private added(): void {
    this.spanCount++;
    this.view = undefined;
    if (this.open.n >= BLOCK) this.seal();
  }

  /** Adds a sealed block (from a reader thread) after everything added so far. */
  addBlock(m: ColumnsMessage): void {
    this.seal();
    this.link(m);
    this.spanCount += m.n;
    this.view = undefined;
  }

  private seal(): void {
    if (this.open.n === 0) return;
    const m = this.open.seal();
    this.open = new SpanColumns();
    this.link(m);
  }

  /** Appends a block's spans to their traces' lists (trace ids looked up once per block and trace). */
  private link(m: ColumnsMessage): void {
    const b = this.blocks.length;
    const base = this.linked;
    this.blocks.push(m);
    this.blockStart.push(base);
    const total = base + m.n;
    if (total > this.next.length) {
      let cap = this.next.length;
      while (cap < total) cap *= 2;
      this.next = resize(this.next, cap);
      this.blockOf = resize(this.blockOf, cap);
    }
    const local = new Int32Array(m.strings.length).fill(-1);
    for (let i = 0; i < m.n; i++) {
      const li = m.traceIdx[i];
      let t = local[li];
      if (t < 0) {
        const id = m.strings[li];
        const known = this.index.get(id);
        if (known === undefined) {
          t = this.ids.length;
          if (t === this.head.length) {
            this.head = resize(this.head, t * 2);
            this.tail = resize(this.tail, t * 2);
          }
          this.ids.push(id);
          this.index.set(id, t);
          this.head[t] = -1;
        } else t = known;
        local[li] = t;
      }
      const g = base + i;
      this.next[g] = -1;
      this.blockOf[g] = b;
      if (this.head[t] < 0) this.head[t] = g;
      else this.next[this.tail[t]] = g;
      this.tail[t] = g;
    }
    this.linked = total;
  }

  /** The spans of trace `t` (0 ≤ t < traceCount, first-seen order), as fresh records. */
  trace(t: number): SpanRecord[] {
    this.seal();
    const traceId = this.ids[t];
    let n = 0;
    for (let g = this.head[t]; g >= 0; g = this.next[g]) {
      if (n === SPAN.length) SPAN = resize(SPAN, n * 2);
      SPAN[n++] = g;
    }
    // Span id strings first, so that a parent id is the very string of its parent span (no second
    // string per span; the tree builder's id comparisons then hit identical strings).
    if (n > WORDS.length / 4) WORDS = new Uint32Array(n * 8);
    const names: string[] = new Array<string>(n);
    for (let k = 0; k < n; k++) {
      const g = SPAN[k];
      const b = this.blockOf[g];
      const ids = this.blocks[b].ids;
      const i = (g - this.blockStart[b]) * 4;
      WORDS[k * 4] = ids[i];
      WORDS[k * 4 + 1] = ids[i + 1];
      WORDS[k * 4 + 2] = ids[i + 2];
      WORDS[k * 4 + 3] = ids[i + 3];
      names[k] = hexFromWords(ids[i], ids[i + 1]);
    }
    // Parents are found among the trace's spans by linear search in small traces, through an
    // open-addressing table of span-id words otherwise (the linear search, quadratic in the trace's
    // size, had become the costliest line of the analysis). Either way the span found is the last
    // one with that id.
    let mask = 0;
    if (n > SMALL_TRACE) {
      let size = 32;
      while (size < n * 2) size *= 2;
      if (size > SLOTS.length) SLOTS = new Int32Array(size);
      SLOTS.fill(-1, 0, size);
      mask = size - 1;
      for (let k = 0; k < n; k++) {
        const hi = WORDS[k * 4];
        const lo = WORDS[k * 4 + 1];
        let h = slotOf(hi, lo) & mask;
        for (let j = SLOTS[h]; j >= 0 && !(WORDS[j * 4] === hi && WORDS[j * 4 + 1] === lo); j = SLOTS[h]) h = (h + 1) & mask;
        SLOTS[h] = k;
      }
    }
    const out: SpanRecord[] = new Array<SpanRecord>(n);
    for (let k = 0; k < n; k++) {
      const ph = WORDS[k * 4 + 2];
      const pl = WORDS[k * 4 + 3];
      let parent = '';
      if (ph !== 0 || pl !== 0) {
        let j = -1;
        if (mask === 0) for (j = n - 1; j >= 0 && !(WORDS[j * 4] === ph && WORDS[j * 4 + 1] === pl); j--);
        else {
          let h = slotOf(ph, pl) & mask;
          for (j = SLOTS[h]; j >= 0 && !(WORDS[j * 4] === ph && WORDS[j * 4 + 1] === pl); j = SLOTS[h]) h = (h + 1) & mask;
        }
        // Not in the trace (orphan): a string of its own.
        parent = j >= 0 ? names[j] : hexFromWords(ph, pl);
      }
      const g = SPAN[k];
      const b = this.blockOf[g];
      out[k] = spanRecordAt(this.blocks[b], g - this.blockStart[b], traceId, names[k], parent);
    }
    return out;
  }

  /** Hands every trace to `fn` in first-seen order, then empties the store. */
  drain(fn: (spans: SpanRecord[]) => void): void {
    this.seal();
    const n = this.ids.length;
    for (let t = 0; t < n; t++) fn(this.trace(t));
    this.clear();
  }

  /** All traces by id (materialised on demand: for tests and small inputs, not for the hot path). */
  get traces(): ReadonlyMap<string, SpanRecord[]> {
    if (!this.view) {
      this.seal();
      this.view = new Map();
      for (let t = 0; t < this.ids.length; t++) this.view.set(this.ids[t], this.trace(t));
    }
    return this.view;
  }

  /** Drops every span (spanCount is kept: it is what was read). */
  clear(): void {
    this.open = new SpanColumns();
    this.blocks = [];
    this.blockStart = [];
    this.linked = 0;
    this.index.clear();
    this.ids = [];
    this.head = new Int32Array(1024);
    this.tail = new Int32Array(1024);
    this.next = new Int32Array(BLOCK);
    this.blockOf = new Int32Array(BLOCK);
    this.view = undefined;
  }
}

/** Scratch for `trace`: span numbers and id words of the trace being materialised, id table. */
let SPAN: Int32Array<ArrayBuffer> = new Int32Array(256);
let WORDS = new Uint32Array(1024);
let SLOTS = new Int32Array(64);
/** Traces up to this many spans find parents by linear search. */
const SMALL_TRACE = 12;

/** Table slot of a span id (its two 32-bit words), before masking. */
function slotOf(hi: number, lo: number): number {
  const h = Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

function resize(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const x = new Int32Array(n);
  x.set(a.subarray(0, Math.min(a.length, n)));
  return x;
}
