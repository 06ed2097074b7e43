// OTLP/protobuf encoding of finished spans (ExportTraceServiceRequest), written straight into
// reused buffers. The exporter's path is EncodedSpanBatch: each span is encoded when it ends, so no
// span object waits in the queue and no export has a whole batch to serialize at once. Why not @opentelemetry/otlp-transformer's serializer: requiring that package pulls
// in its metrics and logs serializers too — ~100 ms of CPU and a loop stall at the first export, and
// several MiB of heap for the life of the process — and it walks every span twice (size pass, then
// write pass). Here each nested message is written once and its length patched in afterwards, keys
// seen before (and an attribute whose value is the same as last time) are copied as pre-encoded
// bytes, and the resource is encoded once per Resource object.
//
// Wire format reference: opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto.
import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

// SpanFlags bits of trace.proto: "the parent's is_remote is known" and "the parent is remote".
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

/** Nibble value of a hex digit's char code; undefined for anything else. */
const HEX: Array<number | undefined> = [];
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Growable output buffer; one instance is reused across exports (encoding is synchronous). */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned varint of a value below 2^32 (tags, lengths, counts, enums). */
  varint32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** int64 varint of any safe integer (negative ones take the full 10 bytes, as protobuf says). */
  varint64(v: number): void {
    if (v >= 0 && v <= 0xffffffff) return this.varint32(v);
    this.ensure(10);
    let x = BigInt.asUintN(64, BigInt(v));
    while (x > 0x7fn) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
  }

  tag(field: number, wire: number): void {
    this.varint32((field << 3) | wire);
  }

  /** Starts a length-delimited field; returns where its (provisional 1-byte) length sits. */
  begin(field: number): number {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the field begun at `at`, moving the body if it needs a longer varint. */
  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const size = len < 1 << 14 ? 2 : len < 1 << 21 ? 3 : len < 1 << 28 ? 4 : 5;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    let p = at;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  string(field: number, s: string): void {
    this.tag(field, WIRE_LEN);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings are known to fit a 1-byte length,
    // so they are written in one go without measuring them first.
    if (s.length < 43) {
      this.ensure(1 + 3 * s.length);
      const b = this.buf;
      const start = this.pos + 1;
      // ASCII in plain JS: cheaper than a call into Buffer#write for strings this short.
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      const n = i === s.length ? i : i + b.write(s.slice(i), start + i, 'utf8');
      b[this.pos] = n;
      this.pos = start + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint32(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  /** A hex id as bytes; malformed hex leaves zero bytes rather than a short field. */
  hexBytes(field: number, hex: string): void {
    const n = hex.length >>> 1;
    this.tag(field, WIRE_LEN);
    this.varint32(n);
    this.ensure(n);
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < n; i++) {
      const hi = HEX[hex.charCodeAt(2 * i)];
      const lo = HEX[hex.charCodeAt(2 * i + 1)];
      // Malformed hex becomes zero bytes rather than a short field.
      b[p + i] = hi === undefined || lo === undefined ? 0 : (hi << 4) | lo;
    }
    this.pos = p + n;
  }

  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    // A byte loop beats TypedArray#set's fixed cost for the short pieces copied per attribute.
    if (n <= 48) {
      const b = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) b[p + i] = bytes[i];
    } else {
      this.buf.set(bytes, this.pos);
    }
    this.pos += n;
  }

  fixed32(field: number, v: number): void {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** HrTime [seconds, nanoseconds] as fixed64 nanoseconds, exactly (the product exceeds 2^53). */
  time(field: number, t: HrTime): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    // s·1e9 = s·15258·2^16 + s·51712 (1e9 = 15258·65536 + 51712); every partial product stays
    // below 2^53, and the 2^32 carry is taken explicitly.
    const s = t[0];
    const a = s * 15258;
    const aHi = Math.floor(a / 65536);
    const c = (a - aHi * 65536) * 65536 + s * 51712 + t[1];
    const lo = c % 4294967296;
    this.buf.writeUInt32LE(lo, this.pos);
    this.buf.writeUInt32LE((aHi + (c - lo) / 4294967296) >>> 0, this.pos + 4);
    this.pos += 8;
  }
}

