'use strict';
// A minimal OTLP/HTTP traces receiver for the benchmarks: answers 200 to every POST /v1/traces and
// counts the spans it received (protobuf or JSON, gzip or not), so "zero dropped spans" is checked
// at the receiving end rather than trusted from the sender's own counters. Counting walks the
// protobuf wire format for just the three nested fields it needs instead of decoding whole spans:
// the receiver must stay cheap, it shares a core with the load generator.
//
//   node bench/lib/otlp-sink.js         prints "listening <port>", GET /stats, POST /reset
const http = require('http');
const zlib = require('zlib');

/** Reads a base-128 varint at `pos`; returns [value, nextPos]. Values here stay below 2^53. */
function varint(buf, pos) {
  let result = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 128;
  }
}

/** Calls fn(start, end) for every length-delimited occurrence of `field` in buf[start, end). */
function eachField(buf, start, end, field, fn) {
  let pos = start;
  while (pos < end) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const wire = tag & 7;
    if (wire === 0) pos = varint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      if (tag >>> 3 === field) fn(q, q + len);
      pos = q + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/** ExportTraceServiceRequest.resource_spans(1).scope_spans(2).spans(2): how many spans. */
function countProtobufSpans(buf) {
  let n = 0;
  eachField(buf, 0, buf.length, 1, (rs, rsEnd) =>
    eachField(buf, rs, rsEnd, 2, (ss, ssEnd) =>
      eachField(buf, ss, ssEnd, 2, () => {
        n++;
      }),
    ),
  );
  return n;
}

function countJsonSpans(buf) {
  const body = JSON.parse(buf.toString('utf8'));
  let n = 0;
  for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += (ss.spans ?? []).length;
  return n;
}

/** Starts the receiver; resolves { port, stats(), reset(), close() }. */
function startSink(port = 0) {
  const counts = { requests: 0, spans: 0, bytes: 0, errors: 0 };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(counts));
    }
    if (req.method === 'POST' && req.url === '/reset') {
      Object.assign(counts, { requests: 0, spans: 0, bytes: 0, errors: 0 });
      return res.end('{}');
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        let buf = Buffer.concat(chunks);
        counts.bytes += buf.length;
        if (req.headers['content-encoding'] === 'gzip') buf = zlib.gunzipSync(buf);
        const json = String(req.headers['content-type'] || '').includes('json');
        counts.spans += json ? countJsonSpans(buf) : countProtobufSpans(buf);
        counts.requests++;
        res.setHeader('content-type', json ? 'application/json' : 'application/x-protobuf');
        res.end(json ? '{}' : '');
      } catch (err) {
        counts.errors++;
        res.statusCode = 400;
        res.end(String(err.message));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        stats: () => ({ ...counts }),
        reset: () => Object.assign(counts, { requests: 0, spans: 0, bytes: 0, errors: 0 }),
        close: () => new Promise((r) => server.close(r)),
      }),
    );
  });
}

module.exports = { startSink, countProtobufSpans, countJsonSpans };

if (require.main === module) {
  startSink(Number(process.env.PORT) || 0).then((s) => process.stdout.write(`listening ${s.port}\n`));
}
