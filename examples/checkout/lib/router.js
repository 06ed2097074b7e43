'use strict';
// A tiny router for plain `node:http` services (the demo avoids web-framework dependencies).
// Frameworks such as Express tell the HTTP instrumentation which route matched, so server spans are
// named "POST /checkout" instead of just "POST". Without a framework the app says it itself, with
// the public OpenTelemetry API — the same two calls a framework integration makes.
const { trace } = require('@opentelemetry/api');

/**
 * routes: { 'POST /checkout': handler, … }; handler(req, res, body) returns a promise.
 * readBody: false leaves the request stream to the handler (a proxy forwards it untouched).
 */
function createRouter(routes, { readBody = true } = {}) {
  const table = new Map(Object.entries(routes));
  return async function route(req, res) {
    const path = new URL(req.url, 'http://localhost').pathname;
    const key = `${req.method} ${path}`;
    const handler = table.get(key);
    if (!handler) return sendJson(res, 404, { error: `no route ${key}` });
    const span = trace.getActiveSpan();
    if (span) {
      span.setAttribute('http.route', path);
      span.updateName(key);
    }
    try {
      const body = readBody && req.method !== 'GET' ? await readJson(req) : undefined;
      await handler(req, res, body);
    } catch (err) {
      const status = err.status || 500;
      if (!res.headersSent) sendJson(res, status, { error: err.message });
      else res.destroy(err);
    }
  };
}

function readJson(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(httpError(413, 'request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (chunks.length === 0) return resolve({});
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(httpError(400, 'request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function httpError(status, message) {
  return Object.assign(new Error(message), { status });
}

module.exports = { createRouter, sendJson, readJson, httpError };
