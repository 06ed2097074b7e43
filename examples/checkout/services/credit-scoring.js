'use strict';
// Simulated external credit-scoring API — the root cause in the article's case study. Fast most of
// the day (≈60 ms); at "peak" (the runner says when, see scenarios.js) every client of this API is
// hammering it and it answers in seconds. Nothing in this service is broken: it is just slow.
const { startService } = require('../lib/service');
const { sendJson, httpError } = require('../lib/router');

const { latency } = startService('credit-scoring', {
  'POST /v1/scores': async (req, res, body) => {
    const amount = Number(body.amount_cents);
    if (!Number.isFinite(amount)) throw httpError(400, 'amount_cents is required');
    await latency.wait('credit');
    // A plausible-looking score; the shop only checks it against the order amount.
    const score = 550 + Math.round(Math.random() * 300);
    sendJson(res, 200, { score, approved: score > 580 || amount < 20_000 });
  },
});
