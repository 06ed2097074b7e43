import { context, Context, diag, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { requestHeaderAttribute } from './attributes';
import { legacyHeaderValue } from './legacy-id-context';
import { LegacyTraceIdGenerator } from './legacy-trace-id-generator';
import { resolveOptions, ResolvedXTraceIdOptions, XTraceIdOptions } from './options';
import { createOutgoingHeaderHooks } from './outgoing-legacy-header';
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
  /** Hooks to merge into `new HttpInstrumentation({...})`: `responseHook` (echo), `startOutgoingSpanHook`. */
  readonly httpInstrumentationConfig: Partial<HttpInstrumentationConfig>;
  /** Hooks to merge into `new UndiciInstrumentation({...})`: `requestHook` (no duplicate headers), `startSpanHook`. */
  readonly undiciInstrumentationConfig: Partial<UndiciInstrumentationConfig>;
  /**
   * Call after the instrumentations got their tracer provider (registering/enabling resets it): wraps
   * their tracers so a root span picks its trace id from the legacy id in the context.
   */
  installTracerWrapper(instrumentations: readonly Instrumentation[], provider: TracerProvider): void;
  /** The wrapping provider, for tracers created outside instrumentations (optional). */
  wrapTracerProvider(provider: TracerProvider): TracerProvider;
  /**
   * The legacy header value for a context (default: the active one), by the same rule as outgoing
   * requests: for log lines that must keep matching what nginx and legacy peers log.
   */
  headerValue(ctx?: Context): string | undefined;
}

const log = diag.createComponentLogger({ namespace: '@org/trace-propagator' });

export function createXTraceId(options?: XTraceIdOptions): XTraceIdIntegration {
  const resolved = resolveOptions(options, log);
  const idGenerator = new LegacyTraceIdGenerator(options?.randomIdGenerator);
  const propagator = new XTraceIdPropagator(resolved);
  const wrapTracerProvider = (provider: TracerProvider): TracerProvider =>
    new RootTraceIdTracerProvider(provider, idGenerator, {
      header: resolved.header,
      headerAttribute: requestHeaderAttribute(resolved.header),
    });

  const outgoing = createOutgoingHeaderHooks(resolved.header, resolved.maxLength);
  const echo = resolved.responseHeaders ? createResponseEchoHook(resolved) : undefined;

  return {
    options: resolved,
    propagator,
    idGenerator,
    httpInstrumentationConfig: {
      startOutgoingSpanHook: outgoing.http,
      ...(echo ? { responseHook: echo as HttpInstrumentationConfig['responseHook'] } : {}),
    },
    undiciInstrumentationConfig: {
      startSpanHook: outgoing.undici,
      requestHook: createUndiciHeaderDedupeHook(),
    },
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
    headerValue(ctx?: Context) {
      try {
        return legacyHeaderValue(ctx ?? context.active(), resolved.format);
      } catch {
        return undefined;
      }
    },
  };
}
