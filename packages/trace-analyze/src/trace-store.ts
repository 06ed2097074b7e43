import { hexFromWords, wordsFromHex } from './id-words';
import { SpanRecord, type Attrs, type SpanKind, type SpanSink } from './types';

const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_CODE: Record<SpanKind, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const F_ERROR = 1;
const F_FOLLOWS = 2;

/**
 * Regroups spans by trace id. Spans of one trace may arrive from many lines, files or fetches in any
 * order, so a trace is only complete once every input has been read.
 *
 * Every span is held until then, so they are held as columns (typed arrays for ids, times, kind and
 * flags; shared references for interned names, services and attributes) rather than one object and
 * two id strings per span: at 1M spans that is a fraction of the memory, and none of the garbage
 * collector's copying and marking that a million long-lived objects cost. Each trace becomes
 * `SpanRecord`s again only when it is analysed (`forEachTrace`), one at a time.
 */
export class TraceStore implements SpanSink {
  /** Spans read (including any later dropped as duplicates). */
  spanCount = 0;
  /** Spans held in the columns. */
  private n = 0;
  private readonly index = new Map<string, number>();
  private ids: string[] = [];
  private head = new Int32Array(1024);
  private tail = new Int32Array(1024);
  // Per span, in arrival order; `next` links the spans of a trace.
  private next = new Int32Array(4096);
  private spanHi = new Uint32Array(4096);
  private spanLo = new Uint32Array(4096);
  private parentHi = new Uint32Array(4096);
  private parentLo = new Uint32Array(4096);
  private kind = new Uint8Array(4096);
  private flags = new Uint8Array(4096);
  private start = new Float64Array(4096);
  private end = new Float64Array(4096);
  private names: string[] = [];
  private services: string[] = [];
  private attrs: Attrs[] = [];
  private lastTraceId = '';
  private lastTrace = -1;
  private view: Map<string, SpanRecord[]> | undefined;

  /** Number of distinct trace ids held. */
  get traceCount(): number {
    return this.ids.length;
  }

  add(span: SpanRecord): void {
    wordsFromHex(span.spanId, ID);
    const sh = ID[0];
    const sl = ID[1];
    wordsFromHex(span.parentSpanId, ID);
    this.addParts(span.traceId, sh, sl, ID[0], ID[1], span.name, span.kind, span.service, span.start, span.end, span.error, span.attrs, span.followsFrom);
  }

  /**
   * One span, ids as 32-bit words (big-endian halves of the 16 hex digits; a parent of 0,0 is "no
   * parent", which is what an all-zero id means anyway).
   */
  addParts(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, attrs: Attrs, followsFrom: boolean,
  ): void {
    let t: number;
    if (traceId === this.lastTraceId) t = this.lastTrace;
    else {
      const known = this.index.get(traceId);
      if (known === undefined) {
        t = this.ids.length;
        if (t === this.head.length) {
          this.head = grow(this.head);
          this.tail = grow(this.tail);
        }
        this.ids.push(traceId);
        this.index.set(traceId, t);
        this.head[t] = -1;
      } else t = known;
      this.lastTraceId = traceId;
      this.lastTrace = t;
    }
    const i = this.n++;
    if (i === this.next.length) this.growSpans();
    this.next[i] = -1;
    if (this.head[t] < 0) this.head[t] = i;
    else this.next[this.tail[t]] = i;
    this.tail[t] = i;
    this.spanHi[i] = spanHi;
    this.spanLo[i] = spanLo;
    this.parentHi[i] = parentHi;
    this.parentLo[i] = parentLo;
    this.kind[i] = KIND_CODE[kind];
    this.flags[i] = (error ? F_ERROR : 0) | (followsFrom ? F_FOLLOWS : 0);
    this.start[i] = start;
    this.end[i] = end;
    this.names.push(name);
    this.services.push(service);
    this.attrs.push(attrs);
    this.spanCount++;
    this.view = undefined;
  }

  /** The spans of trace `t` (0 ≤ t < traceCount, first-seen order), as fresh records. */
  trace(t: number): SpanRecord[] {
    const out: SpanRecord[] = [];
    const traceId = this.ids[t];
    for (let i = this.head[t]; i >= 0; i = this.next[i]) {
      const f = this.flags[i];
      const ph = this.parentHi[i];
      const pl = this.parentLo[i];
      out.push(new SpanRecord(
        traceId, hexFromWords(this.spanHi[i], this.spanLo[i]), ph === 0 && pl === 0 ? '' : hexFromWords(ph, pl), this.names[i],
        KINDS[this.kind[i]], this.services[i], this.start[i], this.end[i], (f & F_ERROR) !== 0, this.attrs[i], (f & F_FOLLOWS) !== 0,
      ));
    }
    return out;
  }

  /** Hands every trace to `fn` in first-seen order, then empties the store. */
  drain(fn: (spans: SpanRecord[]) => void): void {
    const n = this.ids.length;
    for (let t = 0; t < n; t++) {
      const spans = this.trace(t);
      // Attributes are the only per-span objects held: let them go as their trace is done.
      for (let i = this.head[t]; i >= 0; i = this.next[i]) this.attrs[i] = EMPTY;
      fn(spans);
    }
    this.clear();
  }

  /** All traces by id (materialised on demand: for tests and small inputs, not for the hot path). */
  get traces(): ReadonlyMap<string, SpanRecord[]> {
    if (!this.view) {
      this.view = new Map();
      for (let t = 0; t < this.ids.length; t++) this.view.set(this.ids[t], this.trace(t));
    }
    return this.view;
  }

  /** Drops every span (spanCount is kept: it is what was read). */
  clear(): void {
    this.index.clear();
    this.ids = [];
    this.head = new Int32Array(1024);
    this.tail = new Int32Array(1024);
    this.next = new Int32Array(0);
    this.spanHi = this.spanLo = this.parentHi = this.parentLo = new Uint32Array(0);
    this.kind = this.flags = new Uint8Array(0);
    this.start = this.end = new Float64Array(0);
    this.names = [];
    this.services = [];
    this.attrs = [];
    this.lastTraceId = '';
    this.lastTrace = -1;
    this.view = undefined;
    this.n = 0;
  }

  private growSpans(): void {
    this.next = grow(this.next);
    this.spanHi = grow(this.spanHi);
    this.spanLo = grow(this.spanLo);
    this.parentHi = grow(this.parentHi);
    this.parentLo = grow(this.parentLo);
    this.kind = grow(this.kind);
    this.flags = grow(this.flags);
    this.start = grow(this.start);
    this.end = grow(this.end);
  }
}

const ID = new Uint32Array(2);
const EMPTY: Attrs = Object.freeze({}) as Attrs;

function grow<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T): T {
  const x = new (a.constructor as new (n: number) => T)(Math.max(1024, a.length * 2));
  x.set(a);
  return x;
}
