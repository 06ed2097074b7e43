'use strict';
// The app under test for the per-request benchmarks: a hello-world HTTP server, so that what is
// measured is the tracing around a request, not the app. Prints "listening <port>".
const http = require('http');

const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('ok\n');
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT) || 0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
