'use strict';
// What every demo service does around its routes: listen on 127.0.0.1 (a free port unless PORT is
// set), announce the port on stdout for the runner, and stop cleanly.
//
// Stopping: SIGTERM/SIGINT are handled by @org/trace-register (flush spans, exit 143/130). When the
// runner started us it also keeps an IPC channel open; if the runner dies without stopping us (kill
// -9, crash) the channel closes and we terminate ourselves the same way — no orphaned services.
const http = require('node:http');
const { LatencyModel } = require('./latency');
const { createRouter } = require('./router');

function startService(name, routes, { latency = new LatencyModel(), readBody = true } = {}) {
  const server = http.createServer(createRouter(routes, { readBody }));
  server.keepAliveTimeout = 30_000;

  if (typeof process.send === 'function') {
    // Scenario phase changes (e.g. "credit scoring is at its peak now") arrive from the runner
    // over IPC, so they never show up as requests in the traces.
    process.on('message', (msg) => {
      if (msg && msg.type === 'sim-overrides') latency.setOverrides(msg.overrides);
    });
    process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }

  server.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1', () => {
    const { address, port } = server.address();
    console.log(`${name} LISTENING ${port} on ${address}`);
  });
  return { server, latency };
}

/** Required configuration from the environment: a clear message instead of a crash later. */
function requireEnv(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is required (the demo runner sets it; see examples/checkout/README.md)`);
    process.exit(2);
  }
  return v;
}

module.exports = { startService, requireEnv };
