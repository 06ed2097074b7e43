'use strict';
// The edge: stands in for the CDN and the load balancer in front of the shop (≈50 ms + ≈25 ms in the
// article). Clients — and the legacy systems around the shop — identify a request with an
// `X-Trace-ID: <uuid>` header; @org/trace-register turns that uuid into the trace id of the whole
// chain and passes it on (traceparent + X-Trace-ID) on every call below, so support can search the
// traces for the id they already have in their logs.
const http = require('node:http');
const { startService, requireEnv } = require('../lib/service');
const { sendJson } = require('../lib/router');

const upstream = new URL(requireEnv('CHECKOUT_API_URL'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

// Only these request headers are passed upstream. Trace headers are not copied on purpose: the
// distribution injects fresh ones that point at this hop's span.
const FORWARDED = ['authorization', 'content-type', 'content-length', 'accept', 'user-agent'];

function proxy(req, res) {
  return new Promise((resolve) => {
    const headers = { 'x-forwarded-for': req.socket.remoteAddress };
    for (const h of FORWARDED) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent, timeout: 30_000 },
      (up) => {
        res.writeHead(up.statusCode, { 'content-type': up.headers['content-type'] || 'application/json' });
        up.pipe(res);
        up.on('end', resolve);
        up.on('error', resolve);
      },
    );
    out.on('timeout', () => out.destroy(new Error('upstream timed out')));
    out.on('error', (err) => {
      if (!res.headersSent) sendJson(res, 502, { error: `checkout-api unreachable: ${err.message}` });
      resolve();
    });
    req.pipe(out);
  });
}

async function edge(req, res) {
  await latency.wait('cdn'); // CDN → load balancer
  await latency.wait('lb'); // load balancer → application server
  await proxy(req, res);
}

const { latency } = startService('gateway', {
  'POST /checkout': edge,
  'GET /account/dashboard': edge,
}, { readBody: false });
