'use strict';
// What each scenario plants, and when. A scenario is a list of phases over the run (fractions of the
// duration); each phase has a traffic multiplier and latency overrides that the runner sends to the
// services when the phase starts. `expect` says what the analysis should find — the runner prints
// whether it did, and the e2e test asserts it.

const SCENARIOS = {
  baseline: {
    summary: 'the article\'s checkout flow at a steady rate: payment (≈800 ms) dominates every checkout',
    phases: [{ name: 'steady', until: 1, rate: 1, overrides: {} }],
    expect: { checkoutTop: 'payment' },
    lesson:
      'Every component is "fast" on its own dashboard, yet a checkout takes ~1.7 s, half of it in an external ' +
      'API you do not run. Tuning the database (150 ms) would barely show; the payment call is where to look ' +
      '(run it in parallel with the inventory check, or authorise asynchronously).',
  },

  'payment-slow': {
    summary:
      'the payment processor holds a share of payments for fraud screening (+≈2.5 s); orders above €800 — ' +
      'mostly gold-tier customers — far more often',
    phases: [
      {
        name: 'steady',
        until: 1,
        rate: 1,
        overrides: { payment_review: { probability: 0.01, highValueProbability: 0.9 } },
      },
    ],
    expect: { checkoutTop: 'payment', slowTier: 'gold' },
    lesson:
      'The average checkout barely moved, but the slow tail is the payment processor\'s fraud screening — and ' +
      'it falls mostly on gold customers, the ones with the biggest carts. Averages hide it; percentiles plus ' +
      'business context on the spans show who pays for it.',
  },

  cascade: {
    summary:
      'the case study: at peak the credit-scoring API slows to seconds; checkout holds a pooled DB ' +
      'connection while it waits, the pool (5) runs dry, and the account dashboard — which never ' +
      'calls credit scoring — slows down waiting for connections',
    phases: [
      { name: 'normal', until: 0.3, rate: 1, overrides: {} },
      { name: 'PEAK', until: 0.65, rate: 1.3, overrides: { credit: { median: 1200, sigma: 0.35 } } },
      { name: 'after peak', until: 1, rate: 1, overrides: {} },
    ],
    expect: { cascadeDependency: 'credit-scoring', victim: 'dashboard' },
    lesson:
      'The dashboard never calls credit scoring, its queries take milliseconds and the database is idle — it ' +
      'was slow because checkouts held every pooled connection while waiting for credit scoring. A bigger pool ' +
      'only moves the wall: call credit scoring before BEGIN, with a timeout and a circuit breaker.',
  },
};

/** Share of requests per endpoint (the rest of a shop's traffic is people looking at their account). */
const TRAFFIC_MIX = [
  { endpoint: 'checkout', method: 'POST', path: '/checkout', share: 0.4 },
  { endpoint: 'dashboard', method: 'GET', path: '/account/dashboard', share: 0.6 },
];

/** The phase active at fraction `f` (0..1) of the run. */
function phaseAt(scenario, f) {
  return scenario.phases.find((p) => f < p.until) ?? scenario.phases[scenario.phases.length - 1];
}

module.exports = { SCENARIOS, TRAFFIC_MIX, phaseAt };
