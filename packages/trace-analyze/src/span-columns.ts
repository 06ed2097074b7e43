import { EMPTY_ATTRS } from './attributes';
import { wordsFromHex } from './id-words';
import { SpanRecord, type AttrValue, type Attrs, type SpanKind, type SpanSink } from './types';

/** Receives spans already split into parts (ids as 32-bit words): `TraceStore` and `SpanColumns`. */
export interface PartsSink extends SpanSink {
  addParts(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, attrs: Attrs, followsFrom: boolean,
  ): void;
}

/** `PartsSink` that also takes attributes as (key, value) pairs [from, to) of two arrays; from < 0 = EMPTY_ATTRS. */
export interface PairsSink extends PartsSink {
  addPartsPairs(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, keys: string[], values: AttrValue[], from: number, to: number,
  ): void;
}

export function isPartsSink(s: SpanSink): s is PairsSink {
  return typeof (s as Partial<PairsSink>).addPartsPairs === 'function';
}

const KIND_CODE: Record<SpanKind, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const F_ERROR = 8;
const F_FOLLOWS = 16;
/** The span's attributes are the shared EMPTY_ATTRS (not merely an empty object). */
const F_NO_ATTRS = 32;

/**
 * A sealed block of spans: numbers in typed arrays, each distinct string once, attributes as
 * (key, value) index pairs. Crosses a worker boundary cheaply (typed arrays are transferred, the
 * rest is a few thousand strings), and costs the garbage collector nothing while it waits for
 * analysis: no object per span, no string per id.
 */
export interface ColumnsMessage {
  n: number;
  /** Trace ids, names, services, attribute keys and string values. */
  strings: string[];
  /** Attribute values that are not strings (numbers, booleans). */
  others: AttrValue[];
  traceIdx: Int32Array;
  nameIdx: Int32Array;
  serviceIdx: Int32Array;
  /** Per span, [attrOff[i], attrOff[i+1]) in attrPairs (key index, value index; value < 0 → others[-v-1]). */
  attrOff: Int32Array;
  attrPairs: Int32Array;
  ids: Uint32Array; // spanHi, spanLo, parentHi, parentLo per span
  flags: Uint8Array; // kind | F_ERROR | F_FOLLOWS | F_NO_ATTRS
  times: Float64Array; // start, end per span (relative ns against the session's time base)
}

/** Collects spans into a `ColumnsMessage`. */
export class SpanColumns implements PairsSink {
  n = 0;
  private strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private others: AttrValue[] = [];
  private traceIdx = new Int32Array(1024);
  private nameIdx = new Int32Array(1024);
  private serviceIdx = new Int32Array(1024);
  private attrOff = new Int32Array(1025);
  private attrPairs = new Int32Array(2048);
  private pairs = 0;
  private ids = new Uint32Array(1024 * 4);
  private flags = new Uint8Array(1024);
  private times = new Float64Array(1024 * 2);
  private lastTrace = '';
  private lastTraceIdx = -1;
  private lastName = '';
  private lastNameIdx = -1;
  private lastService = '';
  private lastServiceIdx = -1;

  add(span: SpanRecord): void {
    wordsFromHex(span.spanId, W);
    const sh = W[0];
    const sl = W[1];
    wordsFromHex(span.parentSpanId, W);
    this.addParts(span.traceId, sh, sl, W[0], W[1], span.name, span.kind, span.service, span.start, span.end, span.error, span.attrs, span.followsFrom);
  }

  addPartsPairs(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, keys: string[], values: AttrValue[], from: number, to: number,
  ): void {
    const i = this.begin(traceId, spanHi, spanLo, parentHi, parentLo, name, kind, service, start, end, error, false);
    if (from < 0) this.flags[i] |= F_NO_ATTRS;
    else for (let j = from; j < to; j++) this.pair(keys[j], values[j]);
    this.attrOff[i + 1] = this.pairs;
  }

  addParts(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, attrs: Attrs, followsFrom: boolean,
  ): void {
    const i = this.begin(traceId, spanHi, spanLo, parentHi, parentLo, name, kind, service, start, end, error, followsFrom);
    if (attrs === EMPTY_ATTRS) this.flags[i] |= F_NO_ATTRS;
    else for (const k in attrs) this.pair(k, attrs[k]);
    this.attrOff[i + 1] = this.pairs;
  }

