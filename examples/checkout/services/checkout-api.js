'use strict';
// The shop's application server: validates the session, takes the payment, writes the order in a
// PostgreSQL transaction, reserves stock and triggers the confirmation email — the article's
// checkout flow. It also serves the account dashboard, the "unrelated" endpoint of the case study:
// it never calls credit scoring, yet it shares the connection pool with checkout.
const { createPool, inTransaction } = require('../lib/db');
const { postJson } = require('../lib/http-client');
const { startService, requireEnv } = require('../lib/service');
const { sendJson, httpError } = require('../lib/router');
const { withCustomerContext } = require('../lib/business-context');

const PAYMENT_URL = requireEnv('PAYMENT_URL');
const INVENTORY_URL = requireEnv('INVENTORY_URL');
const EMAIL_URL = requireEnv('EMAIL_URL');
const CREDIT_SCORING_URL = requireEnv('CREDIT_SCORING_URL');

const pool = createPool();

/** The session token from `Authorization: Bearer …` → { customerId, tier } (≈100 ms: see schema.sql). */
async function validateSession(req) {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization || '');
  if (!m) throw httpError(401, 'missing session');
  const { rows } = await query('SELECT customer_id, tier FROM validate_session($1)', [m[1]]);
  if (rows.length === 0) throw httpError(401, 'invalid or expired session');
  return { customerId: rows[0].customer_id, tier: rows[0].tier };
}

/** pool.query, with "no connection available in time" reported as 503 (overloaded), not 500. */
async function query(text, values) {
  try {
    return await pool.query(text, values);
  } catch (err) {
    throw asUnavailable(err);
  }
}

function asUnavailable(err) {
  if (/timeout exceeded when trying to connect/i.test(err.message)) err.status = 503;
  return err;
}

async function checkout(req, res, body) {
  const session = await validateSession(req);
  await withCustomerContext(session, async () => {
    const items = normaliseItems(body.items);
    const { rows: products } = await query('SELECT sku, price_cents FROM products WHERE sku = ANY($1::text[])', [items.map((i) => i.sku)]);
    const price = new Map(products.map((p) => [p.sku, p.price_cents]));
    const missing = items.find((i) => !price.has(i.sku));
    if (missing) throw httpError(400, `unknown product ${missing.sku}`);
    const total = items.reduce((sum, i) => sum + price.get(i.sku) * i.quantity, 0);

    // 1. Payment (≈800 ms, external).
    const payment = await postJson(`${PAYMENT_URL}/v1/authorizations`, { amount_cents: total, currency: 'EUR' });

    // 2. The order, in one transaction (≈150 ms). The credit check for "pay later" limits is made
    //    INSIDE the transaction, between writing the order and recording the decision: the pooled
    //    connection stays checked out for as long as credit scoring takes to answer. Harmless at
    //    60 ms; at peak, when credit scoring needs seconds, a handful of checkouts hold every
    //    connection of the pool. This is the article's cascade — the fix is to call credit scoring
    //    before BEGIN (with a timeout / circuit breaker), not to make the pool bigger.
    const orderId = await inTransaction(pool, async (db) => {
      const { rows } = await db.query(
        'INSERT INTO orders (customer_id, total_cents, payment_ref, status) VALUES ($1, $2, $3, $4) RETURNING id',
        [session.customerId, total, payment.authorization_id, 'pending'],
      );
      const id = rows[0].id;
      const credit = await postJson(`${CREDIT_SCORING_URL}/v1/scores`, { customer_id: session.customerId, amount_cents: total });
      await db.query('UPDATE orders SET status = $1, credit_score = $2 WHERE id = $3', [credit.approved ? 'confirmed' : 'review', credit.score, id]);
      await db.query(
        'INSERT INTO order_items (order_id, sku, quantity, price_cents) SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[])',
        [id, items.map((i) => i.sku), items.map((i) => i.quantity), items.map((i) => price.get(i.sku))],
      );
      return id;
    }).catch((err) => {
      throw asUnavailable(err);
    });

    // 3. Stock (≈200 ms) and 4. the confirmation email (≈300 ms), one after the other.
    await postJson(`${INVENTORY_URL}/v1/reservations`, { order_id: orderId, items: items.map(({ sku, quantity }) => ({ sku, quantity })) });
    await postJson(`${EMAIL_URL}/v1/notifications`, { template: 'order-confirmation', order_id: orderId });

    sendJson(res, 201, { order_id: String(orderId), total_cents: total });
  });
}

async function dashboard(req, res) {
  const session = await validateSession(req);
  await withCustomerContext(session, async () => {
    // Two quick queries (a few ms each): this endpoint is only slow when it cannot get a connection.
    const { rows: recent } = await query(
      'SELECT id, total_cents, status, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 5',
      [session.customerId],
    );
    const { rows: totals } = await query(
      'SELECT count(*)::int AS orders, coalesce(sum(total_cents), 0)::bigint AS spent_cents FROM orders WHERE customer_id = $1',
      [session.customerId],
    );
    sendJson(res, 200, { tier: session.tier, recent_orders: recent, ...totals[0] });
  });
}

function normaliseItems(items) {
  if (!Array.isArray(items) || items.length === 0 || items.length > 50) throw httpError(400, 'items: 1 to 50 entries');
  return items.map((i) => {
    const quantity = Number(i.quantity);
    if (typeof i.sku !== 'string' || !Number.isInteger(quantity) || quantity < 1 || quantity > 100) throw httpError(400, 'each item needs a sku and a quantity 1..100');
    return { sku: i.sku, quantity };
  });
}

const { server } = startService('checkout-api', {
  'POST /checkout': checkout,
  'GET /account/dashboard': dashboard,
});
server.on('close', () => pool.end());
