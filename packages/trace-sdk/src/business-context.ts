// A small API for business attributes set in code:
//   withBusinessContext({ 'customer.tier': 'gold' }, () => handleCheckout())
// The entries go into W3C baggage (so downstream services receive them and, with
// ORG_TRACE_BAGGAGE_ATTRIBUTES listing the key, put them on their spans) and onto the current span
// (which started before the app knew the customer). Uses only @opentelemetry/api: works the same
// whether the SDK was started by the register bundle or in code.
import { context, propagation, trace } from '@opentelemetry/api';

export type BusinessAttributes = Record<string, string | number | boolean>;

export function withBusinessContext<T>(attributes: BusinessAttributes, fn: () => T): T {
  const active = context.active();
  let baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  const clean: Record<string, string> = {};
  for (const [key, raw] of Object.entries(attributes)) {
    if (raw === undefined || raw === null) continue;
    const value = String(raw);
    clean[key] = value;
    baggage = baggage.setEntry(key, { value });
  }
  trace.getSpan(active)?.setAttributes(clean);
  return context.with(propagation.setBaggage(active, baggage), fn);
}
