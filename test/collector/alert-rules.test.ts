// The Prometheus rules over the collector's span metrics, checked by the real promtool (Debian
// package `prometheus`): syntax (`check rules`) and behaviour (`test rules`, alerts.test.yaml).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './collector-binary';

const RULES_DIR = join(REPO_ROOT, 'deploy', 'prometheus');

function promtool(): string {
  const candidates = [process.env.ORG_TRACE_PROMTOOL_BIN, ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'promtool')), '/usr/bin/promtool'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('promtool is not installed. Run: tools/ci/install-system-deps.sh (Debian package prometheus), or set ORG_TRACE_PROMTOOL_BIN.');
}

const run = (args: string[], cwd = RULES_DIR) => spawnSync(promtool(), args, { cwd, encoding: 'utf8', timeout: 60000 });

test('promtool check rules accepts alerts.yaml', () => {
  const res = run(['check', 'rules', 'alerts.yaml']);
  expect(res.stdout + res.stderr).toMatch(/SUCCESS: \d+ rules found/);
  expect(res.status).toBe(0);
});

test('promtool test rules: every unit test in alerts.test.yaml passes', () => {
  const res = run(['test', 'rules', 'alerts.test.yaml']);
  expect(res.stdout + res.stderr).toMatch(/SUCCESS/);
  expect(res.status).toBe(0);
});

// The unit tests must be able to fail: loosen one threshold and one traffic guard in a copy.
test('the unit tests catch a changed threshold', () => {
  const dir = mkdtempSync(join(tmpdir(), 'org-trace-rules-'));
  try {
    const rules = readFileSync(join(RULES_DIR, 'alerts.yaml'), 'utf8');
    const mutated = rules.replace('org_trace:server_latency_ms:p95_5m > 500', 'org_trace:server_latency_ms:p95_5m > 1000');
    expect(mutated).not.toBe(rules);
    writeFileSync(join(dir, 'alerts.yaml'), mutated);
    copyFileSync(join(RULES_DIR, 'alerts.test.yaml'), join(dir, 'alerts.test.yaml'));
    const res = run(['test', 'rules', 'alerts.test.yaml'], dir);
    expect(res.status).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/OrgTraceRouteLatencyP95High/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the issue\'s four alert families exist: route p95, dependency p95, error ratio, pool wait', () => {
  const rules = readFileSync(join(RULES_DIR, 'alerts.yaml'), 'utf8');
  for (const name of ['OrgTraceRouteLatencyP95High', 'OrgTraceDependencyLatencyP95High', 'OrgTraceRouteErrorRatioHigh', 'OrgTracePoolWaitHigh']) {
    expect(rules).toContain(`alert: ${name}`);
  }
});
