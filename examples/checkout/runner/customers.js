'use strict';
// The shop's customers as the load generator sees them: a session token each, and a tier that
// shapes their carts (gold customers buy more, and more expensive, things).
const { randomBytes } = require('node:crypto');

const TIERS = [
  { tier: 'standard', share: 0.6, items: [1, 2], quantity: [1, 1] },
  { tier: 'silver', share: 0.25, items: [1, 3], quantity: [1, 2] },
  { tier: 'gold', share: 0.15, items: [3, 6], quantity: [1, 3] },
];

function makeCustomers(n = 200) {
  const out = [];
  for (let id = 1; id <= n; id++) {
    // Deterministic tier mix: the same share of each tier in every run.
    const f = ((id * 0.618033988749895) % 1);
    let acc = 0;
    const t = TIERS.find((x) => f < (acc += x.share)) ?? TIERS[0];
    out.push({ id, tier: t.tier, token: randomBytes(18).toString('base64url'), profile: t });
  }
  return out;
}

const between = ([lo, hi]) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** A cart for this customer; gold carts mostly end up above the payment processor's review threshold. */
function makeCart(customer) {
  const n = between(customer.profile.items);
  const items = [];
  const used = new Set();
  while (items.length < n) {
    const sku = `SKU-${String(1 + Math.floor(Math.random() * 60)).padStart(4, '0')}`;
    if (used.has(sku)) continue;
    used.add(sku);
    items.push({ sku, quantity: between(customer.profile.quantity) });
  }
  return { items };
}

module.exports = { makeCustomers, makeCart, TIERS };
