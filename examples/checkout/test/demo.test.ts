// The demo, end to end, at reduced length: real services under `node --require @org/trace-register`,
// a real PostgreSQL (the suite's DATABASE_URL, or the embedded one), real load — and the analysis
// must find what each scenario planted. Slow by nature (~3 minutes): every scenario is a full run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spansFromJson, type ReceivedSpan } from '../../../test/fixtures/otlp-receiver';
import { hermeticEnv, REPO_ROOT } from '../../../test/fixtures/spawn-app';

const RUNNER = join(REPO_ROOT, 'examples', 'checkout', 'run-demo.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  out: string;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runDemo(args: string[], opts: { env?: Record<string, string | undefined>; onStdout?: (all: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'checkout-demo-test-'));
  dirs.push(out);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [RUNNER, '--out', out, ...args], { cwd: REPO_ROOT, env: hermeticEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const kill = (s: NodeJS.Signals) => p.kill(s);
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      opts.onStdout?.(stdout, kill);
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 170_000);
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, out });
    });
  });
}

/**
 * runDemo with the embedded PostgreSQL. The runner gives it a port it took from listen(0) and closed
 * again; by the time the server binds it (after initdb, seconds later) a parallel test file's
 * connection can hold it as its local port, and the server exits (its log, which would say
 * "Address already in use", is not shown). That is a race of the machine, not of what these tests
 * check (stopping a running demo): when the runner ended before its PostgreSQL was up, run it
 * again — at most twice, so a PostgreSQL that never starts still fails.
 */
async function runDemoEmbedded(args: string[], opts: Parameters<typeof runDemo>[1] = {}): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    const run = await runDemo(args, { ...opts, env: { ...opts.env, DATABASE_URL: undefined } });
    const dbUp = /PostgreSQL: embedded server on/.test(run.stdout);
    if (dbUp || run.signal !== null || attempt >= 3) return run;
  }
}

function readAnalysis(run: Run): any {
  return JSON.parse(readFileSync(join(run.out, 'analysis.json'), 'utf8'));
}

