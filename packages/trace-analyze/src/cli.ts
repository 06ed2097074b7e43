#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { AnalysisSession, type AnalyzeOptions } from './analyze';
import { checkBudget, loadBudget } from './budget';
import { FetchError } from './http-json';
import { fetchJaeger } from './jaeger-client';
import { renderHtml } from './report-html';
import { renderText } from './report-text';
import { parseDurationMs, parseSlowRule } from './slow-rule';
import { fetchTempo } from './tempo-client';
import { Progress } from './progress';

/** Exit codes: 0 ok · 1 budget exceeded · 2 usage error, unreachable backend, or nothing analysable. */
const USAGE = `Usage: trace-analyze [options] [files|dirs|globs|-]

Where the time goes in slow requests: critical path per trace, component shares, cascades.

Inputs (any mix; spans of one trace may be spread over many files):
  files, directories, globs        OTLP JSON lines, OTLP JSON documents, Jaeger JSON (.gz ok)
  -                                read stdin (also used when no input is given and stdin is a pipe)
  --jaeger URL                     Jaeger query service (needs --service)
  --jaeger-api v1|v3               /api/traces (default) or /api/v3/traces
  --service NAME, --operation NAME Jaeger search filters
  --min-duration D, --max-duration D   Jaeger duration filters (e.g. 2s)
  --tempo URL                      Tempo (search, then each trace by id, in parallel)
  --query TRACEQL                  Tempo search, e.g. '{ trace:duration > 2s }' (default '{}')
  --lookback D                     how far back to search (default 1h)
  --limit N                        max traces per search (default 100)
  --concurrency N                  parallel Tempo fetches (default 8)
  --header 'Name: value'           extra HTTP header (repeatable), e.g. auth or X-Scope-OrgID
  --timeout D                      per-request timeout (default 30s)

Analysis:
  --slow RULE                      slow set per endpoint: p95 (default), p99, 2000ms, 2s
  --skew-tolerance D               sibling overlap treated as clock skew (default 2ms)
  --window D                       time window of the cascade analysis (default: range/30)
  --endpoint TEXT                  only endpoints whose name contains TEXT
  --min-count N                    hide endpoints with fewer traces (default 1)

Output:
  --format text|json               report on stdout (default text)
  -o, --output FILE                write the report to FILE instead of stdout
  --html FILE                      also write a self-contained HTML report
  --budget FILE                    check latency/share budgets; exit 1 when exceeded
  --top N                          components per endpoint in the text report (default 8)
  --strict                         exit 2 when any input problem was found
  --progress / --no-progress       progress on stderr (default: when stderr is a terminal)
  --no-color                       plain text even on a terminal
  -h, --help, --version
`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        output: { type: 'string', short: 'o' },
        html: { type: 'string' },
        budget: { type: 'string' },
        slow: { type: 'string', default: 'p95' },
        'skew-tolerance': { type: 'string', default: '2ms' },
        window: { type: 'string' },
        endpoint: { type: 'string' },
        'min-count': { type: 'string', default: '1' },
        top: { type: 'string', default: '8' },
        jaeger: { type: 'string' },
        'jaeger-api': { type: 'string', default: 'v1' },
        service: { type: 'string' },
        operation: { type: 'string' },
        'min-duration': { type: 'string' },
        'max-duration': { type: 'string' },
        tempo: { type: 'string' },
        query: { type: 'string' },
        lookback: { type: 'string', default: '1h' },
        limit: { type: 'string', default: '100' },
        concurrency: { type: 'string', default: '8' },
        header: { type: 'string', multiple: true },
        timeout: { type: 'string', default: '30s' },
        strict: { type: 'boolean', default: false },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (v.version) {
    process.stdout.write(`${(require('../package.json') as { version: string }).version}\n`);
    return 0;
  }
  if (v.format !== 'text' && v.format !== 'json') return usage(`--format must be text or json, not "${v.format}"`);
  if (v['jaeger-api'] !== 'v1' && v['jaeger-api'] !== 'v3') return usage(`--jaeger-api must be v1 or v3`);
  const num = (name: string, s: string, min: number): number | string => {
    const n = Number(s);
    return Number.isInteger(n) && n >= min ? n : `--${name} must be an integer >= ${min}, not "${s}"`;
  };
  const dur = (name: string, s: string): number | string => parseDurationMs(s) ?? `--${name} must be a duration like 500ms, 2s, 1h; not "${s}"`;
  const parsed = {
    minCount: num('min-count', v['min-count']!, 1), top: num('top', v.top!, 1), limit: num('limit', v.limit!, 1),
    concurrency: num('concurrency', v.concurrency!, 1), skew: dur('skew-tolerance', v['skew-tolerance']!),
    lookback: dur('lookback', v.lookback!), timeout: dur('timeout', v.timeout!), window: v.window ? dur('window', v.window) : undefined,
  };
  for (const p of Object.values(parsed)) if (typeof p === 'string') return usage(p);
  const n = parsed as { [K in keyof typeof parsed]: Exclude<(typeof parsed)[K], string> };
  try {
    parseSlowRule(v.slow!);
  } catch (e) {
    return usage((e as Error).message);
  }
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) return usage(`--header must look like 'Name: value', not "${h}"`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  let budget;
  if (v.budget) {
    try {
      budget = loadBudget(v.budget);
    } catch (e) {
      return usage((e as Error).message);
    }
  }

  const inputs = args.positionals.slice();
  if (inputs.length === 0 && !v.jaeger && !v.tempo) {
    if (process.stdin.isTTY) return usage('no input: give files, directories, globs, - (stdin), --jaeger or --tempo');
    inputs.push('-');
  }

  const showProgress = v['no-progress'] ? false : v.progress ?? Boolean(process.stderr.isTTY);
  const progress = new Progress(showProgress);
  // Reader threads (identical results either way): TRACE_ANALYZE_WORKERS=0 reads in this thread.
  const envInt = (name: string): number | undefined => {
    const x = process.env[name];
    return x !== undefined && /^\d+$/.test(x) ? Number(x) : undefined;
  };
  const session = new AnalysisSession({ workers: envInt('TRACE_ANALYZE_WORKERS'), chunkBytes: envInt('TRACE_ANALYZE_CHUNK_BYTES') || undefined });
  try {
    if (inputs.length > 0) {
      await session.readInputs(inputs, (bytes) => progress.bytes(bytes, session.store.spanCount));
    }
    const http = { headers, timeoutMs: n.timeout };
    if (v.jaeger) {
      progress.note('querying Jaeger…');
      await fetchJaeger({
        url: v.jaeger, api: v['jaeger-api'] as 'v1' | 'v3', service: v.service ?? '', operation: v.operation,
        lookbackMs: n.lookback, minDuration: v['min-duration'], maxDuration: v['max-duration'], limit: n.limit, ...http,
      }, session);
    }
    if (v.tempo) {
      progress.note('searching Tempo…');
      await fetchTempo({
        url: v.tempo, query: v.query, lookbackMs: n.lookback, limit: n.limit, concurrency: n.concurrency, ...http,
        onTrace: (done, total) => progress.note(`fetched ${done}/${total} traces from Tempo`),
      }, session);
    }
  } catch (e) {
    progress.done();
    if (e instanceof FetchError) return fail(e.message);
    throw e;
  }
  progress.note(`analysing ${session.store.traceCount.toLocaleString('en-US')} traces…`);
  const opts: AnalyzeOptions = { slow: v.slow, skewToleranceMs: n.skew, windowMs: n.window, endpoint: v.endpoint, minCount: n.minCount };
  const report = session.finish(opts);
  progress.done();

  let code = 0;
  if (budget) {
    const { violations, unmatched } = checkBudget(report, budget);
    for (const u of unmatched) process.stderr.write(`trace-analyze: budget entry "${u}" matched no endpoint\n`);
    for (const x of violations) report.findings.unshift({ type: 'budget', endpoint: x.endpoint, summary: `Budget exceeded: ${x.message}`, check: x.check, actual: x.actual, limit: x.limit });
    if (violations.length > 0) {
      process.stderr.write(`trace-analyze: ${violations.length} budget violation(s):\n${violations.map((x) => `  ${x.message}`).join('\n')}\n`);
      code = 1;
    }
  }
  const useColor = !v['no-color'] && (v.color ?? (!v.output && Boolean(process.stdout.isTTY)));
  const out = v.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderText(report, { top: n.top, color: useColor });
  if (v.output) fs.writeFileSync(v.output, out);
  else await write(out);
  if (v.html) fs.writeFileSync(v.html, renderHtml(report));

  if (report.input.issue_count > 0) {
    const first = report.input.issues.slice(0, 5).map((i) => `  ${i.source}${i.line ? `:${i.line}` : ''}: ${i.message}`).join('\n');
    process.stderr.write(`trace-analyze: ${report.input.issue_count} input problem(s) skipped:\n${first}${report.input.issue_count > 5 ? '\n  …' : ''}\n`);
  }
  if (report.traces === 0) return fail('no complete trace found in the input');
  if (v.strict && report.input.issue_count > 0 && code === 0) return 2;
  return code;
}

