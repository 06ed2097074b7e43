// The fast paths of reading (byte-level OTLP scanner, worker threads over chunks) must change
// nothing but speed: the same corpus, full of variants and broken lines, read every way, must give
// byte-identical reports, issues and line numbers.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnalysisSession } from '../src/analyze';
import { setFastPath } from '../src/otlp-fast-line';
import { cascadeDataset, rng, shuffle, toOtlpDocuments, type EmitOptions } from './trace-generator';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'packages/trace-analyze/dist/cli.js');
let dir: string;
let corpus: string;

/** Generated traffic in every accepted variant, interleaved with lines the fast path must refuse. */
function buildCorpus(): Buffer {
  const d = cascadeDataset(5, { durationS: 30, skew: true });
  const spans = shuffle(d.spans, rng(9));
  const variants: EmitOptions[] = [
    {}, { ids: 'HEX' }, { ids: 'base64' }, { kinds: 'enum' }, { times: 'number' },
    { scopeKey: 'instrumentationLibrarySpans' }, { envelope: 'batches' }, { batch: 1 }, { batch: 7 },
  ];
  const lines: string[] = [];
  const step = Math.ceil(spans.length / variants.length);
  variants.forEach((v, i) => {
    for (const doc of toOtlpDocuments(spans.slice(i * step, (i + 1) * step), { batch: 40, ...v })) lines.push(JSON.stringify(doc));
  });
  const span = (o: Record<string, unknown>) => ({
    traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', parentSpanId: '', name: 'GET /odd', kind: 2,
    startTimeUnixNano: '1764079200000000000', endTimeUnixNano: '1764079200005000000', attributes: [], status: {}, ...o,
  });
  const doc = (spans: object[], resource: object = { attributes: [{ key: 'service.name', value: { stringValue: 'odd' } }] }) =>
    JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 's' }, spans }] }] });
  const odd = [
    '',
    '   \t  ',
    lines[3].slice(0, 500), // truncated
    '{"resourceSpans": 42}',
    '[1,2,3]',
    'not json at all',
    doc([span({ traceId: 42 })]),
    doc([span({ kind: 'SPAN_KIND_BOGUS' })]),
    doc([span({ startTimeUnixNano: '12ab' })]),
    doc([span({ endTimeUnixNano: '1764079199000000000' })]), // ends before it starts
    doc([span({ spanId: 'eee19b7ec3c1b175', name: 'caf\u00e9 \ud83d\ude00 "quoted" \\ back\\slash', status: { code: 'STATUS_CODE_ERROR' } })]),
    doc([span({ spanId: 'EEE19B7EC3C1B176', traceId: '5B8EFFF798038103D269B633813FC60C', kind: 'SPAN_KIND_CLIENT', parentSpanId: 'eee19b7ec3c1b174' })]),
    doc([span({ spanId: 'eee19b7ec3c1b177', parentSpanId: null, kind: null, status: { code: 2 }, attributes: [
      { key: 'customer.tier', value: { stringValue: 'gold' } }, { key: 'n', value: { intValue: '42' } }, { key: 'd', value: { doubleValue: 1.5e300 } },
      { key: 'b', value: { boolValue: true } }, { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'x' }] } } }, { key: 'empty', value: {} },
      { value: { stringValue: 'no key' } }, { key: 'big', value: { intValue: '123456789012345678901234567890' } },
    ] })]),
    // Attribute keys with object semantics: repeated (first place, last value), array indices
    // (ordered first by objects), __proto__ (swallowed), and one overriding the resource's host.name.
    doc([span({ spanId: '5ee19b7ec3c1b174', traceId: '1c8efff798038103d269b633813fc60c', attributes: [
      { key: 'app.x', value: { stringValue: 'a' } }, { key: 'host.name', value: { stringValue: 'span-host' } }, { key: '2', value: { intValue: 2 } },
      { key: 'app.x', value: { stringValue: 'b' } }, { key: '__proto__', value: { stringValue: 'p' } }, { key: '10', value: { boolValue: false } },
    ] }), span({ spanId: '6ee19b7ec3c1b174', traceId: '1c8efff798038103d269b633813fc60c', parentSpanId: '5ee19b7ec3c1b174', kind: 3, attributes: [
      { key: 'db.system', value: { stringValue: 'postgresql' } }, { key: 'db.system', value: { stringValue: 'mysql' } }, { key: 'http.url', value: { stringValue: 'dropped' } },
    ] })], { attributes: [{ key: 'service.name', value: { stringValue: 'attrs' } }, { key: 'host.name', value: { stringValue: 'res-host' } }, { key: 'host.name', value: { stringValue: 'res-host-2' } }] }),
    doc([span({ spanId: '7ee19b7ec3c1b174', traceId: '2c8efff798038103d269b633813fc60c', attributes: [{ key: 'app.y', value: { stringValue: '1' } }, { key: 'app.y', value: { doubleValue: 2.5 } }] })]),
    // Keys in unusual orders: resource after the spans, attributes before kind and parent.
    '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"value":{"stringValue":"/r"},"key":"http.route"}],"traceId":"6b8efff798038103d269b633813fc60c","spanId":"aee19b7ec3c1b174","name":"GET","kind":2,"startTimeUnixNano":"1764079201000000000","endTimeUnixNano":"1764079201005000000"}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}',
    // Whitespace everywhere, escapes in keys and values, a duplicate key, a \r line end.
    ' { "resourceSpans" : [ { "resource" : { "attributes" : [ { "key" : "service.name" , "value" : { "stringValue" : "sp\\u0061ced" } } ] } , "scopeSpans" : [ { "spans" : [ { "trace\\u0049d" : "7b8efff798038103d269b633813fc60c" , "spanId" : "bee19b7ec3c1b174" , "name" : "x\\ty" , "kind" : 1 , "startTimeUnixNano" : "1764079202000000000" , "endTimeUnixNano" : "1764079202000000001" } ] } ] } ] } \r',
    doc([span({ spanId: 'cee19b7ec3c1b174', traceId: '8b8efff798038103d269b633813fc60c', name: 'dup' })]).replace('"name":"dup"', '"name":"dup","name":"dup2"'),
    doc([span({ spanId: 'dee19b7ec3c1b174', traceId: '9b8efff798038103d269b633813fc60c', kind: 1.5 })]),
    doc([span({ spanId: 'fee19b7ec3c1b174', traceId: 'ab8efff798038103d269b633813fc60c', startTimeUnixNano: 1764079200000000000, endTimeUnixNano: 1764079200100000000 })]),
    doc([span({ spanId: '0000000000000000' })]),
    doc([span({ spanId: 'fee19b7ec3c1b175', traceId: 'bb8efff798038103d269b633813fc60c', parentSpanId: '1f' })]),
    doc([], null as unknown as object),
    '{"data":[{"traceID":"cb8efff798038103","spans":[{"traceID":"cb8efff798038103","spanID":"0000000000000abc","operationName":"jaeger op","startTime":1764079200000000,"duration":1500,"processID":"p1","tags":[{"key":"span.kind","value":"server"}]}],"processes":{"p1":{"serviceName":"jaeger-svc"}}}]}',
    '{"resourceSpans":[],"resourceSpans":[]}',
    '{"resourceSpans":[{"scopeSpans":[null,{"spans":null}]}]}',
    '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},"scopeSpans":[{"spans":[{"traceId":"db8efff798038103d269b633813fc60c","spanId":"1ee19b7ec3c1b174","startTimeUnixNano":"1764079200000000000","endTimeUnixNano":"1764079200000000000","extra":{"deep":[[[[{"x":[1e5,-0.5,true,false,null]}]]]]}}]}]}],"extra":"\\u00e9"}',
    '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"eb8efff798038103d269b633813fc60c","spanId":"2ee19b7ec3c1b174","startTimeUnixNano":"1764079200000000000","endTimeUnixNano":"1764079200000000009"}]}]}]} trailing',
    '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"fb8efff798038103d269b633813fc60c","spanId":"3ee19b7ec3c1b174","startTimeUnixNano":"01764079200000000000","endTimeUnixNano":"1764079200000000009"}],}]}]}',
  ];
  // Odd lines spread through the file (never first: the first line decides JSON-lines mode).
  const out: string[] = [lines[0]];
  let k = 0;
  for (let i = 1; i < lines.length; i++) {
    out.push(lines[i]);
    if (i % 3 === 0 && k < odd.length) out.push(odd[k++]);
  }
  while (k < odd.length) out.push(odd[k++]);
  // Invalid UTF-8 inside a string value: JSON.parse sees U+FFFD, so must the fast path.
  const bad = Buffer.from(doc([span({ spanId: '4ee19b7ec3c1b174', traceId: '0c8efff798038103d269b633813fc60c', name: 'bad-XX' })]));
  const at = bad.indexOf('bad-XX') + 4;
  bad[at] = 0xc3;
  bad[at + 1] = 0x28;
  return Buffer.concat([Buffer.from(out.join('\n') + '\n'), bad, Buffer.from('\n\n')]);
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/trace-analyze'], { cwd: ROOT });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-analyze-paths-'));
  corpus = path.join(dir, 'corpus.jsonl');
  fs.writeFileSync(corpus, buildCorpus());
  if (process.env.DUMP_CORPUS) fs.copyFileSync(corpus, process.env.DUMP_CORPUS);
});

