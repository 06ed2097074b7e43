import { context, isSpanContextValid, Span } from '@opentelemetry/api';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'http';
import { legacyHeaderValueOfValid } from './legacy-id-context';
import { ResolvedXTraceIdOptions } from './options';
import { setOnBareResponse, setResponseHeader } from './response-header-writer';

type HttpResponseHook = (span: Span, response: IncomingMessage | ServerResponse) => void;

/**
 * instrumentation-http `responseHook` that stamps server responses with the legacy header and a W3C
 * Trace Context Level 3 `Server-Timing: traceparent;desc="00-…"` entry.
 *
 * Why this hook: for server spans it runs before the app handler, while headers can still be set
 * (`applyCustomAttributesOnSpan` runs after they are sent). It also fires for client responses, which
 * are read-only: those are recognised by the missing `setHeader`.
 *
 * Only derived or validated values are written, never raw request bytes. If the app sets either
 * header itself later, its `setHeader` replaces ours: one copy on the wire.
 */
export function createResponseEchoHook(options: Pick<ResolvedXTraceIdOptions, 'header' | 'format'>): HttpResponseHook {
  const header = options.header;
  return (span, response) => {
    const res = response as Partial<ServerResponse>;
    if (typeof res.setHeader !== 'function' || res.headersSent) return;
    const sc = span.spanContext();
    if (!isSpanContextValid(sc)) return;
    // The hook runs inside the request context, which holds the extracted legacy id. Asked for this
    // span directly: no context is built per request just to read it back.
    const value = legacyHeaderValueOfValid(context.active(), span, sc, options.format);
    const serverRes = res as ServerResponse;
    // The span context's ids, which isSpanContextValid checked to be hex: nothing to escape.
    const timing = `traceparent;desc="00-${sc.traceId}-${sc.spanId}-${flagsHex(sc.traceFlags)}"`;
    if (setOnBareResponse(serverRes, header, header, value, 'Server-Timing', 'server-timing', timing)) return;
    if (!serverRes.hasHeader(header)) setResponseHeader(serverRes, header, header, value);
    const existing = serverRes.getHeader('server-timing');
    if (existing === undefined) {
      setResponseHeader(serverRes, 'Server-Timing', 'server-timing', timing, true);
    } else if (!String(existing).includes('traceparent;')) {
      serverRes.setHeader('Server-Timing', [...(Array.isArray(existing) ? existing : [String(existing)]), timing]);
    }
  };
}

function flagsHex(flags: number): string {
  const f = flags & 0xff;
  return (f < 16 ? '0' : '') + f.toString(16);
}

// Re-exported for the seam's typing: instrumentation-http declares `responseHook` over these types.
export type { ClientRequest, IncomingMessage, ServerResponse };