/**
 * Per attribute name: its KeyValue.key (field 1) pre-encoded, and the whole KeyValue field (tag,
 * length, key and value) of the last value seen under that name. Most attributes of a service's
 * spans repeat from span to span (`http.request.method: GET`, `server.address`, `url.scheme`,
 * `db.system.name` …): those are one copy of bytes instead of an encode. A name whose value keeps
 * changing (`network.peer.port`) stops storing fields after a few changes in a row, so it costs no
 * allocation per span; it tries again every 64th change. The field's tag is the one it was written
 * under: span attributes (9), event attributes (3) and link attributes (4) keep separate entries.
 */
interface KeyEntry {
  readonly key: Buffer;
  value: unknown;
  field: Buffer | undefined;
  changes: number;
}
/** One cache per repeated-KeyValue field number (a cached field starts with its tag). */
const keyCaches = new Map<number, Map<string, KeyEntry>>();
const KEY_CACHE_MAX = 2048;
const VALUE_CACHE_MAX_CHARS = 128;
const keyScratch = new Writer(256);
const NO_VALUE = Symbol('no value');

function keyCacheOf(field: number): Map<string, KeyEntry> {
  let cache = keyCaches.get(field);
  if (cache === undefined) keyCaches.set(field, (cache = new Map()));
  return cache;
}

/** Span attributes (Span.attributes, field 9): looked up once, they are most of what is encoded. */
const spanKeyCache = keyCacheOf(9);

function keyEntry(cache: Map<string, KeyEntry>, key: string): KeyEntry {
  let e = cache.get(key);
  if (e === undefined) {
    keyScratch.pos = 0;
    keyScratch.string(1, key);
    e = { key: Buffer.from(keyScratch.buf.subarray(0, keyScratch.pos)), value: NO_VALUE, field: undefined, changes: 0 };
    if (cache.size < KEY_CACHE_MAX) cache.set(key, e);
  }
  return e;
}

/** AnyValue body (the oneof member) for a span attribute value. */
function writeAnyValue(w: Writer, v: unknown): void {
  switch (typeof v) {
    case 'string':
      w.string(1, v);
      return;
    case 'boolean':
      w.tag(2, WIRE_VARINT);
      w.varint32(v ? 1 : 0);
      return;
    case 'number':
      if (Number.isSafeInteger(v)) {
        w.tag(3, WIRE_VARINT);
        w.varint64(v);
      } else {
        w.tag(4, WIRE_FIXED64);
        w.ensure(8);
        w.buf.writeDoubleLE(v, w.pos);
        w.pos += 8;
      }
      return;
    case 'bigint':
      w.tag(3, WIRE_VARINT);
      w.varint64(Number(BigInt.asIntN(64, v)));
      return;
    case 'object':
      if (Array.isArray(v)) {
        const arr = w.begin(5);
        for (const item of v) {
          const av = w.begin(1);
          if (item !== null && item !== undefined) writeAnyValue(w, item);
          w.end(av);
        }
        w.end(arr);
      } else if (v instanceof Uint8Array) {
        w.tag(7, WIRE_LEN);
        w.varint32(v.length);
        w.raw(v);
      }
      return;
    default:
  }
}

