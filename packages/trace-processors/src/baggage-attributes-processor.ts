// Business context on spans: copies allow-listed W3C baggage entries (e.g. customer.tier,
// tenant.id) onto every span started in that context, so the analysis can relate slowness to
// business impact ("gold customers wait 3 s at checkout"). Baggage arrives from clients, so only
// the configured keys are copied (no wildcard) and values are length-capped.
import { Context, propagation } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export const DEFAULT_BAGGAGE_VALUE_MAX_LENGTH = 256;
const CONTROL_CHARS = /[\x00-\x1f\x7f]/;
const CONTROL_CHARS_G = /[\x00-\x1f\x7f]/g;

export interface BaggageAttributesOptions {
  /** Baggage keys to copy; each becomes a span attribute of the same name. */
  keys: string[];
  /** Longer values are truncated (default 256). */
  maxValueLength?: number;
}

export class BaggageAttributesSpanProcessor implements SpanProcessor {
  private readonly keys: string[];
  private readonly max: number;

  constructor(options: BaggageAttributesOptions) {
    this.keys = [...new Set(options.keys)];
    this.max = Math.max(1, options.maxValueLength ?? DEFAULT_BAGGAGE_VALUE_MAX_LENGTH);
  }

  onStart(span: Span, parentContext: Context): void {
    if (this.keys.length === 0) return;
    const baggage = propagation.getBaggage(parentContext);
    if (baggage === undefined) return;
    for (const key of this.keys) {
      const entry = baggage.getEntry(key);
      if (entry === undefined) continue;
      // Baggage values are percent-decoded client input: control characters (CR, LF, NUL, ESC)
      // would travel into every backend and terminal that shows the attribute.
      const v = entry.value.length > this.max ? entry.value.slice(0, this.max) : entry.value;
      span.setAttribute(key, CONTROL_CHARS.test(v) ? v.replace(CONTROL_CHARS_G, '\uFFFD') : v);
    }
  }

  onEnd(_span: ReadableSpan): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
