'use strict';
// A schema-aware decoder of OTLP trace requests into plain trees, for comparing two encoders by
// meaning rather than by bytes: proto3 lets a writer omit zero-valued scalars or write them, and
// both are the same message. Zero scalars and empty strings are dropped from the tree.
const MSG = {
  Request: { 1: 'ResourceSpans' },
  ResourceSpans: { 1: 'Resource', 2: 'ScopeSpans' },
  Resource: { 1: 'KeyValue' },
  ScopeSpans: { 1: 'Scope', 2: 'Span' },
  Scope: { 3: 'KeyValue' },
  Span: { 9: 'KeyValue', 11: 'Event', 13: 'Link', 15: 'Status' },
  Event: { 3: 'KeyValue' },
  Link: { 4: 'KeyValue' },
  Status: {},
  KeyValue: { 2: 'AnyValue' },
  AnyValue: { 5: 'ArrayValue', 6: 'KeyValueList' },
  ArrayValue: { 1: 'AnyValue' },
  KeyValueList: { 1: 'KeyValue' },
};

function varint(buf, pos) {
  let x = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++];
    x |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [x, pos];
    shift += 7n;
  }
}

function decode(buf, type = 'Request', start = 0, end = buf.length) {
  const out = {};
  const add = (f, v) => (out[f] ??= []).push(v);
  let pos = start;
  while (pos < end) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, q] = varint(buf, pos);
      pos = q;
      if (v !== 0n) add(field, v.toString());
    } else if (wire === 1) {
      const v = buf.subarray(pos, pos + 8).toString('hex');
      pos += 8;
      if (v !== '0000000000000000') add(field, v);
    } else if (wire === 5) {
      const v = buf.readUInt32LE(pos);
      pos += 4;
      if (v !== 0) add(field, v);
    } else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      const e = q + Number(len);
      const sub = MSG[type][field];
      if (sub) add(field, decode(buf, sub, q, e));
      else if (e > q) add(field, buf.subarray(q, e).toString('hex'));
      pos = e;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

module.exports = { decode };