/** repeated KeyValue at `field`; undefined and null values are left out, as the SDK does. */
function writeAttributes(w: Writer, field: number, attrs: Attributes): void {
  const cache = field === 9 ? spanKeyCache : keyCacheOf(field);
  for (const key in attrs) {
    const value: AttributeValue | undefined = attrs[key];
    if (value === undefined || value === null) continue;
    const e = keyEntry(cache, key);
    const cached = e.field;
    // Same value as last time (=== compares strings by content; NaN never matches): same bytes.
    if (cached !== undefined && value === e.value) {
      e.changes = 0;
      w.raw(cached);
      continue;
    }
    const start = w.pos;
    const kv = w.begin(field);
    w.raw(e.key);
    const av = w.begin(2);
    writeAnyValue(w, value);
    w.end(av);
    w.end(kv);
    const changes = e.changes++;
    if ((changes < 4 || (changes & 63) === 0) && (typeof value !== 'string' || value.length <= VALUE_CACHE_MAX_CHARS) && typeof value !== 'object') {
      e.value = value;
      e.field = Buffer.from(w.buf.subarray(start, w.pos));
    }
  }
}

function writeEvent(w: Writer, e: TimedEvent): void {
  const at = w.begin(11);
  w.time(1, e.time);
  w.string(2, e.name);
  if (e.attributes) writeAttributes(w, 3, e.attributes);
  if (e.droppedAttributesCount) {
    w.tag(4, WIRE_VARINT);
    w.varint32(e.droppedAttributesCount);
  }
  w.end(at);
}

function writeLink(w: Writer, l: Link): void {
  const at = w.begin(13);
  const c = l.context;
  w.hexBytes(1, c.traceId);
  w.hexBytes(2, c.spanId);
  const ts = c.traceState?.serialize();
  if (ts) w.string(3, ts);
  if (l.attributes) writeAttributes(w, 4, l.attributes);
  if (l.droppedAttributesCount) {
    w.tag(5, WIRE_VARINT);
    w.varint32(l.droppedAttributesCount);
  }
  w.fixed32(6, (c.traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (c.isRemote ? FLAG_IS_REMOTE : 0));
  w.end(at);
}

function writeSpan(w: Writer, span: ReadableSpan): void {
  const at = w.begin(2); // ScopeSpans.spans
  const ctx = span.spanContext();
  w.hexBytes(1, ctx.traceId);
  w.hexBytes(2, ctx.spanId);
  const ts = ctx.traceState?.serialize();
  if (ts) w.string(3, ts);
  const parent: SpanContext | undefined = span.parentSpanContext;
  if (parent?.spanId) w.hexBytes(4, parent.spanId);
  w.string(5, span.name);
  w.tag(6, WIRE_VARINT);
  w.varint32(span.kind + 1); // API SpanKind starts at INTERNAL = 0; the proto enum at UNSPECIFIED = 0
  w.time(7, span.startTime);
  w.time(8, span.endTime);
  writeAttributes(w, 9, span.attributes);
  if (span.droppedAttributesCount) {
    w.tag(10, WIRE_VARINT);
    w.varint32(span.droppedAttributesCount);
  }
  for (const e of span.events) writeEvent(w, e);
  if (span.droppedEventsCount) {
    w.tag(12, WIRE_VARINT);
    w.varint32(span.droppedEventsCount);
  }
  for (const l of span.links) writeLink(w, l);
  if (span.droppedLinksCount) {
    w.tag(14, WIRE_VARINT);
    w.varint32(span.droppedLinksCount);
  }
  const st = w.begin(15);
  if (span.status.message) w.string(2, span.status.message);
  if (span.status.code) {
    w.tag(3, WIRE_VARINT);
    w.varint32(span.status.code);
  }
  w.end(st);
  w.fixed32(16, (ctx.traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (parent?.isRemote ? FLAG_IS_REMOTE : 0));
  w.end(at);
}

type SpanResource = ReadableSpan['resource'];

/** Resource message bytes (field 1 of ResourceSpans), once per Resource object. */
const resourceCache = new WeakMap<SpanResource, Buffer>();

function encodedResource(resource: SpanResource): Buffer {
  let enc = resourceCache.get(resource);
  // A resource whose async detectors have not settled yet may still change: not cached.
  const pending = (resource as { asyncAttributesPending?: boolean }).asyncAttributesPending === true;
  if (enc === undefined || pending) {
    const w = new Writer(1024);
    const at = w.begin(1);
    writeAttributes(w, 1, resource.attributes);
    w.end(at);
    enc = Buffer.from(w.buf.subarray(0, w.pos));
    if (!pending) resourceCache.set(resource, enc);
  }
  return enc;
}

const out = new Writer(64 * 1024);

/**
 * ExportTraceServiceRequest for `spans`, grouped by resource then instrumentation scope.
 * Returns a fresh Buffer (the internal one is reused by the next call).
 */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Buffer {
  const w = out;
  w.pos = 0;
  const byResource = new Map<SpanResource, Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) byResource.set(span.resource, (scopes = new Map()));
    const s = span.instrumentationScope;
    const key = `${s.name}\n${s.version ?? ''}\n${s.schemaUrl ?? ''}`;
    const list = scopes.get(key);
    if (list === undefined) scopes.set(key, [span]);
    else list.push(span);
  }
  for (const [resource, scopes] of byResource) {
    const rs = w.begin(1);
    w.raw(encodedResource(resource));
    for (const list of scopes.values()) {
      const scope = list[0].instrumentationScope;
      const ss = w.begin(2);
      const sc = w.begin(1);
      w.string(1, scope.name);
      if (scope.version) w.string(2, scope.version);
      w.end(sc);
      for (const span of list) writeSpan(w, span);
      if (scope.schemaUrl) w.string(3, scope.schemaUrl);
      w.end(ss);
    }
    const schemaUrl = (resource as { schemaUrl?: string }).schemaUrl;
    if (schemaUrl) w.string(3, schemaUrl);
    w.end(rs);
  }
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/**
 * The same request encoded `chunkSize` spans at a time, yielding to the event loop between chunks,
 * so a 512-span batch never blocks the app's requests for the whole encoding. Concatenated
 * ExportTraceServiceRequest messages are one valid message (protobuf appends repeated fields).
 */
export async function encodeTraceRequestChunked(spans: readonly ReadableSpan[], chunkSize = 128): Promise<Buffer> {
  if (spans.length <= chunkSize) return encodeTraceRequest(spans);
  const parts: Buffer[] = [];
  for (let i = 0; i < spans.length; i += chunkSize) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    parts.push(encodeTraceRequest(spans.slice(i, i + chunkSize)));
  }
  return Buffer.concat(parts);
}