function usage(msg: string): number {
  process.stderr.write(`trace-analyze: ${msg}\nRun trace-analyze --help for usage.\n`);
  return 2;
}

function fail(msg: string): number {
  process.stderr.write(`trace-analyze: ${msg}\n`);
  return 2;
}

function write(s: string): Promise<void> {
  return new Promise((resolve) => {
    // EPIPE (e.g. piped into `head`) is not an error worth a stack trace.
    process.stdout.once('error', () => resolve());
    process.stdout.write(s, () => resolve());
  });
}

/**
 * Large inputs: every span survives until analysis, so the young generation's default size makes
 * V8 copy them over and over (scavenges were ~30% of the run at 1M spans). A 64 MB semi-space halves
 * that, but V8 only reads the flag at startup: re-run ourselves with it, once, for big file inputs.
 */
function relaunchForLargeInput(argv: string[]): number | undefined {
  if (process.env.TRACE_ANALYZE_NO_RELAUNCH || process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) return undefined;
  let total = 0;
  for (const a of argv) {
    if (a.startsWith('-')) continue;
    try {
      const st = fs.statSync(a);
      if (st.isFile()) total += st.size;
    } catch {
      /* globs, directories, options' values: not worth resolving here */
    }
  }
  if (total < 128 * 1048576) return undefined;
  const r = spawnSync(process.execPath, [...process.execArgv, '--max-semi-space-size=64', __filename, ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}

const relaunched = relaunchForLargeInput(process.argv.slice(2));
if (relaunched !== undefined) process.exitCode = relaunched;
else main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`trace-analyze: internal error: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 70;
  },
);