  private pair(k: string, v: AttrValue): void {
    if (this.pairs + 2 > this.attrPairs.length) this.attrPairs = grow(this.attrPairs);
    this.attrPairs[this.pairs++] = this.str(k);
    if (typeof v === 'string') this.attrPairs[this.pairs++] = this.str(v);
    else {
      this.others.push(v);
      this.attrPairs[this.pairs++] = -this.others.length;
    }
  }

  /** Everything but the attributes; returns the span's number. */
  private begin(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, followsFrom: boolean,
  ): number {
    const i = this.n++;
    if (i === this.flags.length) this.grow();
    // Consecutive spans mostly share trace, name or service: skip the map for repeats.
    if (traceId !== this.lastTrace || this.lastTraceIdx < 0) {
      this.lastTrace = traceId;
      this.lastTraceIdx = this.str(traceId);
    }
    this.traceIdx[i] = this.lastTraceIdx;
    if (name !== this.lastName || this.lastNameIdx < 0) {
      this.lastName = name;
      this.lastNameIdx = this.str(name);
    }
    this.nameIdx[i] = this.lastNameIdx;
    if (service !== this.lastService || this.lastServiceIdx < 0) {
      this.lastService = service;
      this.lastServiceIdx = this.str(service);
    }
    this.serviceIdx[i] = this.lastServiceIdx;
    this.flags[i] = KIND_CODE[kind] | (error ? F_ERROR : 0) | (followsFrom ? F_FOLLOWS : 0);
    this.ids[i * 4] = spanHi;
    this.ids[i * 4 + 1] = spanLo;
    this.ids[i * 4 + 2] = parentHi;
    this.ids[i * 4 + 3] = parentLo;
    this.times[i * 2] = start;
    this.times[i * 2 + 1] = end;
    return i;
  }

  private str(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, i);
    }
    return i;
  }

  private grow(): void {
    this.traceIdx = grow(this.traceIdx);
    this.nameIdx = grow(this.nameIdx);
    this.serviceIdx = grow(this.serviceIdx);
    this.attrOff = grow(this.attrOff);
    this.ids = grow(this.ids);
    this.flags = grow(this.flags);
    this.times = grow(this.times);
  }

  /** Seals the spans so far (exact-length arrays); this collector must not be used afterwards. */
  seal(): ColumnsMessage {
    const n = this.n;
    return {
      n, strings: this.strings, others: this.others,
      traceIdx: this.traceIdx.slice(0, n), nameIdx: this.nameIdx.slice(0, n), serviceIdx: this.serviceIdx.slice(0, n),
      attrOff: this.attrOff.slice(0, n + 1), attrPairs: this.attrPairs.slice(0, this.pairs),
      ids: this.ids.slice(0, n * 4), flags: this.flags.slice(0, n), times: this.times.slice(0, n * 2),
    };
  }
}
const W = new Uint32Array(2);

/** The buffers of a sealed message, for `postMessage`'s transfer list. */
export function transferList(m: ColumnsMessage): ArrayBuffer[] {
  return [m.traceIdx, m.nameIdx, m.serviceIdx, m.attrOff, m.attrPairs, m.ids, m.flags, m.times].map((a) => a.buffer as ArrayBuffer);
}

/** Span `i` of a sealed block as a fresh record (trace, span and parent id strings given by the caller). */
export function spanRecordAt(m: ColumnsMessage, i: number, traceId: string, spanId: string, parentId: string): SpanRecord {
  const f = m.flags[i];
  let attrs: Attrs = EMPTY_ATTRS;
  if ((f & F_NO_ATTRS) === 0) {
    attrs = {};
    const s = m.strings;
    for (let j = m.attrOff[i], e = m.attrOff[i + 1]; j < e; j += 2) {
      const v = m.attrPairs[j + 1];
      attrs[s[m.attrPairs[j]]] = v >= 0 ? s[v] : m.others[-v - 1];
    }
  }
  return new SpanRecord(
    traceId, spanId, parentId, m.strings[m.nameIdx[i]],
    KINDS[f & 7], m.strings[m.serviceIdx[i]], m.times[i * 2], m.times[i * 2 + 1], (f & F_ERROR) !== 0, attrs, (f & F_FOLLOWS) !== 0,
  );
}

function grow<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T): T {
  const x = new (a.constructor as new (n: number) => T)(a.length * 2);
  x.set(a);
  return x;
}
