'use strict';
// Simulated latency that looks like production: most calls near the median, a log-normal spread
// around it (real latencies are skewed: never below ~0, occasionally much slower), and a
// configurable tail — a small share of calls that take several times longer (GC pauses, retries,
// cold caches). Averages hide exactly this tail, which is why the demo reports percentiles.

/** The article's checkout flow, in milliseconds (medians). */
const ARTICLE_DEFAULTS = Object.freeze({
  cdn: 50, // CDN forwards to the load balancer
  lb: 25, // load balancer routes to the application server
  session: 100, // the application validates the user session
  payment: 800, // payment processor API call
  order_write: 150, // database transaction for order creation
  inventory: 200, // inventory service check
  email: 300, // email service notification trigger
  credit: 60, // credit scoring API (the cascade case study; fast when not at peak)
});

/** Further knobs of the simulation that the article does not give numbers for. */
const SIM_DEFAULTS = Object.freeze({
  // Fraud screening at the payment processor: how long it takes and how often it happens.
  payment_review: { median: 2500, probability: 0.01, highValueProbability: 0.04, highValueCents: 80_000 },
});

/**
 * One latency distribution. `median` in ms; `sigma` is the log-normal shape (0.25 ≈ most calls
 * within ±40 % of the median); with probability `tailProbability` a call is `tailMultiplier`× slower.
 */
function sampleMs({ median, sigma = 0.25, tailProbability = 0, tailMultiplier = 1 }, random = Math.random) {
  if (!(median > 0)) return 0;
  let ms = median * Math.exp(sigma * standardNormal(random));
  if (tailProbability > 0 && random() < tailProbability) ms *= tailMultiplier;
  return ms;
}

/** Box–Muller: one standard normal variate from two uniforms. */
function standardNormal(random) {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.round(ms))));

/**
 * The latency settings every process shares, from the SIM_CONFIG environment variable (JSON, written
 * by the demo runner) or the article's defaults when a service is started by hand:
 *   { "latency": { "payment": 800, … }, "sigma": 0.25, "tailProbability": 0.01, "tailMultiplier": 4,
 *     "timeScale": 1, "overrides": { "<name>": { median, sigma, tailProbability, tailMultiplier } } }
 * A `latency` entry may also be an object with the same fields as an override.
 */
class LatencyModel {
  constructor(config = readSimConfig()) {
    this.config = config;
    this.overrides = { ...(config.overrides || {}) };
  }

  /** The distribution of `name`, with any scenario override (e.g. credit scoring at peak) applied. */
  distribution(name) {
    const c = this.config;
    const configured = c.latency ? c.latency[name] : undefined;
    const d = {
      median: ARTICLE_DEFAULTS[name] ?? 0,
      sigma: c.sigma ?? 0.25,
      tailProbability: c.tailProbability ?? 0.01,
      tailMultiplier: c.tailMultiplier ?? 4,
      ...SIM_DEFAULTS[name],
      ...(typeof configured === 'number' ? { median: configured } : configured),
      ...this.overrides[name],
    };
    d.median *= c.timeScale ?? 1;
    return d;
  }

  sample(name) {
    return sampleMs(this.distribution(name));
  }

  /** Waits a sampled latency of `name` (the simulated work of a dependency). */
  wait(name) {
    return sleep(this.sample(name));
  }

  /** Replaces the overrides (the runner changes them at phase boundaries, e.g. "peak" starts). */
  setOverrides(overrides) {
    this.overrides = { ...(overrides || {}) };
  }
}

function readSimConfig(env = process.env) {
  if (!env.SIM_CONFIG) return {};
  try {
    return JSON.parse(env.SIM_CONFIG);
  } catch (err) {
    process.stderr.write(`SIM_CONFIG is not valid JSON (${err.message}); using the article's defaults\n`);
    return {};
  }
}

module.exports = { ARTICLE_DEFAULTS, SIM_DEFAULTS, LatencyModel, sampleMs, sleep, readSimConfig };
