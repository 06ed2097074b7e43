import { DiagLogger } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_MAX_LEGACY_ID_LENGTH, TraceIdFormat } from './xtraceid-mapping';

export interface XTraceIdOptions {
  /** Legacy header name. Default `x-trace-id` (e.g. `x-request-id`, `x-correlation-id`). */
  header?: string;
  /** Trust incoming legacy ids to choose the trace id. Default true. false: record and keep injecting only. */
  extract?: boolean;
  /** Outgoing/echoed value when the trace did not start from a legacy id. Default `uuid`. */
  format?: TraceIdFormat;
  /** Echo the legacy header and `Server-Timing: traceparent;…` on server responses. Default true. */
  responseHeaders?: boolean;
  /** Longest legacy value accepted (after trimming blanks). Default 256, bounded to 16…1024. */
  maxLength?: number;
  /** Where ids not taken from a legacy header come from. Default the SDK's RandomIdGenerator. */
  randomIdGenerator?: IdGenerator;
}

/** Options after validation: every field set, names lower-cased. */
export interface ResolvedXTraceIdOptions {
  readonly header: string;
  readonly extract: boolean;
  readonly format: TraceIdFormat;
  readonly responseHeaders: boolean;
  readonly maxLength: number;
}

export const DEFAULT_HEADER = 'x-trace-id';

// RFC 9110 token characters: anything else cannot be a header name.
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Names the W3C propagators own: configuring one of them as the legacy header would corrupt both.
const RESERVED = new Set(['traceparent', 'tracestate', 'baggage', 'server-timing']);

/**
 * Validates options once, at startup. A bad value falls back to its default with one warning: a typo
 * in an env var must not take tracing (or the app) down.
 */
export function resolveOptions(options: XTraceIdOptions | undefined, log: DiagLogger): ResolvedXTraceIdOptions {
  const o = options ?? {};
  let header = DEFAULT_HEADER;
  if (o.header !== undefined) {
    const h = typeof o.header === 'string' ? o.header.trim().toLowerCase() : '';
    if (h.length > 0 && h.length <= 128 && TOKEN_RE.test(h) && !RESERVED.has(h)) {
      header = h;
    } else {
      log.warn(`invalid legacy header name ${JSON.stringify(String(o.header).slice(0, 64))}, using ${DEFAULT_HEADER}`);
    }
  }
  let format: TraceIdFormat = 'uuid';
  if (o.format !== undefined) {
    if (o.format === 'uuid' || o.format === 'hex') format = o.format;
    else log.warn(`invalid legacy id format ${JSON.stringify(String(o.format).slice(0, 32))}, using uuid`);
  }
  let maxLength = DEFAULT_MAX_LEGACY_ID_LENGTH;
  if (o.maxLength !== undefined) {
    if (typeof o.maxLength === 'number' && Number.isInteger(o.maxLength)) {
      maxLength = Math.min(1024, Math.max(16, o.maxLength));
    } else {
      log.warn(`invalid legacy id maxLength, using ${DEFAULT_MAX_LEGACY_ID_LENGTH}`);
    }
  }
  return {
    header,
    extract: o.extract !== false,
    format,
    responseHeaders: o.responseHeaders !== false,
    maxLength,
  };
}
