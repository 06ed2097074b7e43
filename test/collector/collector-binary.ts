// Finds the collector the tests run: the one tools/collector/build.sh builds from the Go module
// proxy into a cache directory outside the repo. The tests build it themselves when it is missing
// and Go is present (a no-op when cached), so `npm test` on a clean clone works; CI calls build.sh
// first so the build time is not charged to a test. Without Go and without a cached binary, the
// tests FAIL with the command to run — a silently skipped collector test would read as "passed".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const BUILD_SCRIPT = join(REPO_ROOT, 'tools', 'collector', 'build.sh');
export const MANIFEST = join(REPO_ROOT, 'tools', 'collector', 'manifest.yaml');
export const COLLECTOR_CONFIG = join(REPO_ROOT, 'otel-collector.yaml');

/** Long enough for a first build on 2 cores with module downloads. */
export const BUILD_TIMEOUT_MS = 20 * 60 * 1000;

function hasGo(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Path of a runnable collector binary. ORG_TRACE_OTELCOL_BIN points at another build (e.g. an
 * otelcol-contrib download) and skips the build script entirely.
 */
export function collectorBinary(): string {
  const override = process.env.ORG_TRACE_OTELCOL_BIN;
  if (override) {
    if (!existsSync(override)) throw new Error(`ORG_TRACE_OTELCOL_BIN=${override} does not exist`);
    return override;
  }
  const path = execFileSync(BUILD_SCRIPT, ['--print-path'], { encoding: 'utf8' }).trim();
  if (existsSync(path)) return path;
  if (!hasGo()) {
    throw new Error(
      `No collector binary at ${path} and Go is not installed, so it cannot be built.\n` +
        `Install Go (>= 1.25) and run: tools/collector/build.sh\n` +
        `(or point ORG_TRACE_OTELCOL_BIN at an otelcol-contrib >= 0.161 binary).`,
    );
  }
  const res = spawnSync(BUILD_SCRIPT, [], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (res.status !== 0 || !existsSync(path)) {
    throw new Error(`tools/collector/build.sh failed (exit ${res.status}):\n${res.stderr}\n${res.stdout}`);
  }
  return path;
}
