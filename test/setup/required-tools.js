'use strict';
// Which test suites need which outside tools, and whether this machine has them. Used by
// jest.config.js: on a developer machine without Go (or nginx, promtool, Chromium, Python), those
// suites are skipped WITH a message naming the script that installs the tool — as the collector
// issue asks. CI (.ci/run) installs everything and sets ORG_TRACE_REQUIRE_TOOLS=1: there a missing
// tool is a failure, never a silent skip.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const ROOT = join(__dirname, '..', '..');

function onPath(cmd, extra = []) {
  const dirs = (process.env.PATH || '').split(delimiter).concat(extra);
  return dirs.some((d) => d && existsSync(join(d, cmd)));
}

function cachedBinary(script) {
  try {
    const p = execFileSync(join(ROOT, script), ['--print-path'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return p !== '' && existsSync(p);
  } catch {
    return false;
  }
}

const hasGo = () => onPath('go', ['/usr/local/go/bin']);
const collector = () => !!process.env.ORG_TRACE_OTELCOL_BIN || cachedBinary('tools/collector/build.sh') || hasGo();
const jaeger = () => cachedBinary('tools/jaeger/build.sh') || hasGo();

/** [test path pattern, what is missing (or undefined), how to get it] */
function requirements() {
  return [
    ['<rootDir>/test/collector/', collector() ? undefined : 'Go (to build the collector)', 'install Go >= 1.25, then tools/collector/build.sh'],
    ['<rootDir>/test/collector/alert-rules', onPath('promtool') ? undefined : 'promtool', 'tools/ci/install-system-deps.sh'],
    ['<rootDir>/test/nginx/', onPath('nginx', ['/usr/sbin']) ? undefined : 'nginx', 'tools/ci/install-system-deps.sh'],
    ['<rootDir>/test/interop/', collector() && jaeger() ? undefined : 'Go (to build the collector and Jaeger)', 'install Go, then tools/collector/build.sh and tools/jaeger/build.sh'],
    ['<rootDir>/test/interop/python', onPath('python3') ? undefined : 'python3', 'install Python 3.11 (tools/python/setup-venv.sh makes the venv)'],
    ['<rootDir>/packages/trace-analyze/test/report-html', onPath('chromium') ? undefined : 'chromium', 'tools/ci/install-system-deps.sh'],
  ];
}

/** Patterns to ignore, after telling the developer why. */
function unavailableSuites() {
  if (process.env.ORG_TRACE_REQUIRE_TOOLS === '1') return [];
  const skipped = [];
  for (const [pattern, missing, fix] of requirements()) {
    if (missing === undefined) continue;
    skipped.push(pattern);
    process.stderr.write(`@org/trace tests: SKIPPING ${pattern.replace('<rootDir>/', '')}* — ${missing} is not installed (${fix}; ORG_TRACE_REQUIRE_TOOLS=1 makes this a failure)\n`);
  }
  return skipped;
}

module.exports = { unavailableSuites };
