import { Attributes, Context, context as contextApi, diag, INVALID_SPAN_CONTEXT, Link, Span, SpanContext, SpanKind, SpanOptions, trace, TraceFlags, Tracer } from '@opentelemetry/api';
import { InstrumentationScope, isTracingSuppressed, sanitizeAttributes } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, IdGenerator, ParentBasedSampler, Sampler, SamplingDecision, SpanLimits, SpanProcessor, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { INSPECT, inspectAs, InspectLike, InspectOptionsLike, LeanSpan, settledAttributes } from './lean-span';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Starts spans as @opentelemetry/sdk-trace 2.12.0's Tracer does, for about half of its CPU.
 *
 * Why: measured on Node 20 (this project's VM), the SDK's span lifecycle (startSpan with 11
 * attributes, two setAttribute, setStatus, end, a no-op processor, RandomIdGenerator) costs
 * ~2.1–2.3 µs, this one ~1.1 µs; in a CPU profile of the in-process request benchmark the
 * tracer's share of a traced request (startSpan, setAttributes, end) went from ~2.2 to ~1.5 µs, where
 * issue #8 is a few µs from its budget. The SDK sanitizes the start attributes twice (before the
 * sampler, and again after merging the sampler's attributes), then SpanImpl validates each one a
 * third time in setAttribute; links are mapped even when there are none; span metrics are counted
 * against a no-op meter.
 *
 * Here the start attributes are validated once, in one pass that also learns whether they need
 * anything more (null values, values over attributeValueLengthLimit, more than attributeCountLimit);
 * when they do not, and the sampler is one of the SDK's own (which neither keep nor return
 * attributes), that object becomes the span's attributes. Everything else keeps the SDK's order and
 * rules: suppressed context and NOT_RECORD give the API's non-recording span; `root` ignores the
 * context's span; a missing or invalid parent starts a new trace (span id drawn first, then the
 * trace id); the sampler sees the sanitized attributes and links; its traceState and attributes
 * are applied; the processor's onStart runs before the span is returned. Same diag messages.
 *
 * The configuration (sampler, limits after defaults, id generator, resource, the provider's span
 * processor, scope) is read from the SDK tracer the provider built: LeanTracerProvider says how.
 * test/lean-tracer-parity.test.ts runs generated and hand-written operation scripts against both.
 */
export class LeanTracer implements Tracer {
  readonly instrumentationScope: InstrumentationScope;
  readonly _sampler: Sampler;
  readonly _spanLimits: SpanLimits;
  readonly _idGenerator: IdGenerator;
  readonly _resource: Resource;
  readonly _spanProcessor: SpanProcessor;
  /** The sampler keeps no reference to the attributes it is shown and adds none (the SDK's own samplers). */
  readonly _samplerKeepsNothing: boolean;
  /** Out-parameters of _sanitizeStart (one call at a time: startSpan is synchronous up to there).
   * `_owned`: nothing in the attributes needs the per-attribute rules; startSpan still checks the sampler. */
  private _count = 0;
  private _owned = false;

  constructor(scope: InstrumentationScope, sampler: Sampler, spanLimits: SpanLimits, idGenerator: IdGenerator, resource: Resource, spanProcessor: SpanProcessor) {
    this.instrumentationScope = scope;
    this._sampler = sampler;
    this._spanLimits = spanLimits;
    this._idGenerator = idGenerator;
    this._resource = resource;
    this._spanProcessor = spanProcessor;
    this._samplerKeepsNothing = isSdkSampler(sampler, 0);
  }

