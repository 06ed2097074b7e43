import { EMPTY_ATTRS } from './attributes';
import { wordsFromHex } from './id-words';
import { intern } from './otlp-json-reader';
import type { TraceStore } from './trace-store';
import type { Attrs, SpanKind, SpanRecord, SpanSink } from './types';

/** Receives spans already split into parts (ids as 32-bit words): `TraceStore` and `SpanColumns`. */
export interface PartsSink extends SpanSink {
  addParts(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, attrs: Attrs, followsFrom: boolean,
  ): void;
}

export function isPartsSink(s: SpanSink): s is PartsSink {
  return typeof (s as Partial<PartsSink>).addParts === 'function';
}

const KIND_CODE: Record<SpanKind, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** What a read worker sends back for one chunk: typed arrays (transferred) and small string tables. */
export interface ColumnsMessage {
  n: number;
  /** Chunk-local tables: trace ids, names and services; attribute objects (-1 = none). */
  strings: string[];
  attrs: Attrs[];
  traceIdx: Int32Array;
  nameIdx: Int32Array;
  serviceIdx: Int32Array;
  attrIdx: Int32Array;
  ids: Uint32Array; // spanHi, spanLo, parentHi, parentLo per span
  kind: Uint8Array; // kind | error << 3 | followsFrom << 4
  times: Float64Array; // start, end per span (relative ns, against the session's time base)
}

/**
 * Spans of one chunk of input, in a form that crosses a worker boundary cheaply: numbers in typed
 * arrays that are transferred, not copied, and each distinct string once.
 */
export class SpanColumns implements PartsSink {
  n = 0;
  private strings: string[] = [];
  private stringIndex = new Map<string, number>();
  private attrs: Attrs[] = [];
  private traceIdx = new Int32Array(4096);
  private nameIdx = new Int32Array(4096);
  private serviceIdx = new Int32Array(4096);
  private attrIdx = new Int32Array(4096);
  private ids = new Uint32Array(4096 * 4);
  private kind = new Uint8Array(4096);
  private times = new Float64Array(4096 * 2);
  private lastTrace = '';
  private lastTraceIdx = -1;

  add(span: SpanRecord): void {
    wordsFromHex(span.spanId, W);
    const sh = W[0];
    const sl = W[1];
    wordsFromHex(span.parentSpanId, W);
    this.addParts(span.traceId, sh, sl, W[0], W[1], span.name, span.kind, span.service, span.start, span.end, span.error, span.attrs, span.followsFrom);
  }

  addParts(
    traceId: string, spanHi: number, spanLo: number, parentHi: number, parentLo: number, name: string, kind: SpanKind,
    service: string, start: number, end: number, error: boolean, attrs: Attrs, followsFrom: boolean,
  ): void {
    const i = this.n++;
    if (i === this.kind.length) this.grow();
    if (traceId !== this.lastTrace) {
      this.lastTrace = traceId;
      this.lastTraceIdx = this.str(traceId);
    }
    this.traceIdx[i] = this.lastTraceIdx;
    this.nameIdx[i] = this.str(name);
    this.serviceIdx[i] = this.str(service);
    if (attrs === EMPTY_ATTRS) this.attrIdx[i] = -1;
    else {
      this.attrIdx[i] = this.attrs.length;
      this.attrs.push(attrs);
    }
    this.ids[i * 4] = spanHi;
    this.ids[i * 4 + 1] = spanLo;
    this.ids[i * 4 + 2] = parentHi;
    this.ids[i * 4 + 3] = parentLo;
    this.kind[i] = KIND_CODE[kind] | (error ? 8 : 0) | (followsFrom ? 16 : 0);
    this.times[i * 2] = start;
    this.times[i * 2 + 1] = end;
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
    const g = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T): T => {
      const x = new (a.constructor as new (n: number) => T)(a.length * 2);
      x.set(a);
      return x;
    };
    this.traceIdx = g(this.traceIdx);
    this.nameIdx = g(this.nameIdx);
    this.serviceIdx = g(this.serviceIdx);
    this.attrIdx = g(this.attrIdx);
    this.ids = g(this.ids);
    this.kind = g(this.kind);
    this.times = g(this.times);
  }

  /** The message and its transfer list; this object must not be used afterwards. */
  toMessage(): { message: ColumnsMessage; transfer: ArrayBuffer[] } {
    const n = this.n;
    // Exact-length copies: the growth slack is not worth sending.
    const message: ColumnsMessage = {
      n, strings: this.strings, attrs: this.attrs,
      traceIdx: this.traceIdx.slice(0, n), nameIdx: this.nameIdx.slice(0, n), serviceIdx: this.serviceIdx.slice(0, n),
      attrIdx: this.attrIdx.slice(0, n), ids: this.ids.slice(0, n * 4), kind: this.kind.slice(0, n), times: this.times.slice(0, n * 2),
    };
    const transfer = [message.traceIdx, message.nameIdx, message.serviceIdx, message.attrIdx, message.ids, message.kind, message.times].map((a) => a.buffer as ArrayBuffer);
    return { message, transfer };
  }
}
const W = new Uint32Array(2);

/** Adds a chunk's spans to the store, in order. */
export function addColumns(store: TraceStore, m: ColumnsMessage): void {
  const strings = m.strings;
  // Names and services are interned (one copy across chunks); trace ids are not worth it.
  const interned: Array<string | undefined> = new Array<string | undefined>(strings.length);
  const name = (j: number): string => interned[j] ?? (interned[j] = intern(strings[j]));
  for (let i = 0; i < m.n; i++) {
    const k = m.kind[i];
    const a = m.attrIdx[i];
    store.addParts(
      strings[m.traceIdx[i]], m.ids[i * 4], m.ids[i * 4 + 1], m.ids[i * 4 + 2], m.ids[i * 4 + 3], name(m.nameIdx[i]), KINDS[k & 7],
      name(m.serviceIdx[i]), m.times[i * 2], m.times[i * 2 + 1], (k & 8) !== 0, a < 0 ? EMPTY_ATTRS : m.attrs[a], (k & 16) !== 0,
    );
  }
}
