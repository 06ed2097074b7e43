// One test per environment variable the SDK reads (EDOT's habit): the default, a good value, and a
// bad value that must give exactly one warning naming the variable and the default used.
import { readConfig } from '../src/config';

function cfg(env: Record<string, string>) {
  return readConfig(env);
}
function warningsFor(env: Record<string, string>, name: string): string[] {
  return cfg(env).warnings.filter((w) => w.startsWith(name + ':'));
}

describe('readConfig', () => {
  test('defaults with an empty environment', () => {
    const c = cfg({});
    expect(c.disabled).toBe(false);
    expect(c.tracesExporter).toEqual(['otlp']);
    expect(c.otlp.endpoint).toBe('http://localhost:4318/v1/traces');
    expect(c.otlp.protocol).toBe('http/protobuf');
    expect(c.sampler).toBe('parentbased_always_on');
    expect(c.propagators).toEqual(['tracecontext', 'baggage', 'xtraceid']);
    expect(c.instrumentations).toEqual(['http', 'undici', 'pg', 'pino', 'winston']);
    expect(c.resourceDetectors).toEqual(['env', 'host', 'os', 'process']);
    expect(c.shutdownTimeoutMillis).toBe(2000);
    expect(c.warnings).toEqual([]);
  });

  test('empty values count as unset', () => {
    expect(cfg({ OTEL_TRACES_SAMPLER: '  ', OTEL_BSP_MAX_QUEUE_SIZE: '' }).warnings).toEqual([]);
  });

  test('OTEL_SDK_DISABLED', () => {
    expect(cfg({ OTEL_SDK_DISABLED: 'true' }).disabled).toBe(true);
    expect(cfg({ OTEL_SDK_DISABLED: 'FALSE' }).disabled).toBe(false);
    expect(warningsFor({ OTEL_SDK_DISABLED: 'maybe' }, 'OTEL_SDK_DISABLED')).toHaveLength(1);
  });

  test('OTEL_SERVICE_NAME', () => {
    expect(cfg({ OTEL_SERVICE_NAME: 'checkout' }).serviceName).toBe('checkout');
    expect(cfg({}).serviceName).toBeUndefined();
  });

  test('OTEL_RESOURCE_ATTRIBUTES: percent-decoding, malformed entries skipped with one warning', () => {
    const c = cfg({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=pay%20ments,broken,=x,ok=1' });
    expect(c.resourceAttributes).toEqual({ 'deployment.environment.name': 'prod', team: 'pay ments', ok: '1' });
    expect(warningsFor({ OTEL_RESOURCE_ATTRIBUTES: 'broken,=x,bad=%E0%A4%A' }, 'OTEL_RESOURCE_ATTRIBUTES')).toHaveLength(1);
  });

  test('OTEL_TRACES_EXPORTER', () => {
    expect(cfg({ OTEL_TRACES_EXPORTER: 'console' }).tracesExporter).toEqual(['console']);
    expect(cfg({ OTEL_TRACES_EXPORTER: 'file,otlp' }).tracesExporter).toEqual(['file', 'otlp']);
    expect(cfg({ OTEL_TRACES_EXPORTER: 'none' }).tracesExporter).toEqual([]);
    const bad = cfg({ OTEL_TRACES_EXPORTER: 'zipkin' });
    expect(bad.tracesExporter).toEqual(['otlp']);
    expect(bad.warnings).toHaveLength(1);
    expect(bad.warnings[0]).toMatch(/OTEL_TRACES_EXPORTER.*zipkin.*default "otlp"/);
  });

  test('ORG_TRACE_FILE', () => {
    expect(cfg({}).filePath).toBe('./traces.jsonl');
    expect(cfg({ ORG_TRACE_FILE: '/tmp/x.jsonl' }).filePath).toBe('/tmp/x.jsonl');
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT appends /v1/traces; the signal-specific one is used as is', () => {
    expect(cfg({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlp.endpoint).toBe('http://collector:4318/v1/traces');
    expect(cfg({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://x/custom' }).otlp.endpoint).toBe('https://x/custom');
    const bad = cfg({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    expect(bad.otlp.endpoint).toBe('http://localhost:4318/v1/traces');
    expect(bad.warnings.join()).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: invalid value "collector:4318"/);
  });

  test('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', () => {
    expect(warningsFor({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')).toHaveLength(1);
  });

  test('OTEL_EXPORTER_OTLP_HEADERS and _TRACES_HEADERS (signal-specific wins)', () => {
    const c = cfg({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-a=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-a=2' });
    expect(c.otlp.headers).toEqual({ authorization: 'Bearer abc', 'x-a': '2' });
    expect(warningsFor({ OTEL_EXPORTER_OTLP_HEADERS: 'bad header=1' }, 'OTEL_EXPORTER_OTLP_HEADERS')).toHaveLength(1);
  });

  test('OTEL_EXPORTER_OTLP_PROTOCOL', () => {
    expect(cfg({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).otlp.protocol).toBe('http/json');
    expect(cfg({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }).otlp.protocol).toBe('http/protobuf');
    const grpc = cfg({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(grpc.otlp.protocol).toBe('http/protobuf');
    expect(grpc.warnings.join()).toMatch(/grpc.*not bundled/);
    expect(warningsFor({ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }, 'OTEL_EXPORTER_OTLP_PROTOCOL')).toHaveLength(1);
  });

  test('OTEL_EXPORTER_OTLP_TIMEOUT / _TRACES_TIMEOUT', () => {
    expect(cfg({ OTEL_EXPORTER_OTLP_TIMEOUT: '2500' }).otlp.timeoutMillis).toBe(2500);
    expect(cfg({ OTEL_EXPORTER_OTLP_TIMEOUT: '2500', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700' }).otlp.timeoutMillis).toBe(700);
    const bad = cfg({ OTEL_EXPORTER_OTLP_TIMEOUT: '-5' });
    expect(bad.otlp.timeoutMillis).toBe(10000);
    expect(bad.warnings).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_TIMEOUT: invalid value "-5".*default 10000/)]);
  });

  test('OTEL_EXPORTER_OTLP_COMPRESSION / _TRACES_COMPRESSION', () => {
    expect(cfg({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).otlp.compression).toBe('gzip');
    expect(cfg({ OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).otlp.compression).toBe('none');
    expect(warningsFor({ OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' }, 'OTEL_EXPORTER_OTLP_COMPRESSION')).toHaveLength(1);
  });

  test('OTEL_TRACES_SAMPLER + OTEL_TRACES_SAMPLER_ARG', () => {
    const c = cfg({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect([c.sampler, c.samplerArg]).toEqual(['parentbased_traceidratio', 0.25]);
    expect(cfg({ OTEL_TRACES_SAMPLER: 'ALWAYS_OFF' }).sampler).toBe('always_off');
    expect(warningsFor({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'OTEL_TRACES_SAMPLER')).toHaveLength(1);
    const badArg = cfg({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' });
    expect(badArg.samplerArg).toBe(1);
    expect(badArg.warnings).toHaveLength(1);
    // The argument is irrelevant (and not validated) for samplers that take none.
    expect(cfg({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'x' }).warnings).toEqual([]);
  });

  test('OTEL_PROPAGATORS', () => {
    expect(cfg({ OTEL_PROPAGATORS: 'tracecontext' }).propagators).toEqual(['tracecontext']);
    expect(cfg({ OTEL_PROPAGATORS: 'none' }).propagators).toEqual([]);
    const c = cfg({ OTEL_PROPAGATORS: 'b3,tracecontext' });
    expect(c.propagators).toEqual(['tracecontext']);
    expect(c.warnings).toHaveLength(1);
    expect(cfg({ OTEL_PROPAGATORS: 'b3' }).propagators).toEqual(['tracecontext', 'baggage', 'xtraceid']);
  });

  test('OTEL_BSP_SCHEDULE_DELAY', () => {
    expect(cfg({ OTEL_BSP_SCHEDULE_DELAY: '200' }).batch.scheduleDelayMillis).toBe(200);
    expect(warningsFor({ OTEL_BSP_SCHEDULE_DELAY: 'soon' }, 'OTEL_BSP_SCHEDULE_DELAY')).toHaveLength(1);
  });

  test('OTEL_BSP_EXPORT_TIMEOUT', () => {
    expect(cfg({ OTEL_BSP_EXPORT_TIMEOUT: '1000' }).batch.exportTimeoutMillis).toBe(1000);
    expect(warningsFor({ OTEL_BSP_EXPORT_TIMEOUT: '0' }, 'OTEL_BSP_EXPORT_TIMEOUT')).toHaveLength(1);
  });

  test('OTEL_BSP_MAX_QUEUE_SIZE', () => {
    expect(cfg({ OTEL_BSP_MAX_QUEUE_SIZE: '100' }).batch.maxQueueSize).toBe(100);
    expect(warningsFor({ OTEL_BSP_MAX_QUEUE_SIZE: '1e9' }, 'OTEL_BSP_MAX_QUEUE_SIZE')).toHaveLength(1);
  });

  test('OTEL_BSP_MAX_EXPORT_BATCH_SIZE is capped by the queue size', () => {
    expect(cfg({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64' }).batch.maxExportBatchSize).toBe(64);
    const c = cfg({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' });
    expect(c.batch.maxExportBatchSize).toBe(100);
    expect(c.warnings).toHaveLength(1);
  });

  test('OTEL_LOG_LEVEL', () => {
    expect(cfg({ OTEL_LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(cfg({}).logLevel).toBe('info');
    expect(warningsFor({ OTEL_LOG_LEVEL: 'loud' }, 'OTEL_LOG_LEVEL')).toHaveLength(1);
  });

  test('OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
    expect(cfg({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg' }).instrumentations).toEqual(['http', 'pg']);
    expect(cfg({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'undici,winston' }).instrumentations).toEqual(['http', 'pg', 'pino']);
    expect(cfg({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: '@opentelemetry/instrumentation-pg' }).instrumentations).toEqual(['pg']);
    const c = cfg({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,mongodb' });
    expect(c.instrumentations).toEqual(['http']);
    expect(c.warnings).toEqual([expect.stringMatching(/^OTEL_NODE_ENABLED_INSTRUMENTATIONS: unknown instrumentation\(s\) "mongodb"/)]);
  });

  test('OTEL_NODE_RESOURCE_DETECTORS', () => {
    expect(cfg({ OTEL_NODE_RESOURCE_DETECTORS: 'env,gcp' }).resourceDetectors).toEqual(['env', 'gcp']);
    expect(cfg({ OTEL_NODE_RESOURCE_DETECTORS: 'none' }).resourceDetectors).toEqual([]);
    expect(warningsFor({ OTEL_NODE_RESOURCE_DETECTORS: 'mainframe' }, 'OTEL_NODE_RESOURCE_DETECTORS')).toHaveLength(1);
  });

  test('span limits: OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, counts', () => {
    expect(cfg({}).spanLimits.attributeValueLengthLimit).toBe(32768);
    expect(cfg({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100' }).spanLimits.attributeValueLengthLimit).toBe(100);
    expect(cfg({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '50' }).spanLimits.attributeValueLengthLimit).toBe(50);
    expect(cfg({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '10' }).spanLimits.attributeCountLimit).toBe(10);
    expect(cfg({ OTEL_SPAN_EVENT_COUNT_LIMIT: '5' }).spanLimits.eventCountLimit).toBe(5);
    expect(cfg({ OTEL_SPAN_LINK_COUNT_LIMIT: '5' }).spanLimits.linkCountLimit).toBe(5);
    expect(warningsFor({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'many' }, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT')).toHaveLength(1);
  });

  test('ORG_TRACE_SHUTDOWN_TIMEOUT_MS', () => {
    expect(cfg({ ORG_TRACE_SHUTDOWN_TIMEOUT_MS: '500' }).shutdownTimeoutMillis).toBe(500);
    expect(warningsFor({ ORG_TRACE_SHUTDOWN_TIMEOUT_MS: '5m' }, 'ORG_TRACE_SHUTDOWN_TIMEOUT_MS')).toHaveLength(1);
  });

  test('ORG_TRACE_HANDLE_SIGNALS and ORG_TRACE_FLUSH_ON_CRASH', () => {
    expect(cfg({ ORG_TRACE_HANDLE_SIGNALS: 'false' }).handleSignals).toBe(false);
    expect(cfg({ ORG_TRACE_FLUSH_ON_CRASH: 'true' }).flushOnCrash).toBe(true);
  });

  test('ORG_TRACE_XTRACEID_HEADER / _FORMAT / _EXTRACT and ORG_TRACE_RESPONSE_HEADERS', () => {
    const c = cfg({ ORG_TRACE_XTRACEID_HEADER: 'X-Request-ID', ORG_TRACE_XTRACEID_FORMAT: 'hex', ORG_TRACE_XTRACEID_EXTRACT: 'false', ORG_TRACE_RESPONSE_HEADERS: 'false' });
    expect(c.xTraceId).toEqual({ header: 'x-request-id', format: 'hex', extract: false, responseHeaders: false });
    expect(warningsFor({ ORG_TRACE_XTRACEID_HEADER: 'bad header\r\n' }, 'ORG_TRACE_XTRACEID_HEADER')).toHaveLength(1);
    expect(warningsFor({ ORG_TRACE_XTRACEID_FORMAT: 'base64' }, 'ORG_TRACE_XTRACEID_FORMAT')).toHaveLength(1);
  });

  test('ORG_TRACE_DB_STATEMENT and ORG_TRACE_PG_SQLCOMMENTER', () => {
    expect(cfg({}).db).toEqual({ statement: 'sanitized', sqlcommenter: false, cacheSize: 1000, connectSpans: true });
    expect(cfg({ ORG_TRACE_DB_STATEMENT: 'off', ORG_TRACE_PG_SQLCOMMENTER: 'true' }).db).toMatchObject({ statement: 'off', sqlcommenter: true });
    expect(warningsFor({ ORG_TRACE_DB_STATEMENT: 'plain' }, 'ORG_TRACE_DB_STATEMENT')).toHaveLength(1);
  });

  test('ORG_TRACE_DB_QUERY_CACHE_SIZE and ORG_TRACE_PG_CONNECT_SPANS', () => {
    expect(cfg({ ORG_TRACE_DB_QUERY_CACHE_SIZE: '0', ORG_TRACE_PG_CONNECT_SPANS: 'false' }).db).toMatchObject({ cacheSize: 0, connectSpans: false });
    expect(warningsFor({ ORG_TRACE_DB_QUERY_CACHE_SIZE: '-1' }, 'ORG_TRACE_DB_QUERY_CACHE_SIZE')).toHaveLength(1);
    expect(warningsFor({ ORG_TRACE_PG_CONNECT_SPANS: 'nope' }, 'ORG_TRACE_PG_CONNECT_SPANS')).toHaveLength(1);
  });

  test('ORG_TRACE_URL_QUERY', () => {
    expect(cfg({}).urlQuery).toBe('redact');
    expect(cfg({ ORG_TRACE_URL_QUERY: 'keep' }).urlQuery).toBe('keep');
    expect(warningsFor({ ORG_TRACE_URL_QUERY: 'hide' }, 'ORG_TRACE_URL_QUERY')).toHaveLength(1);
  });

  test('ORG_TRACE_CONSOLE_CONTEXT', () => {
    expect(cfg({}).consoleContext).toBe(false);
    expect(cfg({ ORG_TRACE_CONSOLE_CONTEXT: 'true' }).consoleContext).toBe(true);
    expect(warningsFor({ ORG_TRACE_CONSOLE_CONTEXT: 'sure' }, 'ORG_TRACE_CONSOLE_CONTEXT')).toHaveLength(1);
  });

  test('ORG_TRACE_BAGGAGE_ATTRIBUTES: allow-list, no wildcards, no reserved namespaces', () => {
    expect(cfg({}).baggageAttributes).toEqual([]);
    expect(cfg({ ORG_TRACE_BAGGAGE_ATTRIBUTES: 'customer.tier, tenant.id,customer.tier' }).baggageAttributes).toEqual(['customer.tier', 'tenant.id']);
    const c = cfg({ ORG_TRACE_BAGGAGE_ATTRIBUTES: 'customer.tier,*,http.route,db.query.text,bad key' });
    expect(c.baggageAttributes).toEqual(['customer.tier']);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(/^ORG_TRACE_BAGGAGE_ATTRIBUTES: ignored "\*", "http.route", "db.query.text", "bad key"/);
  });

  test('an invalid signal-specific OTLP value falls back to the general one', () => {
    const c = cfg({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'nope',
      OTEL_EXPORTER_OTLP_TIMEOUT: '700',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: 'soon',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'xml',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'zstd',
    });
    expect(c.otlp).toMatchObject({ endpoint: 'http://c:4318/v1/traces', timeoutMillis: 700, protocol: 'http/json', compression: 'gzip' });
    expect(c.warnings).toHaveLength(4);
    expect(c.warnings.every((w) => w.startsWith('OTEL_EXPORTER_OTLP_TRACES_'))).toBe(true);
  });

  test('OTLP header warnings name their own variable and never quote a credential', () => {
    const c = cfg({ OTEL_EXPORTER_OTLP_HEADERS: 'x-a=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'Authorization: Bearer sk-live-123,bad name=2' });
    expect(c.otlp.headers).toEqual({ 'x-a': '1' });
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(/^OTEL_EXPORTER_OTLP_TRACES_HEADERS: ignored 2 malformed entries.*"Authorization".*values not shown/);
    expect(c.warnings.join()).not.toContain('sk-live');
  });

  test('OTEL_NODE_ENABLED_INSTRUMENTATIONS with only unknown names keeps the default', () => {
    const c = cfg({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'htp' });
    expect(c.instrumentations).toEqual(['http', 'undici', 'pg', 'pino', 'winston']);
    expect(c.warnings[0]).toMatch(/using the default/);
  });

  test('huge user-supplied names never make huge warnings', () => {
    const huge = 'x'.repeat(20_000);
    const c = cfg({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: huge, OTEL_TRACES_EXPORTER: huge, OTEL_PROPAGATORS: huge, ORG_TRACE_BAGGAGE_ATTRIBUTES: huge, OTEL_RESOURCE_ATTRIBUTES: huge });
    expect(c.warnings.length).toBeGreaterThanOrEqual(5);
    for (const w of c.warnings) expect(w.length).toBeLessThan(400);
  });

  test('a bad value is reported once, with the value truncated', () => {
    const c = cfg({ OTEL_BSP_MAX_QUEUE_SIZE: 'x'.repeat(10_000) });
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0].length).toBeLessThan(300);
  });
});