type SpanScope = ReadableSpan['instrumentationScope'];

/** InstrumentationScope field (1) of ScopeSpans. */
function encodedScope(scope: SpanScope): Buffer {
  const w = new Writer(128);
  const at = w.begin(1);
  w.string(1, scope.name);
  if (scope.version) w.string(2, scope.version);
  w.end(at);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 1 << 14 ? 2 : n < 1 << 21 ? 3 : n < 1 << 28 ? 4 : 5;
}

/** Tag + length + body of a length-delimited field holding `len` bytes. */
function fieldSize(field: number, len: number): number {
  return varintSize((field << 3) | WIRE_LEN) + varintSize(len) + len;
}

/** Spans of one resource and one instrumentation scope, as ScopeSpans.spans fields back to back. */
interface SpanGroup {
  readonly resource: SpanResource;
  readonly scope: SpanScope;
  readonly w: Writer;
}

/** A writer that grew past this for one oversized batch is not kept for the next one. */
const KEEP_WRITER_BYTES = 1 << 20;

/**
 * Spans encoded as they end, grouped by resource and scope, until the batch is sent. Keeps bytes,
 * not span objects: under load, spans waiting in a queue survive young-generation GCs, get promoted,
 * and make V8 grow its heap (and the process's RSS); and a whole batch serialized at export time
 * blocks the event loop for milliseconds. Here each span costs one short encode when it ends and the
 * export only concatenates (toRequest).
 */
