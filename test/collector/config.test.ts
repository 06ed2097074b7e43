// The bundled otel-collector.yaml against the REAL collector built from tools/collector/manifest.yaml:
// `validate` accepts it (and rejects broken variants, so the check can fail), the binary contains
// exactly the components the config uses, and the pipeline shape encodes the design rules
// (memory_limiter first, redaction before anything leaves, span metrics before sampling).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BUILD_TIMEOUT_MS, collectorBinary, COLLECTOR_CONFIG, REPO_ROOT } from './collector-binary';

type Pipeline = { receivers: string[]; processors?: string[]; exporters: string[] };
type Config = {
  receivers: Record<string, any>;
  processors: Record<string, any>;
  exporters: Record<string, any>;
  connectors: Record<string, any>;
  extensions: Record<string, any>;
  service: { extensions: string[]; pipelines: Record<string, Pipeline>; telemetry: any };
};

const rawConfig = readFileSync(COLLECTOR_CONFIG, 'utf8');
const config = parse(rawConfig) as Config;
const pipelines = Object.entries(config.service.pipelines);
const typeOf = (id: string) => id.split('/')[0];

/** Environment without any ORG_TRACE_/OTEL_ variable of the developer's shell: defaults only. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORG_TRACE_') && !k.startsWith('OTEL_')) env[k] = v;
  return env;
}

let bin: string;
let tmp: string;

beforeAll(() => {
  bin = collectorBinary();
  tmp = mkdtempSync(join(tmpdir(), 'org-trace-colcfg-'));
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function validate(path: string, env: NodeJS.ProcessEnv = cleanEnv()) {
  return spawnSync(bin, ['validate', '--config', path], { env, encoding: 'utf8', timeout: 30000 });
}

describe('otelcol validate', () => {
  test('accepts the bundled config with every default', () => {
    const res = validate(COLLECTOR_CONFIG);
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.status).toBe(0);
  });

  test('accepts it with every listener and threshold overridden through ORG_TRACE_* variables', () => {
    const res = validate(COLLECTOR_CONFIG, {
      ...cleanEnv(),
      ORG_TRACE_OTLP_HTTP_ENDPOINT: '127.0.0.1:14318',
      ORG_TRACE_BACKEND_ENDPOINT: 'https://tempo.example:4318',
      ORG_TRACE_SAMPLING_SLOW_TRACE_MS: '2500',
      ORG_TRACE_SAMPLING_SLOW_DEPENDENCY_MS: '100',
      ORG_TRACE_SAMPLING_BASELINE_PERCENT: '0.5',
      ORG_TRACE_SAMPLING_DECISION_WAIT: '30s',
      ORG_TRACE_COLLECTOR_TELEMETRY_PORT: '9999',
    });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.status).toBe(0);
  });

  // The checks above are only worth something if validate really rejects bad configs.
  test.each([
    ['an unknown key', (s: string) => s.replace('    decision_wait:', '    decision_wiat:')],
    ['a component the build does not contain', (s: string) => s.replace('exporters: [otlp_http/backend]', 'exporters: [zipkin]')],
    ['a connector used on one side only', (s: string) => s.replace('      exporters: [forward/metrics, forward/sample]', '      exporters: [forward/sample]')],
    ['a retry ceiling below the retry interval', (s: string) => s.replace('${env:ORG_TRACE_BACKEND_RETRY_MAX_ELAPSED:-5m}', '1s')],
  ])('rejects a config with %s', (_what, mutate) => {
    const mutated = mutate(rawConfig);
    expect(mutated).not.toBe(rawConfig);
    const path = join(tmp, 'mutated.yaml');
    writeFileSync(path, mutated);
    expect(validate(path).status).not.toBe(0);
  });

  // Values from the environment are type-checked like literal ones.
  test.each([
    ['ORG_TRACE_SAMPLING_SLOW_TRACE_MS', 'one second'],
    ['ORG_TRACE_SAMPLING_DECISION_WAIT', '10 seconds'],
    ['ORG_TRACE_BATCH_SIZE', 'many'],
  ])('rejects %s=%j', (name, value) => {
    expect(validate(COLLECTOR_CONFIG, { ...cleanEnv(), [name]: value }).status).not.toBe(0);
  });
});

describe('the built collector', () => {
  test('contains exactly the components the config uses — no more, no fewer', () => {
    const components = parse(execFileSync(bin, ['components'], { encoding: 'utf8' })) as Record<string, { name: string }[]>;
    const built = (kind: string) => (components[kind] ?? []).map((c) => c.name).sort();
    const used = (section: Record<string, unknown>) => [...new Set(Object.keys(section).map(typeOf))].sort();
    expect(built('receivers')).toEqual(used(config.receivers));
    expect(built('processors')).toEqual(used(config.processors));
    expect(built('exporters')).toEqual(used(config.exporters));
    expect(built('connectors')).toEqual(used(config.connectors));
    expect(built('extensions')).toEqual(used(config.extensions));
  });

  test('uses the post-rename spellings, which the built version knows natively', () => {
    // The deprecated aliases (otlphttp, spanmetrics) also work but log a warning at every start.
    expect(Object.keys(config.exporters)).toContain('otlp_http/backend');
    expect(Object.keys(config.connectors)).toContain('span_metrics');
    expect(Object.keys(config.processors)).toContain('tail_sampling');
    const manifest = readFileSync(join(REPO_ROOT, 'tools', 'collector', 'manifest.yaml'), 'utf8');
    expect(manifest).toMatch(/^  version: 0\.161\.0$/m);
  });
});

describe('pipeline design', () => {
  const receiving = (id: string) => pipelines.filter(([, p]) => p.receivers.includes(id));

  test('every pipeline that takes OTLP from outside starts with memory_limiter', () => {
    const fromOutside = receiving('otlp');
    expect(fromOutside.length).toBeGreaterThan(0);
    for (const [, p] of fromOutside) expect(p.processors?.[0]).toBe('memory_limiter');
  });

  /** The pipelines a pipeline's spans flow through downstream (via connectors), itself included. */
  function downstream(name: string, seen = new Set<string>()): Set<string> {
    if (seen.has(name)) return seen;
    seen.add(name);
    for (const e of config.service.pipelines[name].exporters) {
      if (!(e in config.connectors) && !(typeOf(e) in config.connectors)) continue;
      for (const [n, p] of pipelines) if (p.receivers.includes(e)) downstream(n, seen);
    }
    return seen;
  }
  const ingestName = () => receiving('otlp').filter(([n]) => n.startsWith('traces'))[0][0];

  test('secrets are removed in the ingest pipeline, before spans reach span metrics or the sampler', () => {
    const ingest = config.service.pipelines[ingestName()];
    expect(ingest.processors).toEqual(['memory_limiter', 'transform/strip_url_query', 'redaction']);
    // Everything downstream of the otlp receiver goes through that pipeline first.
    expect(receiving('otlp').filter(([n]) => n.startsWith('traces'))).toHaveLength(1);
  });

  test('span metrics are computed before sampling, from every span', () => {
    const reach = [...downstream(ingestName())].map((n) => [n, config.service.pipelines[n]] as const);
    const sampling = reach.filter(([, p]) => p.processors?.includes('tail_sampling'));
    expect(sampling).toHaveLength(1);
    const [samplerName, sampler] = sampling[0];
    expect(sampler.processors).toEqual(['tail_sampling', 'batch']);
    // The branch that feeds span_metrics does not pass through the sampler…
    const metricsBranch = reach.filter(([, p]) => p.exporters.includes('span_metrics'));
    expect(metricsBranch).toHaveLength(1);
    expect(metricsBranch[0][1].processors ?? []).not.toContain('tail_sampling');
    // …nor is it downstream of it.
    expect(downstream(samplerName).has(metricsBranch[0][0])).toBe(false);
  });

  test('metric dimensions are sanitised on the metrics branch only (Host header is client input)', () => {
    const metricsBranch = pipelines.find(([, p]) => p.exporters.includes('span_metrics'))![1];
    expect(metricsBranch.processors).toContain('transform/metric_dimensions');
    const sampler = pipelines.find(([, p]) => p.processors?.includes('tail_sampling'))![1];
    expect(sampler.processors).not.toContain('transform/metric_dimensions');
  });

  test('span metrics reach the Prometheus exporter; traces reach one OTLP backend', () => {
    expect(pipelines.some(([, p]) => p.receivers.includes('span_metrics') && p.exporters.includes('prometheus'))).toBe(true);
    expect(config.exporters['otlp_http/backend'].endpoint).toBe('${env:ORG_TRACE_BACKEND_ENDPOINT:-http://jaeger:4318}');
  });

  test('the sampling policies: errors, slow traces, slow dependencies, a flag and a baseline', () => {
    const policies = config.processors.tail_sampling.policies as any[];
    const byType = (t: string) => policies.filter((p) => p.type === t);
    expect(byType('status_code')[0].status_code.status_codes).toEqual(['ERROR']);
    expect(String(byType('latency')[0].latency.threshold_ms)).toContain('ORG_TRACE_SAMPLING_SLOW_TRACE_MS');
    const dep = byType('ottl_condition')[0].ottl_condition.span.join(' ');
    expect(dep).toContain('SPAN_KIND_CLIENT');
    expect(dep).toContain('ORG_TRACE_SAMPLING_SLOW_DEPENDENCY_MS');
    expect(String(byType('probabilistic')[0].probabilistic.sampling_percentage)).toContain('ORG_TRACE_SAMPLING_BASELINE_PERCENT');
  });

  test('span metrics: milliseconds, low-cardinality dimensions only', () => {
    const sm = config.connectors.span_metrics;
    expect(sm.histogram.unit).toBe('ms');
    const dims = (sm.dimensions as { name: string }[]).map((d) => d.name);
    expect(dims).toContain('http.route');
    for (const highCardinality of ['url.full', 'http.url', 'http.target', 'url.path', 'db.query.text', 'db.statement', 'user.id']) {
      expect(dims).not.toContain(highCardinality);
    }
  });

  test('every ${...} is an env: reference with an ORG_TRACE_ name and a default', () => {
    const refs = rawConfig.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n').match(/\$\{[^}]*\}/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(ref).toMatch(/^\$\{env:ORG_TRACE_[A-Z0-9_]+:-[^}]*\}$/);
  });

  test('every listener is tunable (tests and hosts with port clashes need that)', () => {
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('${env:ORG_TRACE_OTLP_GRPC_ENDPOINT:-0.0.0.0:4317}');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('${env:ORG_TRACE_OTLP_HTTP_ENDPOINT:-0.0.0.0:4318}');
    expect(config.extensions.health_check.endpoint).toMatch(/^\$\{env:ORG_TRACE_/);
    expect(config.exporters.prometheus.endpoint).toMatch(/^\$\{env:ORG_TRACE_/);
    const reader = config.service.telemetry.metrics.readers[0].pull.exporter.prometheus;
    expect(reader.host).toMatch(/^\$\{env:ORG_TRACE_/);
    expect(String(reader.port)).toMatch(/^\$\{env:ORG_TRACE_/);
  });

  test('docs/collector.md documents every ORG_TRACE_ variable of the config', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'collector.md'), 'utf8');
    const names = new Set(rawConfig.match(/ORG_TRACE_[A-Z0-9_]+/g));
    const missing = [...names].filter((n) => !docs.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });
});