afterAll(() => {
  setFastPath(true);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function reportInProcess(fast: boolean): Promise<string> {
  setFastPath(fast);
  try {
    const s = new AnalysisSession({ workers: 0 });
    await s.readInputs([corpus]);
    // Every field of every span (attributes included: few of them reach the report), then the report.
    const spans = [...s.store.traces].map(([id, l]) => `${id}: ${l.map((x) => JSON.stringify(x)).join('\n')}`).join('\n');
    return `${spans}\n=== report ===\n${JSON.stringify(s.finish({}), null, 1)}`;
  } finally {
    setFastPath(true);
  }
}

function cli(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, '--no-progress', '--format', 'json', corpus], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('read paths give identical results', () => {
  it('byte-level fast path = JSON.parse + general reader (spans, times, issues and their lines)', async () => {
    const general = await reportInProcess(false);
    const fast = await reportInProcess(true);
    const rep = JSON.parse(general.split('\n=== report ===\n')[1]);
    expect(general).toContain('"spanId":"7ee19b7ec3c1b174"');
    expect(general).toContain('"attrs":{"app.y":2.5}'); // a repeated key: its last value
    // The corpus really exercises problems and the good traffic still gets analysed.
    expect(rep.traces).toBeGreaterThan(500);
    expect(rep.input.issue_count).toBeGreaterThan(10);
    expect(rep.input.issues.map((i: { message: string }) => i.message).join('\n')).toMatch(/invalid JSON[\s\S]*invalid traceId[\s\S]*ends before it starts/);
    expect(fast).toBe(general);
  });

  it('worker threads over small chunks = single thread, through the CLI', () => {
    const single = cli({ TRACE_ANALYZE_WORKERS: '0' });
    expect(single.code).toBe(0);
    expect(JSON.parse(single.stdout).input.issue_count).toBeGreaterThan(10);
    // Chunk sizes that cut lines everywhere, more chunks than lines in places.
    for (const chunk of ['4096', '777', '65536']) {
      const par = cli({ TRACE_ANALYZE_WORKERS: '2', TRACE_ANALYZE_CHUNK_BYTES: chunk });
      expect(par.code).toBe(0);
      expect(par.stdout).toBe(single.stdout);
      expect(par.stderr).toBe(single.stderr);
    }
    const oneWorker = cli({ TRACE_ANALYZE_WORKERS: '1', TRACE_ANALYZE_CHUNK_BYTES: '10000' });
    expect(oneWorker.stdout).toBe(single.stdout);
  });

  it('several files (one empty, one broken) and the progress line: same with and without threads', () => {
    fs.writeFileSync(path.join(dir, 'empty.jsonl'), '');
    fs.writeFileSync(path.join(dir, 'broken.jsonl'), '{"resourceSpans": [\n');
    const files = [corpus, path.join(dir, 'empty.jsonl'), path.join(dir, 'broken.jsonl'), corpus];
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [CLI, '--progress', '--format', 'json', ...files], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
    const single = run({ TRACE_ANALYZE_WORKERS: '0' });
    const par = run({ TRACE_ANALYZE_WORKERS: '2', TRACE_ANALYZE_CHUNK_BYTES: '5000' });
    expect(par.status).toBe(0);
    expect(par.stdout).toBe(single.stdout);
    const rep = JSON.parse(par.stdout);
    expect(rep.input.issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: files[1], message: 'empty input' }),
      expect.objectContaining({ source: files[2], line: 1 }),
    ]));
    for (const r of [single, par]) {
      expect(r.stderr).toMatch(/reading: [\d.]+ MB, [\d,]+ spans/);
      expect(r.stderr).toMatch(/analysing [\d,]+ traces/);
    }
  });

  it('worker threads hold exactly the spans a single thread holds (every field of every span)', async () => {
    // The compiled package: worker threads run compiled code only.
    const dist = require(path.join(ROOT, 'packages/trace-analyze/dist/index.js')) as typeof import('../src/index');
    const read = async (workers: number) => {
      const s = new dist.AnalysisSession({ workers, chunkBytes: 3000 });
      await s.readInputs([corpus]);
      return { spans: s.store.spanCount, traces: [...s.store.traces].map(([id, l]) => [id, l.map((x) => JSON.stringify(x))]) };
    };
    const single = await read(0);
    expect(single.spans).toBeGreaterThan(4000);
    expect(await read(2)).toEqual(single);
  });

  it('the general reader is what the CLI falls back to, also in worker threads', () => {
    const off = cli({ TRACE_ANALYZE_WORKERS: '2', TRACE_ANALYZE_CHUNK_BYTES: '4096', TRACE_ANALYZE_NO_FAST_PATH: '1' });
    expect(off.stdout).toBe(cli({ TRACE_ANALYZE_WORKERS: '0' }).stdout);
  });
});
