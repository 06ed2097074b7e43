// Environment → one typed, validated configuration object. This is the ONLY module of the
// distribution that reads process.env; every lower layer receives what it needs from here.
import { Env, EnvReader } from './env-reader';

export type TracesExporterName = 'otlp' | 'console' | 'file' | 'none';
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';
export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';
export type DbStatementMode = 'sanitized' | 'raw' | 'off';

export const KNOWN_INSTRUMENTATIONS = ['http', 'undici', 'pg', 'pino', 'winston'] as const;
export type InstrumentationName = (typeof KNOWN_INSTRUMENTATIONS)[number];
export const KNOWN_PROPAGATORS = ['tracecontext', 'baggage', 'xtraceid', 'none'] as const;
export const KNOWN_RESOURCE_DETECTORS = ['env', 'host', 'os', 'process', 'serviceinstance', 'container', 'alibaba', 'aws', 'azure', 'gcp', 'all', 'none'] as const;

export interface OtlpConfig {
  /** Full URL of the traces endpoint (…/v1/traces). */
  endpoint: string;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  timeoutMillis: number;
  compression: 'gzip' | 'none';
}

export interface BatchConfig {
  scheduleDelayMillis: number;
  exportTimeoutMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

export interface SdkConfig {
  disabled: boolean;
  serviceName: string | undefined;
  resourceAttributes: Record<string, string>;
  resourceDetectors: string[];
  tracesExporter: TracesExporterName[];
  otlp: OtlpConfig;
  filePath: string;
  sampler: SamplerName;
  samplerArg: number;
  propagators: string[];
  batch: BatchConfig;
  spanLimits: { attributeValueLengthLimit: number; attributeCountLimit: number; eventCountLimit: number; linkCountLimit: number };
  logLevel: LogLevel;
  instrumentations: InstrumentationName[];
  shutdownTimeoutMillis: number;
  /** Install SIGTERM/SIGINT handlers that flush then exit (unless the app has its own). */
  handleSignals: boolean;
  flushOnCrash: boolean;
  xTraceId: { header: string; extract: boolean; format: 'uuid' | 'hex'; responseHeaders: boolean };
  db: { statement: DbStatementMode; sqlcommenter: boolean; cacheSize: number; connectSpans: boolean };
  /** What leaves the process of URL query strings (url.query, url.full). */
  urlQuery: 'redact' | 'keep' | 'drop';
  /** Prefix console lines with the active trace context (opt-in: it changes the app's output). */
  consoleContext: boolean;
  /** Start spans with LeanTracer/LeanSpan (same behaviour as the SDK's Tracer/SpanImpl, less CPU). */
  leanTracer: boolean;
  /** Baggage keys copied onto every span started in that context (allow-list). */
  baggageAttributes: string[];
  /** Interval for rate-limited exporter error logs. */
  errorLogIntervalMillis: number;
  /** Warnings produced while reading the environment (one per bad variable). */
  warnings: string[];
}

const DEFAULT_OTLP_BASE = 'http://localhost:4318';

export function readConfig(env: Env = process.env): SdkConfig {
  const r = new EnvReader(env);

  const disabled = r.boolean('OTEL_SDK_DISABLED', false);
  const logLevel = r.oneOf<LogLevel>('OTEL_LOG_LEVEL', ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'], 'info');

  const resourceAttributes = r.keyValues('OTEL_RESOURCE_ATTRIBUTES');
  const serviceName = r.raw('OTEL_SERVICE_NAME');

  const tracesExporter = readExporters(r);
  const otlp = readOtlp(r);
  const filePath = r.string('ORG_TRACE_FILE', './traces.jsonl');

  const sampler = r.oneOf<SamplerName>(
    'OTEL_TRACES_SAMPLER',
    ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'],
    'parentbased_always_on',
  );
  const samplerArg = sampler.endsWith('traceidratio') ? r.number('OTEL_TRACES_SAMPLER_ARG', 1, 0, 1) : 1;

  const propagators = readNameList(r, 'OTEL_PROPAGATORS', KNOWN_PROPAGATORS, ['tracecontext', 'baggage', 'xtraceid']);

  const maxQueueSize = r.integer('OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000);
  let maxExportBatchSize = r.integer('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1, 1_000_000);
  if (maxExportBatchSize > maxQueueSize) {
    r.warn('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', `${maxExportBatchSize} exceeds OTEL_BSP_MAX_QUEUE_SIZE ${maxQueueSize}; using ${maxQueueSize}`);
    maxExportBatchSize = maxQueueSize;
  }
  const batch: BatchConfig = {
    scheduleDelayMillis: r.integer('OTEL_BSP_SCHEDULE_DELAY', 5000, 0, 3_600_000),
    exportTimeoutMillis: r.integer('OTEL_BSP_EXPORT_TIMEOUT', 30000, 1, 3_600_000),
    maxQueueSize,
    maxExportBatchSize,
  };

  const generalValueLimit = r.integer('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 32768, 1);
  const generalCountLimit = r.integer('OTEL_ATTRIBUTE_COUNT_LIMIT', 128, 0, 100_000);
  const spanLimits = {
    attributeValueLengthLimit: r.integer('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', generalValueLimit, 1),
    attributeCountLimit: r.integer('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', generalCountLimit, 0, 100_000),
    eventCountLimit: r.integer('OTEL_SPAN_EVENT_COUNT_LIMIT', 128, 0, 100_000),
    linkCountLimit: r.integer('OTEL_SPAN_LINK_COUNT_LIMIT', 128, 0, 100_000),
  };

  const instrumentations = readInstrumentations(r);
  const resourceDetectors = readNameList(r, 'OTEL_NODE_RESOURCE_DETECTORS', KNOWN_RESOURCE_DETECTORS, ['env', 'host', 'os', 'process']);

  const xTraceId = {
    header: readHeaderName(r, 'ORG_TRACE_XTRACEID_HEADER', 'x-trace-id'),
    extract: r.boolean('ORG_TRACE_XTRACEID_EXTRACT', true),
    format: r.oneOf<'uuid' | 'hex'>('ORG_TRACE_XTRACEID_FORMAT', ['uuid', 'hex'], 'uuid'),
    responseHeaders: r.boolean('ORG_TRACE_RESPONSE_HEADERS', true),
  };
  const db = {
    statement: r.oneOf<DbStatementMode>('ORG_TRACE_DB_STATEMENT', ['sanitized', 'raw', 'off'], 'sanitized'),
    sqlcommenter: r.boolean('ORG_TRACE_PG_SQLCOMMENTER', false),
    cacheSize: r.integer('ORG_TRACE_DB_QUERY_CACHE_SIZE', 1000, 0, 1_000_000),
    connectSpans: r.boolean('ORG_TRACE_PG_CONNECT_SPANS', true),
  };

  return {
    disabled,
    serviceName,
    resourceAttributes,
    resourceDetectors,
    tracesExporter,
    otlp,
    filePath,
    sampler,
    samplerArg,
    propagators,
    batch,
    spanLimits,
    logLevel,
    instrumentations,
    shutdownTimeoutMillis: r.integer('ORG_TRACE_SHUTDOWN_TIMEOUT_MS', 2000, 0, 60_000),
    handleSignals: r.boolean('ORG_TRACE_HANDLE_SIGNALS', true),
    flushOnCrash: r.boolean('ORG_TRACE_FLUSH_ON_CRASH', false),
    xTraceId,
    db,
    urlQuery: r.oneOf<'redact' | 'keep' | 'drop'>('ORG_TRACE_URL_QUERY', ['redact', 'keep', 'drop'], 'redact'),
    consoleContext: r.boolean('ORG_TRACE_CONSOLE_CONTEXT', false),
    leanTracer: r.boolean('ORG_TRACE_LEAN_TRACER', true),
    baggageAttributes: readBaggageKeys(r),
    errorLogIntervalMillis: r.integer('ORG_TRACE_ERROR_LOG_INTERVAL_MS', 60_000, 100, 86_400_000),
    warnings: r.warnings,
  };
}

function readExporters(r: EnvReader): TracesExporterName[] {
  const names = r.list('OTEL_TRACES_EXPORTER');
  if (names === undefined) return ['otlp'];
  const allowed: TracesExporterName[] = ['otlp', 'console', 'file', 'none'];
  const ok = names.filter((n): n is TracesExporterName => (allowed as string[]).includes(n));
  const bad = names.filter((n) => !(allowed as string[]).includes(n));
  if (bad.length > 0) {
    r.warn('OTEL_TRACES_EXPORTER', `unsupported exporter(s) ${listForLog(bad)} ignored (supported: ${allowed.join(', ')})${ok.length === 0 ? '; using the default "otlp"' : ''}`);
  }
  if (ok.length === 0) return ['otlp'];
  if (ok.includes('none')) return [];
  return [...new Set(ok)];
}

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Each OTLP setting exists twice: OTEL_EXPORTER_OTLP_TRACES_X wins over OTEL_EXPORTER_OTLP_X. An
// invalid signal-specific value falls back to the general one (then to the default), and the
// warning names the variable that was wrong and what is used instead.
function readOtlp(r: EnvReader): OtlpConfig {
  const parseProtocol = (v: string): OtlpProtocol | undefined => {
    const l = v.toLowerCase();
    return l === 'http/protobuf' || l === 'http/json' ? l : undefined;
  };
  const protocol = readLayered(r, 'PROTOCOL', parseProtocol, 'http/protobuf' as OtlpProtocol, 'http/protobuf | http/json', (name, v) =>
    v.toLowerCase() === 'grpc' ? `protocol "grpc" is not bundled (it would double the startup cost); point the endpoint at the collector's 4318 port` : undefined,
  );

  const defaultEndpoint = `${DEFAULT_OTLP_BASE}/v1/traces`;
  const baseRaw = r.raw('OTEL_EXPORTER_OTLP_ENDPOINT');
  let fromBase: string | undefined;
  if (baseRaw !== undefined) {
    if (isHttpUrl(baseRaw)) fromBase = baseRaw.replace(/\/+$/, '') + '/v1/traces';
    else r.invalid('OTEL_EXPORTER_OTLP_ENDPOINT', baseRaw, 'an http(s) URL', DEFAULT_OTLP_BASE);
  }
  let endpoint = fromBase ?? defaultEndpoint;
  const signal = r.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (signal !== undefined) {
    if (isHttpUrl(signal)) endpoint = signal;
    else r.invalid('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', signal, 'an http(s) URL', endpoint);
  }

  const headerOpts = { validKey: (k: string) => HTTP_TOKEN.test(k), secret: true };
  const headers = { ...r.keyValues('OTEL_EXPORTER_OTLP_HEADERS', headerOpts), ...r.keyValues('OTEL_EXPORTER_OTLP_TRACES_HEADERS', headerOpts) };

  const parseTimeout = (v: string) => (/^\+?\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 600_000 ? Number(v) : undefined);
  const timeoutMillis = readLayered(r, 'TIMEOUT', parseTimeout, 10000, 'an integer between 1 and 600000 (ms)');
  const parseCompression = (v: string) => (v.toLowerCase() === 'gzip' || v.toLowerCase() === 'none' ? (v.toLowerCase() as 'gzip' | 'none') : undefined);
  const compression = readLayered(r, 'COMPRESSION', parseCompression, 'none' as 'gzip' | 'none', 'gzip | none');
  return { endpoint, headers, protocol, timeoutMillis, compression };
}

function readLayered<T>(
  r: EnvReader,
  suffix: string,
  parse: (v: string) => T | undefined,
  fallback: T,
  expected: string,
  explain?: (name: string, value: string) => string | undefined,
): T {
  const generalName = `OTEL_EXPORTER_OTLP_${suffix}`;
  const signalName = `OTEL_EXPORTER_OTLP_TRACES_${suffix}`;
  let value = fallback;
  for (const name of [generalName, signalName]) {
    const raw = r.raw(name);
    if (raw === undefined) continue;
    const parsed = parse(raw);
    if (parsed !== undefined) {
      value = parsed;
      continue;
    }
    const why = explain?.(name, raw);
    if (why !== undefined) r.warn(name, `${why}; using ${JSON.stringify(value)}`);
    else r.invalid(name, raw, expected, value);
  }
  return value;
}

function readInstrumentations(r: EnvReader): InstrumentationName[] {
  const known = KNOWN_INSTRUMENTATIONS as readonly string[];
  const normalise = (n: string) => n.replace(/^@opentelemetry\/instrumentation-/, '');
  let enabled: string[] = [...known];
  const en = r.list('OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  if (en !== undefined) {
    const names = en.map(normalise);
    const bad = names.filter((n) => !known.includes(n));
    const ok = names.filter((n) => known.includes(n));
    if (bad.length > 0) {
      r.warn('OTEL_NODE_ENABLED_INSTRUMENTATIONS', `unknown instrumentation(s) ${listForLog(bad)} ignored (bundled: ${known.join(', ')})${ok.length === 0 ? `; using the default "${known.join(',')}"` : ''}`);
    }
    if (ok.length > 0 || bad.length === 0) enabled = ok;
  }
  const dis = r.list('OTEL_NODE_DISABLED_INSTRUMENTATIONS');
  if (dis !== undefined) {
    const names = dis.map(normalise);
    const bad = names.filter((n) => !known.includes(n));
    if (bad.length > 0) r.warn('OTEL_NODE_DISABLED_INSTRUMENTATIONS', `unknown instrumentation(s) ${listForLog(bad)} ignored (bundled: ${known.join(', ')})`);
    enabled = enabled.filter((n) => !names.includes(n));
  }
  return [...new Set(enabled)] as InstrumentationName[];
}

function readNameList(r: EnvReader, name: string, known: readonly string[], fallback: string[]): string[] {
  const names = r.list(name);
  if (names === undefined) return fallback;
  const bad = names.filter((n) => !known.includes(n));
  const ok = names.filter((n) => known.includes(n));
  if (bad.length > 0) {
    r.warn(name, `unsupported value(s) ${listForLog(bad)} ignored (supported: ${known.join(', ')})${ok.length === 0 ? `; using the default "${fallback.join(',')}"` : ''}`);
    if (ok.length === 0) return fallback;
  }
  if (ok.includes('none')) return [];
  return [...new Set(ok)];
}

// Baggage comes from clients: only an explicit allow-list is copied, never names that would
// impersonate attributes the instrumentations and this distribution own.
const RESERVED_ATTRIBUTE_PREFIXES = ['http.', 'url.', 'server.', 'client.', 'network.', 'db.', 'service.', 'telemetry.', 'otel.', 'org.', 'exception.', 'error.'];

function readBaggageKeys(r: EnvReader): string[] {
  const v = r.raw('ORG_TRACE_BAGGAGE_ATTRIBUTES');
  if (v === undefined) return [];
  const keys = v.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const bad = keys.filter((k) => !/^[A-Za-z0-9_.\-]{1,128}$/.test(k) || k.includes('*') || RESERVED_ATTRIBUTE_PREFIXES.some((p) => k.startsWith(p)));
  if (bad.length > 0) {
    r.warn('ORG_TRACE_BAGGAGE_ATTRIBUTES', `ignored ${listForLog(bad)} (keys must be plain names outside the reserved namespaces ${RESERVED_ATTRIBUTE_PREFIXES.join(' ')}; no wildcards)`);
  }
  return [...new Set(keys.filter((k) => !bad.includes(k)))];
}

/** A bounded rendering of user-supplied names for a warning: a 20 kB value must not make a 20 kB log line. */
function listForLog(items: string[]): string {
  const shown = items.slice(0, 5).map((b) => JSON.stringify(b.length > 40 ? `${b.slice(0, 40)}…` : b));
  return shown.join(', ') + (items.length > 5 ? `, … (${items.length - 5} more)` : '');
}

function readHeaderName(r: EnvReader, name: string, fallback: string): string {
  const v = r.raw(name);
  if (v === undefined) return fallback;
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(v)) {
    r.invalid(name, v, 'an HTTP header name', fallback);
    return fallback;
  }
  return v.toLowerCase();
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
