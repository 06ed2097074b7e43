'use strict';
// Simulated payment processor — an external API the shop does not control (≈800 ms per
// authorization in the article). Large amounts go through fraud screening, which is where its
// latency spikes come from: the `payment-slow` scenario raises the share of screened payments,
// and because big orders come mostly from gold-tier customers, slowness clusters on that tier.
const { randomUUID } = require('node:crypto');
const { startService } = require('../lib/service');
const { sendJson, httpError } = require('../lib/router');

const { latency } = startService('payment', {
  'POST /v1/authorizations': async (req, res, body) => {
    const amount = Number(body.amount_cents);
    if (!Number.isInteger(amount) || amount <= 0) throw httpError(400, 'amount_cents must be a positive integer');
    await latency.wait('payment');
    const screening = latency.distribution('payment_review');
    // Share of payments held for fraud screening: high-value ones far more often.
    const p = amount >= screening.highValueCents ? screening.highValueProbability : screening.probability;
    const reviewed = Math.random() < p;
    if (reviewed) await latency.wait('payment_review');
    sendJson(res, 201, { authorization_id: randomUUID(), status: 'authorized', reviewed });
  },
});