  /**
   * A LeanTracer with the configuration of an SDK 2.12.0 Tracer, read from its (private) fields;
   * undefined when any of them is missing or not what 2.12.0 puts there.
   */
  static fromSdkTracer(sdkTracer: unknown): LeanTracer | undefined {
    if (typeof sdkTracer !== 'object' || sdkTracer === null) return undefined;
    const t = sdkTracer as Record<string, unknown>;
    const scope = t.instrumentationScope as InstrumentationScope | undefined;
    const sampler = t._sampler as Sampler | undefined;
    const limits = t._spanLimits as SpanLimits | undefined;
    const ids = t._idGenerator as IdGenerator | undefined;
    const resource = t._resource as Resource | undefined;
    const processor = t._spanProcessor as SpanProcessor | undefined;
    const metrics = t._tracerMetrics as { startSpan?: unknown } | undefined;
    if (typeof scope !== 'object' || scope === null || typeof scope.name !== 'string') return undefined;
    if (typeof sampler !== 'object' || sampler === null || typeof sampler.shouldSample !== 'function') return undefined;
    if (typeof limits !== 'object' || limits === null) return undefined;
    for (const k of LIMIT_KEYS) {
      if (!hasOwn.call(limits, k)) return undefined;
    }
    if (typeof ids !== 'object' || ids === null || typeof ids.generateSpanId !== 'function' || typeof ids.generateTraceId !== 'function') return undefined;
    // Not resource.attributes: reading it before async detectors settle logs a diag error.
    if (typeof resource !== 'object' || resource === null || typeof resource.merge !== 'function') return undefined;
    if (typeof processor !== 'object' || processor === null || typeof processor.onStart !== 'function' || typeof processor.onEnd !== 'function') return undefined;
    // 2.12.0's tracer counts spans in TracerMetrics; a tracer without it is a version we do not know.
    if (typeof metrics !== 'object' || metrics === null || typeof metrics.startSpan !== 'function') return undefined;
    return new LeanTracer(scope, sampler, limits, ids, resource, processor);
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = contextApi.active()): Span {
    if (options.root) ctx = trace.deleteSpan(ctx);
    const parentSpan = trace.getSpan(ctx);
    if (isTracingSuppressed(ctx)) {
      diag.debug('Instrumentation suppressed, returning Noop Span');
      return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
    const parentSpanContext = parentSpan?.spanContext();
    const spanId = this._idGenerator.generateSpanId();
    let parent: SpanContext | undefined;
    let traceId: string;
    let traceState;
    if (!parentSpanContext || !trace.isSpanContextValid(parentSpanContext)) {
      traceId = this._idGenerator.generateTraceId();
    } else {
      traceId = parentSpanContext.traceId;
      traceState = parentSpanContext.traceState;
      parent = parentSpanContext;
    }
    const kind = options.kind ?? SpanKind.INTERNAL;
    const givenLinks = options.links;
    const links: Link[] = givenLinks == null ? [] : givenLinks.map(linkForSampler);
    const attributes = this._sanitizeStart(options.attributes);
    const count = this._count;
    let owned = this._owned;

    const result = this._sampler.shouldSample(ctx, traceId, name, kind, attributes, links);
    traceState = result.traceState ?? traceState;
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags: result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState,
    };
    if (result.decision === SamplingDecision.NOT_RECORD) {
      diag.debug('Recording is off, propagating context in a non-recording span');
      return trace.wrapSpanContext(spanContext);
    }
    let initial = attributes;
    if (!this._samplerKeepsNothing || result.attributes != null) {
      // A sampler of unknown kind may have changed what it was shown, or added attributes: the
      // merged set is validated again, as the SDK does, and goes through the per-attribute rules.
      initial = sanitizeAttributes(Object.assign(attributes, result.attributes));
      owned = false;
    }

    const span = new LeanSpan(this, spanContext, parent, name, kind, options.startTime, owned ? initial : undefined, owned ? count : 0);
    for (let i = 0; i < links.length; i++) span.addLink(links[i]);
    if (!owned) span._initAttributes(initial);
    this._spanProcessor.onStart(span, ctx);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a2?: F | SpanOptions, a3?: F | Context, a4?: F): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    const n = arguments.length;
    if (n < 2) return undefined;
    if (n === 2) {
      fn = a2 as F;
    } else if (n === 3) {
      options = a2 as SpanOptions;
      fn = a3 as F;
    } else {
      options = a2 as SpanOptions;
      ctx = a3 as Context;
      fn = a4 as F;
    }
    const parentContext = ctx ?? contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }

  [INSPECT](depth: number, options: InspectOptionsLike | undefined, inspect: InspectLike | undefined): unknown {
    const payload = { instrumentationScope: this.instrumentationScope, resource: { attributes: settledAttributes(this._resource) }, spanLimits: this._spanLimits };
    return inspectAs('LeanTracer', payload, depth, options, inspect);
  }

  /**
   * The start attributes as the SDK's sanitizeAttributes gives them (same keys, order, copies of
   * arrays, warnings), and in the same pass: how many non-null values, and whether the object can
   * be the span's attributes as it is (`_owned`).
   */
  private _sanitizeStart(given: Attributes | undefined): Attributes {
    const out: Attributes = {};
    this._count = 0;
    this._owned = false;
    if (typeof given !== 'object' || given === null) {
      this._owned = true;
      return out;
    }
    const lengthLimit = this._spanLimits.attributeValueLengthLimit ?? 0;
    let clean = lengthLimit > 0;
    let count = 0;
    for (const key in given) {
      if (!hasOwn.call(given, key)) continue;
      if (key === '') {
        diag.warn(`Invalid attribute key: ${key}`);
        continue;
      }
      const value = given[key];
      const t = typeof value;
      if (t === 'string') {
        if (!((value as string).length <= lengthLimit)) clean = false;
      } else if (t !== 'number' && t !== 'boolean') {
        if (value == null) {
          // Kept for the sampler, as the SDK keeps it; never an attribute of the span.
          out[key] = value;
          clean = false;
          continue;
        }
        if (!Array.isArray(value) || !isHomogeneous(value)) {
          diag.warn(`Invalid attribute value set for key: ${key}`);
          continue;
        }
        const copy = value.slice();
        for (let i = 0; i < copy.length; i++) {
          const e = copy[i];
          if (typeof e === 'string' && !(e.length <= lengthLimit)) clean = false;
        }
        out[key] = copy;
        count++;
        if (key === '__proto__') clean = false;
        continue;
      }
      out[key] = value;
      count++;
      // Assigning '__proto__' does not make an own key: let the per-attribute path count what stays.
      if (key === '__proto__') clean = false;
    }
    const countLimit = this._spanLimits.attributeCountLimit;
    if (countLimit !== undefined && !(count <= countLimit)) clean = false;
    this._count = count;
    this._owned = clean;
    return out;
  }
}

