'use strict';
// Simulated inventory service (≈200 ms per check in the article). It keeps its own stock in
// memory — it is another team's service with its own store, not a client of the shop database.
const { startService } = require('../lib/service');
const { sendJson, httpError } = require('../lib/router');

const stock = new Map(); // sku → units left; every SKU starts with plenty

const { latency } = startService('inventory', {
  'POST /v1/reservations': async (req, res, body) => {
    const items = Array.isArray(body.items) ? body.items : [];
    if (items.length === 0) throw httpError(400, 'items must be a non-empty array');
    await latency.wait('inventory');
    for (const { sku, quantity } of items) {
      const left = stock.has(sku) ? stock.get(sku) : 1_000_000;
      if (left < quantity) throw httpError(409, `${sku} is out of stock`);
      stock.set(sku, left - quantity);
    }
    sendJson(res, 201, { reserved: items.length });
  },
});
