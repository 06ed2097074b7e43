import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { cascadeDataset, rng, shuffle, toJsonLines, toOtlpDocuments, TraceBuilder } from './trace-generator';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'packages/trace-analyze/dist/cli.js');
let dir: string;

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, '--no-progress', ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/trace-analyze'], { cwd: ROOT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-analyze-cli-'));
  const d = cascadeDataset(21, { durationS: 60 });
  const spans = shuffle(d.spans, rng(2));
  const half = Math.floor(spans.length / 2);
  // One trace spread over two files in two formats: regrouping must put it back together.
  fs.writeFileSync(path.join(dir, 'a.jsonl'), toJsonLines(spans.slice(0, half), { batch: 300 }));
  fs.mkdirSync(path.join(dir, 'more'));
  fs.writeFileSync(path.join(dir, 'more/b.jsonl.gz'), zlib.gzipSync(toJsonLines(spans.slice(half), { batch: 300, ids: 'base64', kinds: 'enum' })));
  fs.writeFileSync(path.join(dir, 'all.jsonl'), toJsonLines(spans, { batch: 500 }));
  // Everything in one multi-megabyte line, no trailing newline: lines longer than a read chunk.
  fs.writeFileSync(path.join(dir, 'oneline.ndjson'), toJsonLines(spans, { batch: 1e9 }).trimEnd());
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('trace-analyze CLI', () => {
  it('prints a text report with percentiles, components and findings', () => {
    const r = run(['all.jsonl']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/edge GET \/account\/dashboard/);
    expect(r.stdout).toMatch(/p50 .* p95 .* p99/);
    expect(r.stdout).toMatch(/checkout-api: postgresql pool wait\s+pool_wait/);
    expect(r.stdout).toMatch(/• Cascade: .*credit-scoring/);
    expect(r.stderr).toBe('');
  });

  it('emits the documented JSON schema, components sorted by share', () => {
    const r = run(['all.jsonl', '--format', 'json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep).toMatchObject({ schema_version: 1, traces: expect.any(Number), spans: expect.any(Number) });
    for (const ep of rep.endpoints) {
      for (const k of ['name', 'count', 'p50_ms', 'p95_ms', 'p99_ms', 'slow_threshold_ms', 'slow_count']) expect(ep).toHaveProperty(k);
      for (const c of ep.components) for (const k of ['component', 'service', 'kind', 'share', 'excess_share', 'mean_ms']) expect(c).toHaveProperty(k);
      const shares = ep.components.map((c: { share: number }) => c.share);
      expect(shares).toEqual([...shares].sort((a, b) => b - a));
    }
    for (const f of rep.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['type', 'summary']));
  });

  it('regroups traces across files, directories, globs, gzip and stdin identically', () => {
    const one = JSON.parse(run(['all.jsonl', '--format', 'json']).stdout);
    const split = JSON.parse(run(['a.jsonl', 'more', '--format', 'json']).stdout);
    const glob = JSON.parse(run(['*.jsonl', 'more/**/*.gz', '--format', 'json', '--endpoint', 'dashboard']).stdout);
    const stdin = JSON.parse(run(['-', '--format', 'json'], fs.readFileSync(path.join(dir, 'all.jsonl'), 'utf8')).stdout);
    const key = (rep: { traces: number; spans: number; endpoints: Array<{ name: string; count: number; p99_ms: number }> }) =>
      [rep.traces, rep.endpoints.map((e) => [e.name, e.count, e.p99_ms.toFixed(3)])];
    expect(key(split)).toEqual(key(one));
    expect(key(stdin)).toEqual(key(one));
    expect(fs.statSync(path.join(dir, 'oneline.ndjson')).size).toBeGreaterThan(3 << 20);
    expect(key(JSON.parse(run(['oneline.ndjson', '--format', 'json']).stdout))).toEqual(key(one));
    expect(split.spans).toBe(one.spans);
    // all.jsonl + a.jsonl + b: duplicates are detected, not double counted.
    expect(glob.endpoints.map((e: { name: string }) => e.name)).toEqual(['edge GET /account/dashboard']);
    expect(glob.endpoints[0].count).toBe(one.endpoints.find((e: { name: string }) => e.name === 'edge GET /account/dashboard').count);
    expect(glob.input.duplicate_spans).toBe(one.spans);
    expect(glob.spans).toBe(one.spans);
  });

  it('reads a pretty-printed document and an array of documents', () => {
    const b = new TraceBuilder(rng(3));
    const root = b.span({ service: 'api', name: 'GET /x', kind: 'server', start: Date.UTC(2026, 0, 1), dur: 10 });
    b.span({ service: 'api', name: 'work', start: Date.UTC(2026, 0, 1) + 1, dur: 5, parent: root });
    fs.writeFileSync(path.join(dir, 'pretty.json'), JSON.stringify(toOtlpDocuments(b.spans)[0], null, 2));
    fs.writeFileSync(path.join(dir, 'array.json'), JSON.stringify(toOtlpDocuments(b.spans, { batch: 1 }), null, 1));
    for (const f of ['pretty.json', 'array.json']) {
      const rep = JSON.parse(run([f, '--format', 'json']).stdout);
      expect(rep.endpoints[0]).toMatchObject({ name: 'api GET /x', count: 1, max_ms: 10 });
      expect(rep.input.issue_count).toBe(0);
    }
  });

  it('reports bad input with file and line, analyses the rest, and --strict fails', () => {
    const good = toJsonLines(new TraceBuilder(rng(4)).spans.concat((() => {
      const b = new TraceBuilder(rng(5));
      b.span({ service: 'api', name: 'GET /ok', kind: 'server', start: Date.UTC(2026, 0, 1), dur: 12 });
      return b.spans;
    })()));
    fs.writeFileSync(path.join(dir, 'good.jsonl'), good);
    fs.writeFileSync(path.join(dir, 'empty.jsonl'), '');
    const lines = good.trim().split('\n');
    fs.writeFileSync(path.join(dir, 'broken.jsonl'), `${lines[0]}\n{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 7}]}]}]}\n[1,2\n${lines[0].slice(0, 40)}`);
    const r = run(['good.jsonl', 'empty.jsonl', 'broken.jsonl', 'missing.jsonl', '--format', 'json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.endpoints.map((e: { name: string }) => e.name)).toEqual(['api GET /ok']);
    const msgs = rep.input.issues.map((i: { source: string; line?: number; message: string }) => `${i.source}:${i.line ?? ''}: ${i.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^missing\.jsonl:: no such file/),
      expect.stringMatching(/^empty\.jsonl:: empty input/),
      expect.stringMatching(/^broken\.jsonl:2: span skipped .*invalid traceId 7/),
      expect.stringMatching(/^broken\.jsonl:3: invalid JSON/),
      expect.stringMatching(/^broken\.jsonl:4: invalid JSON .*/),
    ]));
    expect(r.stderr).toMatch(/input problem\(s\) skipped/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack traces
    expect(run(['good.jsonl', 'broken.jsonl', '--strict']).code).toBe(2);
  });

  it('fails clearly when nothing can be analysed or flags are wrong', () => {
    fs.writeFileSync(path.join(dir, 'garbage.jsonl'), 'hello\nworld\n');
    for (const args of [['garbage.jsonl'], ['nope.jsonl'], ['all.jsonl', '--slow', 'p100'], ['all.jsonl', '--format', 'xml'], ['all.jsonl', '--bogus'], ['all.jsonl', '--top', 'x']]) {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^trace-analyze: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(run(['--help']).stdout).toMatch(/--budget FILE/);
  });

  it('checks budgets: exit 1 with a clear message when exceeded, 0 when met', () => {
    fs.writeFileSync(path.join(dir, 'tight.json'), JSON.stringify({ endpoints: { 'edge GET /account/dashboard': { p95_ms: 50, components: { 'kind:pool_wait': { max_share: 0.1 } } }, 'edge *': { error_rate: 0.5 } } }));
    fs.writeFileSync(path.join(dir, 'loose.json'), JSON.stringify({ endpoints: { '*': { p99_ms: 600000 }, 'no such endpoint': { p50_ms: 1 } } }));
    fs.writeFileSync(path.join(dir, 'invalid.json'), JSON.stringify({ endpoints: { x: { p95: 3 } } }));
    const tight = run(['all.jsonl', '--budget', 'tight.json']);
    expect(tight.code).toBe(1);
    expect(tight.stderr).toMatch(/2 budget violation\(s\)/);
    expect(tight.stderr).toMatch(/edge GET \/account\/dashboard: p95 .* exceeds budget 50\.0 ms/);
    expect(tight.stderr).toMatch(/"kind:pool_wait" takes .* budget 10\.0%/);
    expect(tight.stdout).toMatch(/Budget exceeded/);
    const loose = run(['all.jsonl', '--budget', 'loose.json']);
    expect(loose.code).toBe(0);
    expect(loose.stderr).toMatch(/"no such endpoint" matched no endpoint/);
    const bad = run(['all.jsonl', '--budget', 'invalid.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown key "p95"/);
  });

  it('writes the report to a file and an HTML report', () => {
    const r = run(['all.jsonl', '-o', 'out.txt', '--html', 'report.html']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toMatch(/Findings/);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
  });
});
