'use strict';
// A few seconds of traffic before the measured load: opens the pool's connections, the services'
// keep-alive sockets and warms up the JIT, so the analysis is not about a cold start (a burst of new
// PostgreSQL connections on a busy machine looks just like a pool-exhaustion cascade).
//
// These requests are not traced: they carry a W3C traceparent whose "sampled" flag is 0, and the
// distribution's default sampler (parentbased_always_on) follows the caller's decision — at the
// gateway and, through propagation, in every service behind it. This is the standard way to keep
// synthetic traffic (health checks, warm-ups) out of the traces.
const { randomBytes } = require('node:crypto');
const { makeCart } = require('./customers');

function unsampledTraceparent() {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}

async function warmUp({ baseUrl, customers, poolSize, timeoutMs = 20_000 }) {
  const call = (path, customer, body) =>
    fetch(baseUrl + path, {
      method: body ? 'POST' : 'GET',
      headers: {
        authorization: `Bearer ${customer.token}`,
        traceparent: unsampledTraceparent(),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then((r) => r.arrayBuffer())
      .catch(() => {});
  const some = (n) => Array.from({ length: n }, (_, i) => customers[i % customers.length]);
  // Checkouts hold connections for a while (session, order transaction): enough of them, together
  // with a burst of dashboards, to open every connection of the pool.
  await Promise.all([
    ...some(poolSize).map((c) => call('/checkout', c, makeCart(c))),
    ...some(poolSize * 2).map((c) => call('/account/dashboard', c)),
  ]);
  await Promise.all(some(poolSize * 2).map((c) => call('/account/dashboard', c)));
}

module.exports = { warmUp };
