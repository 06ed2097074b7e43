import { diag, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { requestHeaderAttribute } from './attributes';
import { LegacyTraceIdGenerator } from './legacy-trace-id-generator';
import { resolveOptions, ResolvedXTraceIdOptions, XTraceIdOptions } from './options';
import { createResponseEchoHook } from './response-echo';
import { RootTraceIdTracerProvider } from './root-trace-id-tracer';
import { createUndiciHeaderDedupeHook } from './undici-header-dedupe';
import { XTraceIdPropagator } from './xtraceid-propagator';

/** Everything the SDK wires for the legacy header; see the package README for the order. */
export interface XTraceIdIntegration {
  /** Options after validation (header lower-cased, defaults filled in). */
  readonly options: ResolvedXTraceIdOptions;
  /** The `xtraceid` propagator; compose it after W3C tracecontext + baggage. */
  readonly propagator: TextMapPropagator;
  /** Pass as `new NodeTracerProvider({ idGenerator })`: the one-shot trace id override lives here. */
  readonly idGenerator: IdGenerator;
  /** Hooks to merge into `new HttpInstrumentation({...})` (response echo). */
  readonly httpInstrumentationConfig: Partial<HttpInstrumentationConfig>;
  /** Hooks to merge into `new UndiciInstrumentation({...})` (no duplicate propagation headers). */
  readonly undiciInstrumentationConfig: Partial<UndiciInstrumentationConfig>;
  /**
   * Call after the instrumentations got their tracer provider (registering/enabling resets it): wraps
   * their tracers so a root span picks its trace id from the legacy id in the context.
   */
  installTracerWrapper(instrumentations: readonly Instrumentation[], provider: TracerProvider): void;
  /** The wrapping provider, for tracers created outside instrumentations (optional). */
  wrapTracerProvider(provider: TracerProvider): TracerProvider;
}

const log = diag.createComponentLogger({ namespace: '@org/trace-propagator' });

export function createXTraceId(options?: XTraceIdOptions): XTraceIdIntegration {
  const resolved = resolveOptions(options, log);
  const idGenerator = new LegacyTraceIdGenerator();
  const propagator = new XTraceIdPropagator(resolved);
  const wrapTracerProvider = (provider: TracerProvider): TracerProvider =>
    new RootTraceIdTracerProvider(provider, idGenerator, {
      header: resolved.header,
      headerAttribute: requestHeaderAttribute(resolved.header),
    });

  return {
    options: resolved,
    propagator,
    idGenerator,
    httpInstrumentationConfig: resolved.responseHeaders
      ? { responseHook: createResponseEchoHook(resolved) as HttpInstrumentationConfig['responseHook'] }
      : {},
    undiciInstrumentationConfig: { requestHook: createUndiciHeaderDedupeHook() },
    installTracerWrapper(instrumentations, provider) {
      const wrapped = wrapTracerProvider(provider);
      for (const instrumentation of instrumentations) {
        try {
          instrumentation.setTracerProvider(wrapped);
        } catch (err) {
          // One odd instrumentation must not stop the others (or the app) from starting.
          log.warn(`could not wrap the tracer of ${String(instrumentation?.instrumentationName)}`, err);
        }
      }
    },
    wrapTracerProvider,
  };
}
