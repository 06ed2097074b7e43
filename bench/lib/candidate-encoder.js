'use strict';
// Preloaded (--require) before @org/trace-register for the "ours + perf encoder" column: makes the
// register's lazy require('@opentelemetry/otlp-transformer') answer with the encoder from
// packages/trace-sdk/src/perf instead, without loading the real package. This measures, on the
// unmodified register bundle, exactly what the proposed otlp-http-exporter change would do.
const Module = require('module');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const { encodeTraceRequest } = require(path.join(ROOT, 'packages', 'trace-sdk', 'dist', 'perf', 'otlp-proto-encoder.js'));
const registerDir = path.join(ROOT, 'packages', 'trace-register', 'dist');
const id = require.resolve('@opentelemetry/otlp-transformer', { paths: [registerDir] });
const stub = new Module(id);
stub.filename = id;
stub.loaded = true;
stub.exports = {
  ProtobufTraceSerializer: { serializeRequest: encodeTraceRequest },
  // http/json is not what this candidate is about: keep upstream's, loaded on first use.
  get JsonTraceSerializer() {
    delete require.cache[id];
    return require(id).JsonTraceSerializer;
  },
};
require.cache[id] = stub;
