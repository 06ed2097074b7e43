import {
  Attributes,
  Context,
  context as contextApi,
  diag,
  isSpanContextValid,
  Span,
  SpanKind,
  SpanOptions,
  trace,
  Tracer,
  TracerOptions,
  TracerProvider,
} from '@opentelemetry/api';
import {
  ATTR_XTRACEID_MAPPING,
  ATTR_XTRACEID_OUTCOME,
  ATTR_XTRACEID_VALUE,
  ATTR_XTRACEID_REJECTED_REASON,
  LegacyIdOutcome,
  requestHeaderAttribute,
} from './attributes';
import { getLegacyId, LegacyIdRecord, rememberAppLegacyId } from './legacy-id-context';
import { LegacyTraceIdGenerator } from './legacy-trace-id-generator';
import { mapLegacyId } from './xtraceid-mapping';

const log = diag.createComponentLogger({ namespace: '@org/trace-propagator' });

/** What the wrapper needs to know; a subset of the resolved options. */
export interface RootTraceIdTracerConfig {
  /** Lower-case legacy header name, used for the `http.request.header.<name>` attribute. */
  readonly header: string;
  /** Precomputed `http.request.header.<header>` (derived from `header` when absent). */
  readonly headerAttribute?: string;
}

/**
 * Wraps a Tracer so that a span started where the extracted context carries a trusted legacy id, and
 * no valid parent, becomes a root span whose trace id is the mapped legacy id. No parent span id is
 * invented: backends would flag a parent that never arrives.
 *
 * The entry span of the request (no parent, or a remote one) also gets attributes telling what
 * happened to the legacy id; spans further down the request are passed through untouched.
 */
export class RootTraceIdTracer implements Tracer {
  constructor(
    private readonly _inner: Tracer,
    private readonly _idGenerator: LegacyTraceIdGenerator,
    private readonly _config: RootTraceIdTracerConfig,
    private readonly _warn: WarnOnce,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    let plan: StartPlan | undefined;
    try {
      plan = planStart(ctx ?? contextApi.active(), options, this._config);
    } catch (err) {
      log.debug('root trace id planning failed', err);
    }
    if (plan === undefined) return this._inner.startSpan(name, options, ctx);

    // Object.assign rather than spread: attribute maps with dotted keys are dictionary-mode objects and
    // V8's spread fast path does not apply to them (measured: ~1 µs per span with spread).
    const opts = plan.attributes ? withAttributes(options, plan.attributes) : options;
    const traceId = plan.traceId;
    if (traceId === undefined) return this._inner.startSpan(name, opts, ctx);

    const { result: span, consumed } = this._idGenerator.withNextTraceId(traceId, () =>
      this._inner.startSpan(name, opts, ctx),
    );
    // Verify instead of trusting: a provider built without our IdGenerator would silently start
    // unrelated traces. Say so once, not per request.
    const sc = span.spanContext();
    if (plan.appRecord !== undefined && sc.traceId === traceId) rememberAppLegacyId(span, plan.appRecord);
    if (isSpanContextValid(sc) && (!consumed || sc.traceId !== traceId)) {
      this._warn(
        'a root span did not get the trace id derived from the legacy header: build the tracer provider with ' +
          'createXTraceId().idGenerator',
      );
    }
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    arg2?: F | SpanOptions,
    arg3?: F | Context,
    arg4?: F,
  ): ReturnType<F> | undefined {
    // Same argument juggling as the SDK tracer, but routed through our startSpan.
    let options: SpanOptions | undefined;
    let parent: Context | undefined;
    let fn: F | undefined;
    if (typeof arg2 === 'function') {
      fn = arg2;
    } else if (typeof arg3 === 'function') {
      options = arg2;
      fn = arg3;
    } else {
      options = arg2;
      parent = arg3;
      fn = arg4;
    }
    if (typeof fn !== 'function') return undefined;
    const parentContext = parent ?? contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }
}

function withAttributes(options: SpanOptions | undefined, extra: Attributes): SpanOptions {
  const attributes: Attributes = Object.assign({}, options?.attributes);
  for (const k in extra) attributes[k] = extra[k];
  const out: SpanOptions = Object.assign({}, options);
  out.attributes = attributes;
  return out;
}

interface StartPlan {
  /** Trace id to force for this root span, if any. */
  readonly traceId?: string;
  readonly attributes?: Attributes;
  /** Set when the trace id comes from a header the app put on an outgoing request. */
  readonly appRecord?: LegacyIdRecord;
}