export class EncodedSpanBatch {
  /** Spans encoded into this batch. */
  count = 0;
  private readonly groups: SpanGroup[] = [];
  // The last group used: consecutive spans usually share it (one server span, its pg spans…).
  private last: SpanGroup | undefined;

  /** Encodes `span` into the batch. Throws if the span cannot be encoded; the batch is unchanged then. */
  add(span: ReadableSpan): void {
    const g = this.groupOf(span.resource, span.instrumentationScope);
    const start = g.w.pos;
    try {
      writeSpan(g.w, span);
    } catch (err) {
      g.w.pos = start;
      throw err;
    }
    this.count++;
  }

  /** Resources whose asynchronous detectors have not settled: wait for them before toRequest(). */
  pendingResources(): SpanResource[] {
    const out: SpanResource[] = [];
    for (const g of this.groups) {
      const r = g.resource as { asyncAttributesPending?: boolean };
      if (r.asyncAttributesPending === true && !out.includes(g.resource)) out.push(g.resource);
    }
    return out;
  }

  /** The ExportTraceServiceRequest, in a buffer of its own (exact size). */
  toRequest(): Buffer {
    const byResource = new Map<SpanResource, SpanGroup[]>();
    for (const g of this.groups) {
      if (g.w.pos === 0) continue;
      const list = byResource.get(g.resource);
      if (list === undefined) byResource.set(g.resource, [g]);
      else list.push(g);
    }
    // Sizes first, so every length is written once and the body is copied once.
    const plan: Array<{ res: Buffer; resSchema: string | undefined; resLen: number; scopes: Array<{ g: SpanGroup; scope: Buffer; len: number }> }> = [];
    let total = 0;
    for (const [resource, list] of byResource) {
      const res = encodedResource(resource);
      const resSchema = (resource as { schemaUrl?: string }).schemaUrl || undefined;
      let resLen = res.length + (resSchema ? fieldSize(3, Buffer.byteLength(resSchema)) : 0);
      const scopes = [];
      for (const g of list) {
        const scope = encodedScope(g.scope);
        const len = scope.length + g.w.pos + (g.scope.schemaUrl ? fieldSize(3, Buffer.byteLength(g.scope.schemaUrl)) : 0);
        resLen += fieldSize(2, len);
        scopes.push({ g, scope, len });
      }
      total += fieldSize(1, resLen);
      plan.push({ res, resSchema, resLen, scopes });
    }
    const w = new Writer(total);
    for (const r of plan) {
      w.tag(1, WIRE_LEN);
      w.varint32(r.resLen);
      w.raw(r.res);
      for (const s of r.scopes) {
        w.tag(2, WIRE_LEN);
        w.varint32(s.len);
        w.raw(s.scope);
        w.raw(s.g.w.buf.subarray(0, s.g.w.pos));
        if (s.g.scope.schemaUrl) w.string(3, s.g.scope.schemaUrl);
      }
      if (r.resSchema) w.string(3, r.resSchema);
    }
    return w.pos === w.buf.length ? w.buf : w.buf.subarray(0, w.pos);
  }

  /** Empties the batch for reuse; its buffers are kept (unless one grew unusually large). */
  reset(): void {
    this.count = 0;
    this.last = undefined;
    for (let i = this.groups.length - 1; i >= 0; i--) {
      const g = this.groups[i];
      if (g.w.buf.length > KEEP_WRITER_BYTES || g.w.pos === 0) this.groups.splice(i, 1);
      else g.w.pos = 0;
    }
  }

  private groupOf(resource: SpanResource, scope: SpanScope): SpanGroup {
    const last = this.last;
    if (last !== undefined && last.scope === scope && last.resource === resource) return last;
    for (const g of this.groups) {
      if (g.scope === scope && g.resource === resource) return (this.last = g);
    }
    const g: SpanGroup = { resource, scope, w: new Writer(16 * 1024) };
    this.groups.push(g);
    return (this.last = g);
  }
}
