'use strict';
// The tracing setups every benchmark compares, as `node` arguments. The upstream ones run from
// bench/upstream/node_modules (installed on demand, see ensureUpstream); ours is exactly what users
// run: `node --require @org/trace-register`, resolved from the repository root.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..', '..');
const UPSTREAM = path.join(ROOT, 'bench', 'upstream');

/**
 * Installs the pinned upstream packages into bench/upstream/node_modules if they are missing or
 * older than the lockfile. Returns false (and says why) when that is not possible, e.g. offline:
 * the benchmarks then run without the upstream columns instead of failing.
 */
function ensureUpstream(log = console.error) {
  const marker = path.join(UPSTREAM, 'node_modules', '.package-lock.json');
  const lock = path.join(UPSTREAM, 'package-lock.json');
  const fresh = fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs - 1000;
  if (fresh) return true;
  log('installing the upstream comparison packages: npm ci --prefix bench/upstream');
  const r = spawnSync('npm', ['ci', '--prefix', UPSTREAM, '--ignore-scripts', '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300000 });
  if (r.status !== 0) {
    log(`upstream install failed; upstream columns skipped\n${(r.stderr || '').slice(-2000)}`);
    return false;
  }
  return true;
}

function upstreamResolve(id) {
  return require.resolve(id, { paths: [UPSTREAM] });
}

/**
 * Setups, in table order. `traced` ones export to the OTLP sink given in the environment.
 * `upstream: true` ones need ensureUpstream().
 */
function variants() {
  return [
    { id: 'bare', label: 'bare node', args: [], upstream: false, traced: false },
    {
      id: 'upstream-register',
      label: 'upstream register (auto-instrumentations-node)',
      args: () => ['--require', upstreamResolve('@opentelemetry/auto-instrumentations-node/register')],
      upstream: true,
      traced: true,
    },
    { id: 'upstream-nodesdk', label: 'NodeSDK http+pg', args: () => ['--require', path.join(UPSTREAM, 'nodesdk-http-pg.js')], upstream: true, traced: true },
    { id: 'upstream-lean', label: 'sdk-trace-node http+pg', args: () => ['--require', path.join(UPSTREAM, 'trace-node-http-pg.js')], upstream: true, traced: true },
    { id: 'ours', label: 'ours (@org/trace-register)', args: ['--require', '@org/trace-register'], upstream: false, traced: true },
  ];
}

/** Resolves a variant's node arguments (upstream paths are only resolvable once installed). */
function nodeArgs(v) {
  return typeof v.args === 'function' ? v.args() : v.args;
}

/**
 * The same environment for every setup: export to the local sink, no metrics/logs pipelines, and
 * the same resource detectors as our default (upstream's default also probes cloud metadata
 * servers, a network wait at every start that would measure the network, not the SDK).
 */
function tracingEnv(sinkPort, extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('OTEL_') || k.startsWith('ORG_TRACE_')) delete env[k];
  delete env.NODE_OPTIONS;
  return {
    ...env,
    OTEL_SERVICE_NAME: 'bench',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    ...extra,
  };
}

module.exports = { ROOT, UPSTREAM, ensureUpstream, variants, nodeArgs, tracingEnv, upstreamResolve };
