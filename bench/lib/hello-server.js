'use strict';
// The app under test for the per-request benchmarks: a hello-world HTTP server, so that what is
// measured is the tracing around a request, not the app. Prints "listening <port>".
const http = require('http');

// BENCH_ECHO_HEADERS=1: the app itself sets the two headers our response echo adds, to tell the
// cost of having them on the response from the cost of the hook that computes them.
const echo = process.env.BENCH_ECHO_HEADERS === '1';
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  if (echo) {
    res.setHeader('x-trace-id', '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    res.setHeader('Server-Timing', 'traceparent;desc="00-3f2504e04f8911d39a0c0305e82c3301-b7ad6b7169203331-01"');
  }
  res.end('ok\n');
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT) || 0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
