import { context, propagation, Span, trace } from '@opentelemetry/api';
import type { UndiciRequest } from '@opentelemetry/instrumentation-undici';

/**
 * instrumentation-undici `requestHook` that removes the app's own copies of the headers the
 * instrumentation is about to inject (legacy header, traceparent, tracestate, baggage).
 *
 * Why: undici (global fetch) *appends* every propagated header to the request; if the app already
 * set `traceparent` or `X-Trace-ID` the peer receives two values, and what it does with two values is
 * anyone's guess. node:http does not need this: its headers object is keyed case-insensitively and
 * the injected value overwrites.
 *
 * Which headers go is decided by a dry-run injection with the very context the instrumentation will
 * use (this hook runs right before it), so a header the propagators will *not* write — e.g. the app's
 * `baggage` when the context has none — is left alone. The dry run only happens when the request
 * carries one of the propagation field names at all.
 */
export function createUndiciHeaderDedupeHook(): (span: Span, request: UndiciRequest) => void {
  return (span, request) => {
    const headers = request.headers as unknown;
    const fields = new Set(propagation.fields().map(f => f.toLowerCase()));
    if (fields.size === 0) return;
    if (Array.isArray(headers)) {
      if (!arrayHasAny(headers, fields)) return;
      const injected = dryRun(span);
      for (let i = headers.length - 2; i >= 0; i -= 2) {
        if (injected.has(String(headers[i]).toLowerCase())) headers.splice(i, 2);
      }
    } else if (typeof headers === 'string') {
      // undici v5: raw `name: value\r\n` lines.
      const lines = headers.split('\r\n');
      if (!lines.some(l => fields.has(lineName(l)))) return;
      const injected = dryRun(span);
      (request as { headers: string }).headers = lines.filter(l => !injected.has(lineName(l))).join('\r\n');
    }
  };
}

function dryRun(span: Span): Set<string> {
  const probe: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), probe);
  return new Set(Object.keys(probe).map(k => k.toLowerCase()));
}

function arrayHasAny(headers: unknown[], names: Set<string>): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    if (names.has(String(headers[i]).toLowerCase())) return true;
  }
  return false;
}

function lineName(line: string): string {
  const colon = line.indexOf(':');
  return colon <= 0 ? '' : line.slice(0, colon).trim().toLowerCase();
}
