'use strict';
// Business context for the rest of a request: who the customer is, as far as performance analysis
// needs to know (the tier, never the identity). Two plain OpenTelemetry API calls:
//  - an attribute on this service's request span, so "slow requests are mostly gold customers"
//    can be computed from the traces;
//  - W3C baggage, so every downstream call carries the tier too (the email service reads it, and a
//    baggage → attributes processor can copy it onto downstream spans).
const { context, propagation, trace } = require('@opentelemetry/api');

function withCustomerContext(customer, fn) {
  const span = trace.getActiveSpan();
  if (span) span.setAttribute('customer.tier', customer.tier);
  const current = propagation.getBaggage(context.active()) ?? propagation.createBaggage();
  const baggage = current.setEntry('customer.tier', { value: customer.tier });
  return context.with(propagation.setBaggage(context.active(), baggage), fn);
}

module.exports = { withCustomerContext };
