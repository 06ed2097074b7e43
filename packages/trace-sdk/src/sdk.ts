// start() / shutdown(): builds the tracer provider from @opentelemetry/sdk-trace directly — the core
// that sdk-trace-node and sdk-trace-base 2.12 wrap. Not sdk-node (its require alone costs ~0.5 s CPU),
// and not sdk-trace-base's BasicTracerProvider either: that shim re-reads OTEL_* variables itself and
// logs its own errors about them, so a bad value would be reported twice and differently. It wires propagators, processors, exporters and instrumentations from
// one validated config, and installs the lifecycle hooks. The path of a request through what is
// built here: propagator extract → (X-Trace-ID tracer wrapper) → http server span → pg spans →
// query-hash processor → batch processor → OTLP/file exporter.
import { context, diag, propagation, TextMapPropagator, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations, Instrumentation } from '@opentelemetry/instrumentation';
import { SpanExporter, SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createXTraceId, XTraceIdIntegration } from '@org/trace-propagator';
import { BaggageAttributesSpanProcessor, createDbQueryHashing, UrlQueryRedactionSpanProcessor } from '@org/trace-processors';
import { ChainedRootPropagator } from './chained-context';
import { BoundedBatchSpanProcessor, ExportStats, raceTimeout } from './batch-span-processor';
import { readConfig, SdkConfig, TracesExporterName } from './config';
import type { Env } from './env-reader';
import { FileSpanExporter } from './exporters/file-exporter';
import { MultiSpanExporter } from './exporters/multi-exporter';
import { OtlpHttpSpanExporter } from './exporters/otlp-http-exporter';
import { createInstrumentations } from './instrumentations';
import { EncodedSpanQueue } from './span-queue';
import { LeanContextManager } from './context-manager';
import { LeanTracerProvider } from './lean-tracer-provider';
import { Lifecycle } from './lifecycle';
import { installConsoleContext, legacyIdLogHook, legacyIdLookup } from './log-correlation';
import { DIAG_LEVEL, Logger, RateLimitedReporter } from './logger';
import { PooledRandomIdGenerator } from './id-generator';
import { buildResource } from './resource';
import { buildSampler, describeSampler } from './sampler';
import { DISTRO_NAME, DISTRO_VERSION } from './version';

export interface StartOptions {
  /** Environment to read configuration from (default: process.env). */
  env?: Env;
  /** Overrides applied on top of the environment. */
  config?: Partial<Pick<SdkConfig, 'serviceName' | 'resourceAttributes' | 'tracesExporter' | 'filePath' | 'instrumentations' | 'handleSignals'>>;
  /** Replaces the configured exporter(s) (e.g. an in-memory exporter in tests). */
  spanExporter?: SpanExporter;
  /** Extra span processors, run before the batch processor. */
  spanProcessors?: SpanProcessor[];
  /** Extra instrumentations to register alongside the bundled ones. */
  instrumentations?: Instrumentation[];
}

export interface TraceSdk {
  readonly config: SdkConfig;
  readonly provider: TracerProvider | undefined;
  /** Counters of exported / dropped / failed spans since start. */
  stats(): ExportStats;
  forceFlush(timeoutMillis?: number): Promise<void>;
  shutdown(timeoutMillis?: number): Promise<void>;
}

let current: TraceSdk | undefined;

