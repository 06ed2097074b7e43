// A minimal OTLP/gRPC trace client over node:http2, so the tests can reach the collector's :4317
// receiver without a gRPC library: a gRPC unary call is one HTTP/2 POST whose body is a 5-byte
// frame header (compressed flag, big-endian length) plus the protobuf message, answered with a
// `grpc-status` trailer.
import { connect } from 'node:http2';
import * as protobuf from 'protobufjs';

// The fields of opentelemetry-proto's ExportTraceServiceRequest that the tests set (field numbers
// from the OTLP specification).
const PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message Scope { string name = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; int64 int_value = 3; } }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
`;
const Request = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('ExportTraceServiceRequest');

export interface GrpcSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  statusCode?: number;
}

/** A 64-bit value in the {low, high} shape protobufjs accepts for fixed64 (beyond 2^53). */
function long64(v: bigint): { low: number; high: number; unsigned: boolean } {
  return { low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true };
}

/** Exports spans over OTLP/gRPC; resolves with the grpc-status (0 = OK) and its message. */
export async function exportGrpc(address: string, serviceName: string, spans: GrpcSpan[]): Promise<{ status: number; message: string }> {
  const message = Request.encode(
    Request.fromObject({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: serviceName } }] },
          scope_spans: [
            {
              scope: { name: 'org-trace-test-grpc' },
              spans: spans.map((s) => ({
                trace_id: Buffer.from(s.traceId, 'hex'),
                span_id: Buffer.from(s.spanId, 'hex'),
                ...(s.parentSpanId ? { parent_span_id: Buffer.from(s.parentSpanId, 'hex') } : {}),
                name: s.name,
                kind: s.kind,
                start_time_unix_nano: long64(s.startNs),
                end_time_unix_nano: long64(s.endNs),
                status: { code: s.statusCode ?? 0 },
              })),
            },
          ],
        },
      ],
    }),
  ).finish();
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  Buffer.from(message).copy(frame, 5);

  const session = connect(`http://${address}`);
  try {
    return await new Promise((resolve, reject) => {
      session.on('error', reject);
      const req = session.request({
        ':method': 'POST',
        ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      let status: number | undefined;
      let msg = '';
      const take = (h: Record<string, unknown>) => {
        if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
        if (h['grpc-message'] !== undefined) msg = decodeURIComponent(String(h['grpc-message']));
      };
      req.on('response', take);
      req.on('trailers', take);
      req.on('data', () => {});
      req.on('end', () => (status === undefined ? reject(new Error('no grpc-status in the answer')) : resolve({ status, message: msg })));
      req.on('error', reject);
      req.setTimeout(10000, () => req.close());
      req.end(frame);
    });
  } finally {
    session.close();
  }
}
