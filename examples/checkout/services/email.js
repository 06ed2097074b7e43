'use strict';
// Simulated email service (≈300 ms to accept a notification in the article). The checkout API
// waits for it before answering — one of the choices the analysis questions.
const { randomUUID } = require('node:crypto');
const { propagation, context } = require('@opentelemetry/api');
const { startService } = require('../lib/service');
const { sendJson, httpError } = require('../lib/router');

const { latency } = startService('email', {
  'POST /v1/notifications': async (req, res, body) => {
    if (typeof body.template !== 'string') throw httpError(400, 'template is required');
    // Business context arrives as baggage: gold customers get the premium template.
    const tier = propagation.getBaggage(context.active())?.getEntry('customer.tier')?.value;
    await latency.wait('email');
    sendJson(res, 202, { message_id: randomUUID(), template: tier === 'gold' ? `${body.template}-gold` : body.template });
  },
});