const LIMIT_KEYS = ['attributeCountLimit', 'attributeValueLengthLimit', 'eventCountLimit', 'linkCountLimit', 'attributePerEventCountLimit', 'attributePerLinkCountLimit'];

/** What the SDK gives the sampler for each link: its context and its sanitized attributes. */
function linkForSampler(link: Link): Link {
  return { context: link.context, attributes: sanitizeAttributes(link.attributes) };
}

/** isAttributeValue's rule for arrays: one primitive type (string, number or boolean), nulls allowed. */
function isHomogeneous(arr: unknown[]): boolean {
  let type: string | undefined;
  for (const e of arr) {
    if (e == null) continue;
    const t = typeof e;
    if (t === type) continue;
    if (type === undefined && (t === 'string' || t === 'number' || t === 'boolean')) {
      type = t;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * Is this sampler, and every sampler it delegates to, exactly one of the SDK's built-in ones (not a
 * subclass, no own shouldSample)? Those neither keep the attributes they are shown nor add any.
 */
function isSdkSampler(s: unknown, depth: number): boolean {
  if (typeof s !== 'object' || s === null || depth > 4 || hasOwn.call(s, 'shouldSample')) return false;
  const proto = Object.getPrototypeOf(s);
  if (proto === AlwaysOnSampler.prototype || proto === AlwaysOffSampler.prototype || proto === TraceIdRatioBasedSampler.prototype) return true;
  if (proto !== ParentBasedSampler.prototype) return false;
  const p = s as Record<string, unknown>;
  for (const k of ['_root', '_remoteParentSampled', '_remoteParentNotSampled', '_localParentSampled', '_localParentNotSampled']) {
    if (!isSdkSampler(p[k], depth + 1)) return false;
  }
  return true;
}