export function start(options: StartOptions = {}): TraceSdk {
  if (current !== undefined) {
    diag.warn('@org/trace: start() called twice; keeping the first SDK');
    return current;
  }
  const config: SdkConfig = { ...readConfig(options.env ?? process.env), ...options.config };
  const log = new Logger(config.logLevel);
  diag.setLogger(log, { logLevel: DIAG_LEVEL[config.logLevel], suppressOverrideMessage: true });
  for (const w of config.warnings) log.warn(w);

  if (config.disabled) {
    log.info('OTEL_SDK_DISABLED=true: tracing is off');
    current = disabledSdk(config);
    return current;
  }

  const exportErrors = new RateLimitedReporter((l) => log.warn(l), 'span export failed', config.errorLogIntervalMillis);
  const dropReports = new RateLimitedReporter((l) => log.warn(l), 'spans dropped', config.errorLogIntervalMillis);

  const ids = new PooledRandomIdGenerator();
  const xtrace: XTraceIdIntegration | undefined = config.propagators.includes('xtraceid') ? createXTraceId({ ...config.xTraceId, randomIdGenerator: ids }) : undefined;
  const dbHashing = createDbQueryHashing(config.db);

  const exporter = options.spanExporter ?? buildExporter(config, exportErrors);
  // Our OTLP/protobuf exporter alone: spans are encoded as they end and queued as bytes
  // (span-queue.ts says why). Any other exporter gets the span objects.
  const queue = exporter instanceof OtlpHttpSpanExporter && exporter.acceptsEncodedProtobuf ? new EncodedSpanQueue(exporter, config.batch.maxExportBatchSize) : undefined;
  const batch = exporter ? new BoundedBatchSpanProcessor(exporter, config.batch, dropReports, queue) : undefined;
  const spanProcessors: SpanProcessor[] = [dbHashing.spanProcessor];
  if (config.urlQuery !== 'keep') spanProcessors.push(new UrlQueryRedactionSpanProcessor(config.urlQuery));
  if (config.baggageAttributes.length > 0) spanProcessors.push(new BaggageAttributesSpanProcessor({ keys: config.baggageAttributes }));
  spanProcessors.push(...(options.spanProcessors ?? []));
  if (batch) spanProcessors.push(batch);

  // The SDK's provider, whose tracers start LeanSpans (lean-tracer.ts: same behaviour, ~half the CPU);
  // ORG_TRACE_LEAN_TRACER=false keeps the SDK's own Tracer and SpanImpl.
  const provider: TracerProvider = new LeanTracerProvider(
    {
      resource: buildResource(config, log),
      sampler: buildSampler(config.sampler, config.samplerArg),
      spanLimits: config.spanLimits,
      idGenerator: xtrace?.idGenerator ?? ids,
      spanProcessors,
    },
    config.leanTracer,
  );
  const contextManager = new LeanContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(buildPropagator(config.propagators, xtrace));
  trace.setGlobalTracerProvider(provider);

  const legacyId = legacyIdLookup(xtrace !== undefined, config.xTraceId.format);
  const undoConsole = config.consoleContext ? installConsoleContext(legacyId) : undefined;
  const instrumentations = [
    ...createInstrumentations(config.instrumentations, {
      http: xtrace?.httpInstrumentationConfig,
      undici: xtrace?.undiciInstrumentationConfig,
      pg: dbHashing.pgInstrumentationConfig,
      pino: { logHook: legacyIdLogHook(legacyId) },
      winston: { logHook: legacyIdLogHook(legacyId) },
    }),
    ...(options.instrumentations ?? []),
  ];
  const unregister = registerInstrumentations({ instrumentations, tracerProvider: provider });
  // Registering resets each instrumentation's tracer: the X-Trace-ID wrapper goes on after it.
  xtrace?.installTracerWrapper(instrumentations, provider);

  let stopped: Promise<void> | undefined;
  const sdk: TraceSdk = {
    config,
    provider,
    stats: () => ({ ...(batch?.stats ?? { exported: 0, dropped: 0, failed: 0 }) }),
    async forceFlush(timeoutMillis = config.shutdownTimeoutMillis) {
      await batch?.forceFlush(timeoutMillis);
    },
    shutdown(timeoutMillis = config.shutdownTimeoutMillis) {
      if (stopped) return stopped;
      stopped = (async () => {
        lifecycle.uninstall();
        undoConsole?.();
        const started = Date.now();
        const left = () => Math.max(1, timeoutMillis - (Date.now() - started));
        await batch?.shutdown(left());
        const abandoned = batch?.abandonedAtShutdown ?? 0;
        await raceTimeout(Promise.resolve(provider.shutdown()).catch(() => {}), left());
        unregister();
        exportErrors.flush();
        dropReports.flush();
        const s = batch?.stats;
        if (s && (s.dropped > 0 || s.failed > 0 || abandoned > 0)) {
          log.warn(`shutdown: ${s.exported} spans exported, ${s.failed} failed to export, ${s.dropped} dropped (queue full or not sent before the ${timeoutMillis} ms deadline), ${abandoned} still in flight at the deadline`);
        }
        trace.disable();
        propagation.disable();
        context.disable();
        current = undefined;
      })();
      return stopped;
    },
  };
  const lifecycle = new Lifecycle(
    {
      flush: (t) => sdk.forceFlush(t),
      shutdown: (t) => sdk.shutdown(t),
      pending: () => batch?.pending ?? 0,
    },
    config,
    log,
  );
  lifecycle.install();

  log.info(startupLine(config, options.spanExporter !== undefined));
  current = sdk;
  return sdk;
}

