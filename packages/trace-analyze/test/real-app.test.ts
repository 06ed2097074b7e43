import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// End to end with real parts: an app instrumented by the OpenTelemetry SDK (instrumentation-pg,
// instrumentation-http) against the test run's real PostgreSQL, spans serialised by the SDK's own
// OTLP JSON serializer, analysed by the built CLI.
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'packages/trace-analyze/dist/cli.js');

describe('real instrumented app → trace-analyze', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/trace-analyze'], { cwd: ROOT });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-analyze-real-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sees pool exhaustion caused by a slow dependency held across a pooled connection', () => {
    expect(process.env.DATABASE_URL).toBeTruthy();
    const out = path.join(dir, 'traces.jsonl');
    const app = spawnSync(process.execPath, [path.join(__dirname, 'fixtures/pg-cascade-app.js'), out], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(app.stderr).toBe('');
    expect(app.status).toBe(0);
    if (process.env.KEEP_REAL_TRACES) fs.copyFileSync(out, process.env.KEEP_REAL_TRACES); // for debugging
    const r = spawnSync(process.execPath, [CLI, out, '--format', 'json', '--no-progress'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.input.issue_count).toBe(0);
    expect(rep.input.incomplete_traces).toBe(0);
    const names = rep.endpoints.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['checkout-api GET /account/dashboard', 'checkout-api POST /checkout']));
    const dash = rep.endpoints.find((e: { name: string }) => e.name === 'checkout-api GET /account/dashboard');
    // Real instrumentation-pg spans: pool wait is its own component, queries are grouped as DB time.
    expect(dash.components[0]).toMatchObject({ kind: 'pool_wait', component: 'checkout-api: postgresql pool wait' });
    expect(dash.components.some((c: { kind: string; service: string }) => c.kind === 'db' && c.service === 'postgresql')).toBe(true);
    const checkout = rep.endpoints.find((e: { name: string }) => e.name === 'checkout-api POST /checkout');
    expect(checkout.components.map((c: { component: string }) => c.component)).toContain('checkout-api → credit-scoring');
    const cascade = rep.findings.find((f: { type: string }) => f.type === 'cascade');
    expect(cascade).toBeDefined();
    expect(cascade.dependency).toBe('credit-scoring');
    expect(cascade.holds_connection_fraction).toBeGreaterThan(0.9);
    expect(cascade.victims.map((v: { endpoint: string }) => v.endpoint)).toContain('checkout-api GET /account/dashboard');
  });
});
