// Query strings carry PII and secrets (?email=…, ?token=…). instrumentation-http redacts only a
// few signature parameters; this processor replaces the VALUE of every query parameter in
// `url.query` and `url.full` with "REDACTED" at span start, so the shape stays searchable
// (`?email=REDACTED&page=REDACTED`) and no value leaves the process. The bundled collector redacts
// again (defence in depth for apps not using this distribution).
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export type UrlQueryMode = 'redact' | 'keep' | 'drop';
export const REDACTED = 'REDACTED';

/** `a=1&b=&c` → `a=REDACTED&b=REDACTED&c`; linear, never throws. */
export function redactQuery(query: string): string {
  let out = '';
  let i = 0;
  const n = query.length;
  while (i <= n) {
    let amp = query.indexOf('&', i);
    if (amp === -1) amp = n;
    const part = query.slice(i, amp);
    const eq = part.indexOf('=');
    out += eq === -1 ? part : part.slice(0, eq + 1) + REDACTED;
    if (amp < n) out += '&';
    i = amp + 1;
  }
  return out;
}

function rewriteUrl(url: string, mode: UrlQueryMode): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const rest = hash === -1 ? '' : url.slice(hash);
  if (mode === 'drop') return url.slice(0, q) + rest;
  return `${url.slice(0, q + 1)}${redactQuery(query)}${rest}`;
}

export class UrlQueryRedactionSpanProcessor implements SpanProcessor {
  constructor(private readonly mode: UrlQueryMode = 'redact') {}

  onStart(span: Span, _parentContext: Context): void {
    if (this.mode === 'keep') return;
    const attrs = (span as unknown as ReadableSpan).attributes;
    const query = attrs['url.query'];
    if (typeof query === 'string' && query !== '') {
      if (this.mode === 'drop') span.setAttribute('url.query', '');
      else span.setAttribute('url.query', redactQuery(query));
    }
    const full = attrs['url.full'];
    if (typeof full === 'string' && full.includes('?')) span.setAttribute('url.full', rewriteUrl(full, this.mode));
  }

  onEnd(_span: ReadableSpan): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
