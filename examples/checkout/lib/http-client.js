'use strict';
// Calls to other services with global fetch. Trace headers (traceparent, X-Trace-ID, baggage) are
// added by @org/trace-register's fetch instrumentation; the app must not set them itself.

async function callJson(method, url, body, { timeoutMs = 15_000 } = {}) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let value;
  try {
    value = text ? JSON.parse(text) : {};
  } catch {
    value = { error: text.slice(0, 200) };
  }
  if (!res.ok) {
    const err = new Error(`${method} ${new URL(url).pathname} → ${res.status}: ${value.error || text.slice(0, 100)}`);
    err.status = res.status === 503 || res.status === 504 ? res.status : 502;
    throw err;
  }
  return value;
}

const postJson = (url, body, opts) => callJson('POST', url, body, opts);
const getJson = (url, opts) => callJson('GET', url, undefined, opts);

module.exports = { postJson, getJson, callJson };
