'use strict';
// The users: an open-loop load generator. Requests arrive at random (Poisson) at the scenario's rate
// whether or not earlier ones have finished — like real traffic, which is what lets a backlog build
// up at peak. Bounded on every side: total count, duration, requests in flight, per-request timeout.
const { randomUUID } = require('node:crypto');
const { TRAFFIC_MIX, phaseAt } = require('../scenarios');
const { makeCart } = require('./customers');

class LoadGenerator {
  constructor({ baseUrl, scenario, customers, rate, durationMs, maxRequests, maxInFlight = 150, timeoutMs = 30_000, onPhase }) {
    Object.assign(this, { baseUrl, scenario, customers, rate, durationMs, maxRequests, maxInFlight, timeoutMs, onPhase });
    this.results = [];
    this.inFlight = 0;
    this.sent = 0;
    this.shed = 0; // arrivals dropped because maxInFlight requests were already waiting
    this.stopped = false;
    this.pending = new Set();
    this.controller = new AbortController();
  }

  /** Runs until the duration or the request budget is used up (or stop() is called). */
  async run() {
    this.startedAt = Date.now();
    let phase;
    while (!this.stopped) {
      const elapsed = Date.now() - this.startedAt;
      if (elapsed >= this.durationMs || this.sent + this.shed >= this.maxRequests) break;
      const p = phaseAt(this.scenario, elapsed / this.durationMs);
      if (p !== phase) {
        phase = p;
        this.phase = p.name;
        this.onPhase?.(p);
      }
      if (this.inFlight >= this.maxInFlight) this.shed++;
      else this.fire(p);
      // Exponential inter-arrival time at the phase's rate.
      const gap = (-Math.log(1 - Math.random()) / (this.rate * p.rate)) * 1000;
      await sleepUnlessStopped(Math.min(gap, this.durationMs - (Date.now() - this.startedAt)), this);
    }
    this.loadEndedAt = Date.now();
  }

  /** Waits for requests still in flight, at most `ms`, then aborts the rest. */
  async drain(ms) {
    const timer = setTimeout(() => this.controller.abort(), ms);
    await Promise.allSettled([...this.pending]);
    clearTimeout(timer);
  }

  stop() {
    this.stopped = true;
    this.wake?.();
  }

  abort() {
    this.stop();
    this.controller.abort();
  }

  fire(phase) {
    const route = pick(TRAFFIC_MIX);
    const customer = this.customers[Math.floor(Math.random() * this.customers.length)];
    const xTraceId = randomUUID();
    const started = Date.now();
    const t0 = performance.now();
    this.sent++;
    this.inFlight++;
    const record = { x_trace_id: xTraceId, endpoint: route.endpoint, tier: customer.tier, phase: phase.name, start: new Date(started).toISOString() };
    const p = fetch(this.baseUrl + route.path, {
      method: route.method,
      headers: {
        authorization: `Bearer ${customer.token}`,
        'x-trace-id': xTraceId,
        ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: route.method === 'POST' ? JSON.stringify(makeCart(customer)) : undefined,
      signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.timeoutMs)]),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        record.status = res.status;
        // The edge echoes the id it used, so a user can quote it to support.
        record.echoed_trace_id = res.headers.get('x-trace-id') ?? undefined;
      })
      .catch((err) => {
        record.status = 0;
        record.error = err.name === 'TimeoutError' || err.name === 'AbortError' ? 'timeout/aborted' : err.message;
      })
      .finally(() => {
        record.ms = Math.round(performance.now() - t0);
        this.inFlight--;
        this.results.push(record);
        this.pending.delete(p);
      });
    this.pending.add(p);
  }
}

function pick(mix) {
  let r = Math.random();
  for (const m of mix) if ((r -= m.share) < 0) return m;
  return mix[mix.length - 1];
}

function sleepUnlessStopped(ms, gen) {
  return new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      gen.wake = undefined;
      resolve();
    }
    gen.wake = done;
  });
}

module.exports = { LoadGenerator };
