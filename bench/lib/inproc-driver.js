'use strict';
// In-process per-request driver: the same hello-world `http` server as hello-server.js, fed through
// in-memory duplex "sockets" (8 keep-alive connections) instead of the kernel, so that per-request
// CPU of a tracing setup is measured without loopback writes and wake-ups. Its spread between rounds
// is a few percent where the socket benchmark's is ±30 % on a shared machine: use it to attribute
// µs to features (run by bench/inproc.bench.js under each setup's `--require`); the headline
// figures stay with request.bench.js. Prints {"us","mainUs","rss","ms"} for the measured requests.
//
//   node [--require <setup>] bench/lib/inproc-driver.js <requests=50000> <warmup=5000>
const http = require('http');
const { Duplex } = require('stream');
const fs = require('fs');
const N = Number(process.argv[2] || 50000), W = Number(process.argv[3] || 5000), C = 8;
const echo = process.env.BENCH_ECHO_HEADERS === '1';
const server = http.createServer((req, res) => { res.setHeader('content-type', 'text/plain');
  if (echo) { res.setHeader('x-trace-id', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'); res.setHeader('Server-Timing', 'traceparent;desc="00-3f2504e04f8911d39a0c0305e82c3301-b7ad6b7169203331-01"'); }
  res.end('ok\n'); });
server.keepAliveTimeout = 60000;
const REQ = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nuser-agent: bench-load/1\r\naccept: text/plain\r\nx-forwarded-for: 10.0.0.1\r\nConnection: keep-alive\r\n\r\n');
let sent = 0, done = 0, target = 0, onDone;
function conn() {
  const s = new Duplex({
    read() {},
    write(chunk, enc, cb) { const str = chunk.toString('latin1'); if (str.endsWith('ok\n') || str.includes('\r\n\r\nok\n')) setImmediate(next); cb(); },
    writev(chunks, cb) { const str = chunks.map((c) => c.chunk.toString('latin1')).join(''); if (str.endsWith('ok\n')) setImmediate(next); cb(); },
  });
  s.remoteAddress = '127.0.0.1'; s.remotePort = 40000 + Math.floor(Math.random() * 1000); s.localAddress = '127.0.0.1'; s.localPort = 8080;
  s.setTimeout = () => s; s.setNoDelay = () => s; s.setKeepAlive = () => s; s.encrypted = false;
  function send() { if (sent >= target) return; sent++; s.push(REQ); }
  function next() { done++; if (done === target) return onDone(); send(); }
  server.emit('connection', s);
  return send;
}
function mainCpu() { const st = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; }
function phase(n) { return new Promise((r) => { sent = 0; done = 0; target = n; onDone = r; for (const s of senders) s(); }); }
const senders = Array.from({ length: C }, conn);
(async () => {
  await phase(W);
  const c0 = process.cpuUsage(), m0 = mainCpu(), t0 = Date.now();
  await phase(N);
  const c = process.cpuUsage(c0), m1 = mainCpu();
  const rss = process.memoryUsage().rss / 1048576;
  console.log(JSON.stringify({ us: +(((c.user + c.system) / N)).toFixed(2), mainUs: +(((m1 - m0) * 1e6) / N).toFixed(2), rss: +rss.toFixed(1), ms: Date.now() - t0 }));
  process.exit(0);
})();