export async function shutdown(timeoutMillis?: number): Promise<void> {
  await current?.shutdown(timeoutMillis);
}

function buildExporter(config: SdkConfig, errors: RateLimitedReporter): SpanExporter | undefined {
  const exporters: SpanExporter[] = [];
  for (const name of config.tracesExporter) {
    exporters.push(makeExporter(name, config, errors));
  }
  if (exporters.length === 0) return undefined;
  return exporters.length === 1 ? exporters[0] : new MultiSpanExporter(exporters);
}

function makeExporter(name: TracesExporterName, config: SdkConfig, errors: RateLimitedReporter): SpanExporter {
  switch (name) {
    case 'file':
      return new FileSpanExporter(config.filePath, errors);
    case 'console': {
      const { ConsoleSpanExporter } = require('@opentelemetry/sdk-trace');
      return new ConsoleSpanExporter();
    }
    case 'otlp':
    default:
      return new OtlpHttpSpanExporter(config.otlp, errors, `${DISTRO_NAME}/${DISTRO_VERSION} node/${process.versions.node}`);
  }
}

function buildPropagator(names: string[], xtrace: XTraceIdIntegration | undefined): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const n of names) {
    if (n === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (n === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (n === 'xtraceid' && xtrace) propagators.push(xtrace.propagator);
  }
  return new ChainedRootPropagator(new CompositePropagator({ propagators }));
}

function startupLine(config: SdkConfig, customExporter: boolean): string {
  const rawService = config.serviceName ?? config.resourceAttributes['service.name'] ?? 'unknown_service:node';
  // One startup line, bounded: a runaway OTEL_SERVICE_NAME must not become a 20 kB log line.
  const service = rawService.length > 128 ? `${rawService.slice(0, 128)}…` : rawService;
  const exporters = customExporter
    ? 'custom'
    : config.tracesExporter.length === 0
      ? 'none'
      : config.tracesExporter
          .map((e) => (e === 'otlp' ? `otlp(${config.otlp.protocol} ${config.otlp.endpoint}${redactedHeaders(config.otlp.headers)})` : e === 'file' ? `file(${config.filePath})` : e))
          .join(',');
  return `${DISTRO_NAME} ${DISTRO_VERSION} started: service=${service} exporter=${exporters} sampler=${describeSampler(config.sampler, config.samplerArg)} propagators=${config.propagators.join(',') || 'none'} instrumentations=${config.instrumentations.join(',') || 'none'}`;
}

/** Header names are useful for debugging; their values are credentials. */
function redactedHeaders(h: Record<string, string>): string {
  const keys = Object.keys(h);
  return keys.length === 0 ? '' : ` headers=${keys.map((k) => `${k}=[REDACTED]`).join(',')}`;
}

function disabledSdk(config: SdkConfig): TraceSdk {
  return {
    config,
    provider: undefined,
    stats: () => ({ exported: 0, dropped: 0, failed: 0 }),
    forceFlush: async () => {},
    shutdown: async () => {
      current = undefined;
    },
  };
}
