import type { Attributes } from '@opentelemetry/api';
import type { RequestOptions } from 'http';
import type { UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { requestHeaderAttribute } from './attributes';
import { mapLegacyId } from './xtraceid-mapping';

/**
 * Start-span hooks for outgoing requests (instrumentation-http `startOutgoingSpanHook`,
 * instrumentation-undici `startSpanHook`): when the application set the legacy header itself, its
 * validated value becomes the client span's `http.request.header.<name>` attribute.
 *
 * Why a start-span hook: it runs synchronously right before the client span starts and its attributes
 * are passed to `startSpan`, so the tracer wrapper can see them. With no trace around the request, the
 * wrapper then starts the trace from that value, and the app's id goes out unchanged (see
 * root-trace-id-tracer.ts). Inside a trace, the attribute only documents what the app tried to send:
 * the injected value, by the usual rule, replaces it.
 */
export function createOutgoingHeaderHooks(header: string, maxLength: number) {
  const attribute = requestHeaderAttribute(header);
  const toAttributes = (raw: unknown): Attributes => {
    if (raw === undefined) return {};
    const m = mapLegacyId(typeof raw === 'number' ? String(raw) : raw, maxLength);
    return m.ok ? { [attribute]: [m.value] } : {};
  };
  return {
    http: (options: RequestOptions): Attributes => toAttributes(findInObject(options?.headers, header)),
    undici: (request: UndiciRequest): Attributes => toAttributes(findInUndici(request?.headers, header)),
  };
}

function findInObject(headers: unknown, name: string): unknown {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (Array.isArray(headers)) return findInPairs(headers, name);
  const h = headers as Record<string, unknown>;
  if (h[name] !== undefined) return h[name];
  for (const k of Object.keys(h)) {
    if (k.length === name.length && k.toLowerCase() === name) return h[k];
  }
  return undefined;
}

function findInUndici(headers: unknown, name: string): unknown {
  if (Array.isArray(headers)) return findInPairs(headers, name);
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
    }
  }
  return undefined;
}

/** `[name, value, name, value, …]`, as undici ≥ 6 and node's raw-header arrays use. */
function findInPairs(pairs: unknown[], name: string): unknown {
  const values: unknown[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const k = pairs[i];
    // Length first: this runs on every outgoing request, almost always without a match.
    if (typeof k === 'string' && k.length === name.length && k.toLowerCase() === name) values.push(pairs[i + 1]);
  }
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values.flat();
}