function readSpans(run: Run): ReceivedSpan[] {
  return readFileSync(join(run.out, 'traces.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => spansFromJson(JSON.parse(l)));
}

function readRequests(run: Run): Array<{ x_trace_id: string; endpoint: string; status: number; echoed_trace_id?: string; ms: number }> {
  return readFileSync(join(run.out, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The pids the runner printed for its services. */
function servicePids(stdout: string): number[] {
  const m = /\(pids ([\d ]+)\)/.exec(stdout);
  return m ? m[1].trim().split(/\s+/).map(Number) : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line mentions `dir` (the embedded server's data directory). */
function processesOn(dir: string): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    });
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

function explain(run: Run): string {
  return `exit ${run.code ?? run.signal}\n--- stdout ---\n${run.stdout.slice(-6000)}\n--- stderr ---\n${run.stderr.slice(-3000)}`;
}

const checkoutOf = (report: any) => report.endpoints.find((e: any) => e.origin === 'root' && e.name === 'gateway POST /checkout');
const dashboardOf = (report: any) => report.endpoints.find((e: any) => e.origin === 'root' && e.name === 'gateway GET /account/dashboard');

describe('npm run demo (examples/checkout)', () => {
  test('payment-slow: the payment processor dominates slow checkouts, and they cluster on gold customers; X-Trace-ID is the trace id of the whole chain', async () => {
    const run = await runDemo(['--scenario', 'payment-slow', '--duration', '30', '--rate', '12']);
    expect({ code: run.code, out: run.code === 0 ? '' : explain(run) }).toEqual({ code: 0, out: '' });
    for (const pid of servicePids(run.stdout)) expect(alive(pid)).toBe(false);
    expect(servicePids(run.stdout)).toHaveLength(6);
    expect(existsSync(join(run.out, 'report.html'))).toBe(true);
    expect(readFileSync(join(run.out, 'report.html'), 'utf8')).toContain('payment');

    const report = readAnalysis(run);
    const checkout = checkoutOf(report);
    expect(checkout).toBeDefined();
    expect(checkout.count).toBeGreaterThan(40);
    const top = [...checkout.components].sort((a: any, b: any) => b.share - a.share)[0];
    expect(top.service).toBe('payment');
    // Payment explains most of what makes slow checkouts slower than the rest.
    expect(top.excess_share).toBeGreaterThan(0.6);
    expect(checkout.slow_attributes).toEqual(expect.arrayContaining([expect.objectContaining({ attribute: 'customer.tier', value: 'gold' })]));
    // No cascade was planted: the analysis must not invent one.
    expect(report.findings.filter((f: any) => f.type === 'cascade')).toEqual([]);

    // X-Trace-ID: every request's legacy id is the trace id of spans in every service it crossed.
    const spans = readSpans(run);
    const byTrace = new Map<string, ReceivedSpan[]>();
    for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    const requests = readRequests(run);
    const checkouts = requests.filter((r) => r.endpoint === 'checkout' && r.status === 201);
    expect(checkouts.length).toBeGreaterThan(40);
    for (const r of checkouts) {
      const traceId = r.x_trace_id.replace(/-/g, '');
      expect(r.echoed_trace_id).toBe(r.x_trace_id);
      const chain = byTrace.get(traceId) ?? [];
      const services = new Set(chain.map((s) => s.resource['service.name']));
      expect([...services].sort()).toEqual(['checkout-api', 'credit-scoring', 'email', 'gateway', 'inventory', 'payment']);
      // One root: the edge's server span; everything else hangs off spans of the same trace.
      const roots = chain.filter((s) => !s.parentSpanId);
      expect(roots.map((s) => [s.resource['service.name'], s.kind])).toEqual([['gateway', 2]]);
      const ids = new Set(chain.map((s) => s.spanId));
      for (const s of chain) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
      // Query hashing reached the checkout's SQL.
      expect(chain.some((s) => s.resource['service.name'] === 'checkout-api' && typeof s.attributes['org.db.query.hash'] === 'string')).toBe(true);
    }
    // Nothing but the demo's requests was traced (no stray control traffic, no orphan traces).
    expect(byTrace.size).toBe(requests.filter((r) => r.status !== 0).length);
  }, 180_000);

  test('cascade: the finding names credit scoring, the held connections, and the dashboard waiting for the pool', async () => {
    // The detection is statistical over time windows of a real load run: on a loaded machine a run
    // now and then does not build the backlog (seen once in a fresh-clone run). A run without the
    // finding is measured once more; two misses in a row fail, with what the analysis found each time.
    const misses: string[] = [];
    let run: Run;
    let report: any;
    let cascade: any;
    for (let attempt = 1; ; attempt++) {
      run = await runDemo(['--scenario', 'cascade', '--duration', '40']);
      expect({ code: run.code, out: run.code === 0 ? '' : explain(run) }).toEqual({ code: 0, out: '' });
      for (const pid of servicePids(run.stdout)) expect(alive(pid)).toBe(false);
      expect(run.stdout).toMatch(/in flight/); // the progress line

      report = readAnalysis(run);
      cascade = report.findings.find((f: any) => f.type === 'cascade');
      if (cascade !== undefined) break;
      // On a miss, say what the analysis did find: the other findings and the printed report are
      // what tells a broken detector from a run whose load did not build the backlog.
      misses.push(`run ${attempt}: no cascade finding; findings: ${JSON.stringify(report.findings.map((f: any) => f.summary ?? f.type))}\n${run.stdout.slice(-3000)}`);
      if (attempt >= 2) throw new Error(misses.join('\n\n'));
    }
    expect(cascade.dependency).toBe('credit-scoring');
    expect(cascade.holders).toEqual(['checkout-api']);
    expect(cascade.holds_connection_fraction).toBeGreaterThan(0.9);
    expect(cascade.connection_wait_mean_ms.degraded).toBeGreaterThan(5 * Math.max(cascade.connection_wait_mean_ms.normal, 20));
    const victim = cascade.victims.find((v: any) => v.endpoint === 'gateway GET /account/dashboard');
    expect(victim).toBeDefined();
    expect(victim.hot_ms).toBeGreaterThan(2 * victim.cold_ms);
    expect(victim.wait_fraction).toBeGreaterThan(0.7);
    // The dashboard's slow requests are pool wait, not its queries.
    const dashboard = dashboardOf(report);
    const top = [...dashboard.components].sort((a: any, b: any) => b.share - a.share)[0];
    expect(top.kind).toBe('pool_wait');
    // The printed report carries the same finding.
    expect(run.stdout).toMatch(/Cascade: .*credit-scoring/s);
    expect(run.stdout).toMatch(/✓ cascade root cause: credit-scoring/);
  }, 300_000); // one run takes ~45 s (~60 s on a loaded machine); room for the second

  test('Ctrl-C during the load stops every service and the embedded PostgreSQL, and exits 130', async () => {
    let sent = false;
    const run = await runDemoEmbedded(['--scenario', 'cascade', '--duration', '60'], {
      // the embedded server, as a newcomer gets it
      onStdout: (all, kill) => {
        if (!sent && /sent +\d+/.test(all)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect({ code: run.code, out: run.code === 130 ? '' : explain(run) }).toEqual({ code: 130, out: '' });
    const pids = servicePids(run.stdout);
    expect(pids).toHaveLength(6);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    const dataDir = /data in (\S+)\)/.exec(run.stdout)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
    // No postgres process (nor its watchdog) is left running on that directory. The runner releases
    // the watchdog (an IPC "done") as its last act and exits without waiting for it: the watchdog
    // can still be on its way out for a moment when the runner is gone (seen in a full-suite run).
    // Not "left running" — so a few seconds for it to end by itself, then the same check.
    await waitUntil(() => processesOn(dataDir!).length === 0, 5_000);
    expect(processesOn(dataDir!)).toEqual([]);
  }, 120_000);

  test('SIGKILL of the runner: the services and the embedded PostgreSQL still go away', async () => {
    let killed = false;
    const run = await runDemoEmbedded(['--scenario', 'cascade', '--duration', '60'], {
      onStdout: (all, kill) => {
        if (!killed && /sent +\d+/.test(all)) {
          killed = true;
          kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    expect(run.signal).toBe('SIGKILL');
    const pids = servicePids(run.stdout);
    expect(pids).toHaveLength(6);
    const dataDir = /data in (\S+)\)/.exec(run.stdout)![1];
    // No cleanup code of the runner ran: the services and the watchdog notice the closed IPC channel.
    expect(await waitUntil(() => pids.every((p) => !alive(p)), 15_000)).toBe(true);
    expect(await waitUntil(() => processesOn(dataDir).length === 0 && !existsSync(dataDir), 15_000)).toBe(true);
  }, 120_000);
});
