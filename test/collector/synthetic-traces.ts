// Builds OTLP/JSON trace payloads with exact durations, kinds and statuses, so the tail-sampling
// tests know precisely which policy each trace should (or should not) hit.
import { randomBytes } from 'node:crypto';

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
export const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

type Attr = string | number | boolean | string[];

export interface SpanSpec {
  name: string;
  kind: number;
  /** Offset of the span start from the trace start, ms. */
  startMs?: number;
  durationMs: number;
  status?: number;
  attributes?: Record<string, Attr>;
  /** Index of the parent in the trace's span list; the first span is the root. */
  parent?: number;
}

export interface SyntheticTrace {
  traceId: string;
  spanIds: string[];
  spans: object[];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function anyValue(v: Attr): object {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => ({ stringValue: x })) } };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: v };
}

/** A trace ending now, whose spans follow `specs` (the first is the root). */
export function buildTrace(specs: SpanSpec[], traceId = hex(16)): SyntheticTrace {
  const spanIds = specs.map(() => hex(8));
  const total = Math.max(...specs.map((s) => (s.startMs ?? 0) + s.durationMs));
  const t0 = BigInt(Date.now()) * 1_000_000n - BigInt(Math.round(total * 1e6));
  const spans = specs.map((s, i) => {
    const start = t0 + BigInt(Math.round((s.startMs ?? 0) * 1e6));
    return {
      traceId,
      spanId: spanIds[i],
      ...(i > 0 ? { parentSpanId: spanIds[s.parent ?? 0] } : {}),
      name: s.name,
      kind: s.kind,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + BigInt(Math.round(s.durationMs * 1e6))),
      attributes: Object.entries(s.attributes ?? {}).map(([key, value]) => ({ key, value: anyValue(value) })),
      status: { code: s.status ?? STATUS.UNSET },
    };
  });
  return { traceId, spanIds, spans };
}

/** POSTs traces as one OTLP/HTTP JSON export request, as an SDK would. */
export async function sendTraces(otlpHttpUrl: string, serviceName: string, traces: SyntheticTrace[]): Promise<void> {
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [{ scope: { name: 'org-trace-test' }, spans: traces.flatMap((t) => t.spans) }],
      },
    ],
  };
  const res = await fetch(`${otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`collector answered ${res.status}: ${await res.text()}`);
}
