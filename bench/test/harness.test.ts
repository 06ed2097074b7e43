// Smoke test of the benchmark harness: it must run end to end and produce its results files.
// The numbers of a quick run mean nothing and are not asserted (CI does not gate on timings);
// what is asserted is behaviour: the sink counts spans exactly, targets are evaluated correctly,
// every setup that ran produced figures, and no span was lost at a modest rate.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const BENCH = path.join(__dirname, '..');
const ROOT = path.join(BENCH, '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { countProtobufSpans, countJsonSpans } = require('../lib/otlp-sink');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { targets } = require('../lib/report');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { otherBenchmarks, mergeInto } = require('../run');

function fakeSpans(n: number) {
  // Serialize real ReadableSpans with the serializer our exporter uses.
  const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
  const { InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('t');
  for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`, { attributes: { i, k: 'v'.repeat(i) } }).end();
  return exporter.getFinishedSpans();
}

describe('OTLP sink span counting', () => {
  const req = require('module').createRequire(path.join(ROOT, 'packages', 'trace-sdk', 'package.json'));
  const { ProtobufTraceSerializer, JsonTraceSerializer } = req('@opentelemetry/otlp-transformer');

  it.each([0, 1, 7, 300])('counts %i spans in a protobuf request', (n) => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(fakeSpans(n)));
    expect(countProtobufSpans(body)).toBe(n);
  });

  it('counts spans in concatenated protobuf requests (repeated fields merge)', () => {
    const a = Buffer.from(ProtobufTraceSerializer.serializeRequest(fakeSpans(3)));
    const b = Buffer.from(ProtobufTraceSerializer.serializeRequest(fakeSpans(4)));
    expect(countProtobufSpans(Buffer.concat([a, b]))).toBe(7);
  });

  it('counts spans in a JSON request', () => {
    const body = Buffer.from(JsonTraceSerializer.serializeRequest(fakeSpans(5)));
    expect(countJsonSpans(body)).toBe(5);
  });
});

describe('targets', () => {
  const s = (median: number) => ({ median, min: median, max: median, spread: 0, n: 1 });
  const results = {
    startup: { variants: { bare: { cpuS: s(0.05), peakRssMiB: s(40) }, ours: { cpuS: s(0.12), peakRssMiB: s(50) } } },
    request: {
      totalRequestsPerServer: 60000,
      variants: {
        bare: { serverCpuUsPerRequest: s(14), rssAfterMiB: s(55) },
        'upstream-lean': { serverCpuUsPerRequest: s(44), rssAfterMiB: s(96) },
        ours: { serverCpuUsPerRequest: s(28), rssAfterMiB: s(70) },
      },
    },
  };

  it('judges the in-process figures against the lean upstream setup too', () => {
    const inproc = {
      variants: {
        bare: { usPerRequest: s(6) },
        'upstream-lean': { usPerRequest: s(30) },
        ours: { usPerRequest: s(18.5) },
      },
    };
    const row = targets({ inproc }).find((x: { target: string }) => x.target.includes('in-process'));
    expect(row.met).toBe(false); // 12.5 µs > 24 / 2
    expect(targets({ inproc: { variants: { ...inproc.variants, ours: { usPerRequest: s(18) } } } }).find((x: { target: string }) => x.target.includes('in-process')).met).toBe(true);
  });

  it('compares ours with bare and the lean upstream setup', () => {
    const t = Object.fromEntries(targets(results).map((x: { target: string; met: boolean }) => [x.target.split(' ')[0] + x.target.split(' ')[1] + (x.target.includes('in-process') ? ' in-process' : ''), x.met]));
    expect(t['startupCPU']).toBe(false); // +0.07 s
    expect(t['startuppeak']).toBe(true); // +10 MiB
    expect(t['addedCPU/request']).toBe(true); // 14 µs ≤ 30 / 2
    expect(t['RSSafter']).toBe(true); // +15 MiB ≈ 15.7 MB
  });
});

describe('BENCH_MERGE', () => {
  it('keeps the parts a run did not redo and replaces re-run package benchmarks one by one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-merge-'));
    try {
      const file = path.join(dir, 'latest.json');
      const previous = {
        startedAt: 'then',
        keptFrom: { startup: 'long ago' },
        startup: { old: 1 },
        inproc: { old: 2 },
        others: [{ file: 'bench/a.bench.js', v: 'old a' }, { file: 'bench/b.bench.js', v: 'old b' }],
      };
      fs.writeFileSync(file, JSON.stringify(previous));
      const results: Record<string, unknown> = { startedAt: 'now', request: { fresh: 1 }, others: [{ file: 'bench/b.bench.js', v: 'new b' }, { file: 'bench/c.bench.js', v: 'new c' }] };
      mergeInto(results, file);
      expect(results).toEqual({
        startedAt: 'now',
        keptFrom: { startup: 'long ago', inproc: 'then', others: 'then' },
        startup: { old: 1 },
        inproc: { old: 2 },
        request: { fresh: 1 },
        others: [{ file: 'bench/a.bench.js', v: 'old a' }, { file: 'bench/b.bench.js', v: 'new b' }, { file: 'bench/c.bench.js', v: 'new c' }],
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('package benchmarks', () => {
  it('runs every other bench/*.bench.js and the analyzer benchmark, not its own', () => {
    const found: string[] = otherBenchmarks();
    expect(found).toEqual(expect.arrayContaining(['propagator.bench.js', 'analyze.bench.js']));
    for (const own of ['startup.bench.js', 'request.bench.js', 'exporter.bench.js', 'run.js']) expect(found).not.toContain(own);
  });
});

describe('npm run bench (quick smoke run, our setup only)', () => {
  it('writes latest.json and a markdown table', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
    try {
      const r = spawnSync(process.execPath, [path.join(BENCH, 'run.js')], {
        cwd: ROOT,
        env: { ...process.env, BENCH_QUICK: '1', BENCH_UPSTREAM: '0', BENCH_ONLY: 'startup,request,inproc,exporter', BENCH_OUT: out },
        encoding: 'utf8',
        timeout: 120000,
      });
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.status).toBe(0);
      const latest = JSON.parse(fs.readFileSync(path.join(out, 'latest.json'), 'utf8'));
      for (const id of ['bare', 'ours']) {
        expect(latest.startup.variants[id].cpuS.median).toBeGreaterThan(0);
        expect(latest.startup.variants[id].peakRssMiB.median).toBeGreaterThan(0);
        expect(latest.request.variants[id].rssAfterMiB.median).toBeGreaterThan(0);
        expect(latest.inproc.variants[id].usPerRequest.median).toBeGreaterThan(0);
      }
      expect(latest.inproc.variants['ours-noexport'].usPerRequest.median).toBeGreaterThan(0);
      // The traced server really exported (quick runs are below one batch: flushed on timer or not
      // at all before the kill, so only the exporter run's count is exact).
      expect(latest.exporter.variants.ours.generated).toBeGreaterThan(0);
      expect(latest.exporter.variants.ours.lost).toBe(0);
      const md = fs.readFileSync(path.join(out, 'latest.md'), 'utf8');
      expect(md).toContain('| startup CPU s (`-e 0`) |');
      expect(md).toContain('| target (issue 8) |');
      expect(md).toContain('| in-process driver,');
      expect(r.stdout).toBe(md);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