function planStart(ctx: Context, options: SpanOptions | undefined, config: RootTraceIdTracerConfig): StartPlan | undefined {
  // `root: true` asks for a new, unrelated trace: honour it.
  if (options?.root) return undefined;
  const record = getLegacyId(ctx);
  if (record === undefined) return options?.kind === SpanKind.CLIENT ? planAppRootedClient(ctx, options, config) : undefined;
  const parent = trace.getSpanContext(ctx);
  const parentValid = parent !== undefined && isSpanContextValid(parent);
  // A local parent means we are below the entry span: nothing to decide, nothing to annotate.
  if (parentValid && !parent.isRemote) return undefined;

  const kind = options?.kind;
  const isEntry = kind === SpanKind.SERVER || kind === SpanKind.CONSUMER;
  const attributes = isEntry ? entryAttributes(record, parentValid ? parent.traceId : undefined, config) : undefined;
  const traceId = !parentValid && record.status === 'accepted' && record.trusted ? record.traceId : undefined;
  if (attributes === undefined && traceId === undefined) return undefined;
  return { traceId, attributes };
}

/**
 * An outgoing request with no trace around it (a job, a script) on which the app set the legacy header
 * itself: the outgoing-span hooks (outgoing-legacy-header.ts) recorded that value as the client span's
 * `http.request.header.<name>` attribute, so the new trace starts from it, like an incoming one would.
 */
function planAppRootedClient(
  ctx: Context,
  options: SpanOptions,
  config: RootTraceIdTracerConfig,
): StartPlan | undefined {
  const attr = options.attributes?.[config.headerAttribute ?? requestHeaderAttribute(config.header)];
  if (attr === undefined) return undefined;
  const parent = trace.getSpanContext(ctx);
  if (parent !== undefined && isSpanContextValid(parent)) return undefined;
  const m = mapLegacyId(attr);
  if (!m.ok) return undefined;
  return {
    traceId: m.traceId,
    appRecord: { status: 'accepted', value: m.value, traceId: m.traceId, kind: m.kind, trusted: true },
  };
}

function entryAttributes(
  record: LegacyIdRecord,
  parentTraceId: string | undefined,
  config: RootTraceIdTracerConfig,
): Attributes {
  const attributes: Attributes = {};
  if (record.status === 'rejected') {
    attributes[ATTR_XTRACEID_OUTCOME] = 'rejected' satisfies LegacyIdOutcome;
    attributes[ATTR_XTRACEID_REJECTED_REASON] = record.reason;
    return attributes;
  }
  let outcome: LegacyIdOutcome;
  if (!record.trusted) outcome = 'untrusted';
  else if (parentTraceId === undefined) outcome = 'trace_root';
  else outcome = parentTraceId === record.traceId ? 'parent_match' : 'parent_conflict';
  attributes[config.headerAttribute ?? requestHeaderAttribute(config.header)] = [record.value];
  attributes[ATTR_XTRACEID_VALUE] = record.value;
  attributes[ATTR_XTRACEID_OUTCOME] = outcome;
  attributes[ATTR_XTRACEID_MAPPING] = record.kind;
  return attributes;
}

export type WarnOnce = (message: string) => void;

export function createWarnOnce(): WarnOnce {
  let warned = false;
  return message => {
    if (warned) return;
    warned = true;
    log.warn(message);
  };
}

/**
 * A TracerProvider whose tracers are {@link RootTraceIdTracer}s over the wrapped provider's tracers.
 * Hand it to instrumentations with `setTracerProvider` *after* they were enabled/registered: enabling
 * resets their tracer provider.
 */
export class RootTraceIdTracerProvider implements TracerProvider {
  private readonly _tracers = new Map<string, Tracer>();
  private readonly _warn: WarnOnce = createWarnOnce();

  readonly delegate: TracerProvider;

  constructor(
    delegate: TracerProvider,
    private readonly _idGenerator: LegacyTraceIdGenerator,
    private readonly _config: RootTraceIdTracerConfig,
  ) {
    // Installing twice must not stack wrappers (each would re-plan the same span).
    this.delegate = delegate instanceof RootTraceIdTracerProvider ? delegate.delegate : delegate;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this._tracers.get(key);
    if (tracer === undefined) {
      tracer = new RootTraceIdTracer(
        this.delegate.getTracer(name, version, options),
        this._idGenerator,
        this._config,
        this._warn,
      );
      this._tracers.set(key, tracer);
    }
    return tracer;
  }
}
