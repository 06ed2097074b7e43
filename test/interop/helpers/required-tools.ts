// Locates the real peers the interop tests run: Jaeger v2 and the Python venv. Both are built/installed
// by scripts into a cache OUTSIDE the repo (CI calls them first). A missing tool makes the test FAIL
// with the script to run: a skipped interop test would read as "interop works".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
const JAEGER_BUILD = join(REPO_ROOT, 'tools', 'jaeger', 'build.sh');
const PYTHON_SETUP = join(REPO_ROOT, 'tools', 'python', 'setup-venv.sh');
export const JAEGER_CONFIG = join(REPO_ROOT, 'tools', 'jaeger', 'all-in-one-loopback.yaml');

/**
 * The Jaeger v2 binary. Not built here: the first build takes 10+ minutes on 2 cores, far beyond a
 * test's budget. ORG_TRACE_JAEGER_BIN points at another Jaeger v2 binary (e.g. a release download).
 */
export function jaegerBinary(): string {
  const override = process.env.ORG_TRACE_JAEGER_BIN;
  if (override) {
    if (!existsSync(override)) throw new Error(`ORG_TRACE_JAEGER_BIN=${override} does not exist`);
    return override;
  }
  const path = execFileSync(JAEGER_BUILD, ['--print-path'], { encoding: 'utf8' }).trim();
  if (!existsSync(path)) {
    throw new Error(
      `Jaeger v2 is not built (no ${path}).\n` +
        `Run: tools/jaeger/build.sh   (Go from the module proxy, ~15-20 min on 2 cores the first time, cached after)`,
    );
  }
  return path;
}

export interface PythonVenv {
  python: string;
  /** `opentelemetry-instrument`, the zero-code launcher of opentelemetry-distro. */
  otelInstrument: string;
}

/** Long enough for pip to fetch ~30 wheels on a cold cache. */
export const VENV_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The venv with Flask + OpenTelemetry Python, created by the test setup when missing (a no-op when
 * cached: the script keys the venv by the pinned requirements' hash).
 */
export function pythonVenv(): PythonVenv {
  const res = spawnSync(PYTHON_SETUP, [], { encoding: 'utf8', timeout: VENV_TIMEOUT_MS });
  const python = (res.stdout ?? '').trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !python || !existsSync(python)) {
    throw new Error(
      `The Python peer's venv could not be set up: tools/python/setup-venv.sh exited ${res.status ?? res.signal}.\n` +
        `Run it by hand to see why (needs python3 with venv, and PyPI).\n${res.stderr ?? ''}`,
    );
  }
  return { python, otelInstrument: join(dirname(python), 'opentelemetry-instrument') };
}
