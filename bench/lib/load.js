'use strict';
// Load generator: exactly N keep-alive GET requests over C connections, then prints
// {"requests","errors","ms"} and exits. A fixed count (not a duration) makes "server CPU / requests"
// exact; running it as its own process lets the harness pin it to the other core.
//
//   node bench/lib/load.js <port> <requests> [connections=8] [path=/]
const http = require('http');

const [port, total, connections = 8, urlPath = '/'] = process.argv.slice(2);
const N = Number(total);
const C = Math.max(1, Math.min(Number(connections), N));
const agent = new http.Agent({ keepAlive: true, maxSockets: C });
// What a browser behind a proxy sends; no trace headers, so every request starts a new trace.
const headers = { 'user-agent': 'bench-load/1', accept: 'text/plain', 'x-forwarded-for': '10.0.0.1' };

let started = 0;
let done = 0;
let errors = 0;
const t0 = process.hrtime.bigint();

function one() {
  if (started >= N) return;
  started++;
  const req = http.get({ host: '127.0.0.1', port: Number(port), path: urlPath, agent, headers }, (res) => {
    res.resume();
    res.on('end', next);
  });
  req.on('error', () => {
    errors++;
    next();
  });
}

function next() {
  done++;
  if (done === N) {
    agent.destroy();
    process.stdout.write(JSON.stringify({ requests: N, errors, ms: Number(process.hrtime.bigint() - t0) / 1e6 }) + '\n');
    return;
  }
  one();
}

for (let i = 0; i < C; i++) one();
