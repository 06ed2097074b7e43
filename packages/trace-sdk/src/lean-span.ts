// The span our LeanTracer hands out: what @opentelemetry/sdk-trace 2.12.0's SpanImpl records, at a
// fraction of its per-span cost. lean-tracer.ts says why and how the two are kept equal.
import { Attributes, AttributeValue, diag, Exception, HrTime, Link, Span, SpanContext, SpanKind, SpanStatus, SpanStatusCode, TimeInput } from '@opentelemetry/api';
import {
  addHrTimes,
  hrTime,
  hrTimeDuration,
  InstrumentationScope,
  isAttributeValue,
  isTimeInput,
  isTimeInputHrTime,
  millisToHrTime,
  otperformance,
  sanitizeAttributes,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';

const hasOwn = Object.prototype.hasOwnProperty;
const perf = otperformance;

export const INSPECT = Symbol.for('nodejs.util.inspect.custom');
export type InspectOptionsLike = { depth?: number | null; stylize?: (text: string, style: string) => string };
export type InspectLike = (value: unknown, options: InspectOptionsLike) => string;

/** The resource's attributes that are known now (pending async detector values left out). */
export function settledAttributes(resource: Resource): Attributes {
  const out: Attributes = {};
  const raw = typeof resource.getRawAttributes === 'function' ? resource.getRawAttributes() : [];
  for (const [k, v] of raw) {
    if (v == null || typeof (v as { then?: unknown }).then === 'function') continue;
    if (!(k in out)) out[k] = v as Attributes[string];
  }
  return out;
}

/** `Name {…}` within util.inspect's depth, `[Name]` beyond it. */
export function inspectAs(name: string, payload: object, depth: number, options: InspectOptionsLike | undefined, inspect: InspectLike | undefined): unknown {
  if (typeof depth === 'number' && depth < 0) return options?.stylize ? options.stylize(`[${name}]`, 'special') : `[${name}]`;
  if (typeof inspect !== 'function' || !options) return payload;
  return `${name} ${inspect(payload, { ...options, depth: options.depth == null ? options.depth : options.depth - 1 })}`;
}

/** What every span of one tracer shares; the LeanTracer itself satisfies it. */
export interface LeanSpanShared {
  readonly _spanLimits: SpanLimits;
  readonly _spanProcessor: SpanProcessor;
  readonly _resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
}

/**
 * A recording span with SpanImpl's observable behaviour (fields, getters, limits, diag messages,
 * time arithmetic, processor calls), built by LeanTracer. Every instance gets the same fields in the
 * same order in the constructor, so the hot paths that read them (our processors, the encoder) stay
 * monomorphic. The field names of SpanImpl that code outside the SDK is known to touch are kept:
 * `_attributesCount` (the db-query processor keeps it right when it deletes an attribute) and
 * `_spanContext`.
 */
export class LeanSpan implements Span, ReadableSpan {
  // `declare`: no class-field definitions before the constructor runs; it assigns every field, always
  // in this order, so all spans share one hidden class.
  declare readonly _spanContext: SpanContext;
  declare readonly kind: SpanKind;
  declare readonly parentSpanContext: SpanContext | undefined;
  declare attributes: Attributes;
  declare readonly links: Link[];
  declare events: TimedEvent[];
  declare startTime: HrTime;
  declare readonly resource: Resource;
  declare readonly instrumentationScope: InstrumentationScope;
  declare _droppedAttributesCount: number;
  declare _droppedEventsCount: number;
  declare _droppedLinksCount: number;
  declare _attributesCount: number;
  declare name: string;
  declare status: SpanStatus;
  declare endTime: HrTime;
  declare _ended: boolean;
  declare _duration: HrTime;
  declare readonly _spanProcessor: SpanProcessor;
  declare readonly _spanLimits: SpanLimits;
  declare readonly _attributeValueLengthLimit: number;
  /** Date.now() when the span was built; with _performanceStartTime it gives SpanImpl's clock offset. */
  declare readonly _epochStart: number;
  declare readonly _performanceStartTime: number;
  declare readonly _startTimeProvided: boolean;

  /**
   * `ownedAttributes`: start attributes the tracer has checked need nothing more (no null values,
   * none over a limit, an object nobody else holds); they become the span's attributes as they are.
   * Otherwise the tracer adds the links, then passes the attributes to _initAttributes.
   */
  constructor(
    shared: LeanSpanShared,
    spanContext: SpanContext,
    parentSpanContext: SpanContext | undefined,
    name: string,
    kind: SpanKind,
    startTime: TimeInput | undefined,
    ownedAttributes: Attributes | undefined,
    ownedCount: number,
  ) {
    const now = Date.now();
    const perfNow = perf.now();
    this._spanContext = spanContext;
    this.kind = kind;
    this.parentSpanContext = parentSpanContext;
    this.attributes = ownedAttributes ?? {};
    this.links = [];
    this.events = [];
    this.resource = shared._resource;
    this.instrumentationScope = shared.instrumentationScope;
    this._droppedAttributesCount = 0;
    this._droppedEventsCount = 0;
    this._droppedLinksCount = 0;
    this._attributesCount = ownedCount;
    this.name = name;
    this.status = { code: SpanStatusCode.UNSET };
    this.endTime = [0, 0];
    this._ended = false;
    this._duration = [-1, -1];
    this._spanProcessor = shared._spanProcessor;
    this._spanLimits = shared._spanLimits;
    this._attributeValueLengthLimit = shared._spanLimits.attributeValueLengthLimit ?? 0;
    this._epochStart = now;
    this._performanceStartTime = perfNow;
    this._startTimeProvided = startTime != null;
    // Date.now() is never below performance.now() outside a test clock; the check keeps SpanImpl's rule.
    this.startTime = startTime == null && now > perfNow ? millisToHrTime(now) : this._time(startTime ?? now);
  }

  spanContext(): SpanContext {
    return this._spanContext;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (value == null || this._rejectEnded()) return this;
    if (key.length === 0) {
      diag.warn(`Invalid attribute key: ${key}`);
      return this;
    }
    const t = typeof value;
    if (t !== 'string' && t !== 'number' && t !== 'boolean' && !isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const attributes = this.attributes;
    const isNew = !hasOwn.call(attributes, key);
    const limit = this._spanLimits.attributeCountLimit;
    if (isNew && limit !== undefined && this._attributesCount >= limit) {
      this._droppedAttributesCount++;
      return this;
    }
    attributes[key] = this._truncate(value);
    if (isNew) this._attributesCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (hasOwn.call(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  /** The start attributes, already sanitized by the tracer, through setAttribute's rules. */
  _initAttributes(sanitized: Attributes): void {
    const attributes = this.attributes;
    const limit = this._spanLimits.attributeCountLimit;
    for (const key in sanitized) {
      if (!hasOwn.call(sanitized, key)) continue;
      const value = sanitized[key];
      if (value == null) continue;
      // Keys are unique and already valid here; only the count limit and truncation apply.
      const isNew = !hasOwn.call(attributes, key);
      if (isNew && limit !== undefined && this._attributesCount >= limit) {
        this._droppedAttributesCount++;
        continue;
      }
      attributes[key] = this._truncate(value);
      if (isNew) this._attributesCount++;
    }
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, timeStamp?: TimeInput): this {
    if (this._rejectEnded()) return this;
    const limits = this._spanLimits;
    const eventCountLimit = limits.eventCountLimit;
    if (eventCountLimit === 0) {
      diag.warn('No events allowed.');
      this._droppedEventsCount++;
      return this;
    }
    if (eventCountLimit !== undefined && this.events.length >= eventCountLimit) {
      if (this._droppedEventsCount === 0) diag.debug('Dropping extra events.');
      this.events.shift();
      this._droppedEventsCount++;
    }
    let given: Attributes | undefined;
    if (isTimeInput(attributesOrStartTime)) {
      if (!isTimeInput(timeStamp)) timeStamp = attributesOrStartTime;
    } else {
      given = attributesOrStartTime;
    }
    const { attributes, dropped } = this._limitedAttributes(sanitizeAttributes(given), limits.attributePerEventCountLimit);
    this.events.push({ name, attributes, time: this._time(timeStamp), droppedAttributesCount: dropped });
    return this;
  }

  /** An event's or a link's own attributes: the first `limit` kept (truncated), the rest counted. */
  private _limitedAttributes(sanitized: Attributes, limit: number | undefined): { attributes: Attributes; kept: number; dropped: number } {
    const attributes: Attributes = {};
    let kept = 0;
    let dropped = 0;
    for (const key in sanitized) {
      if (!hasOwn.call(sanitized, key)) continue;
      if (limit !== undefined && kept >= limit) {
        dropped++;
        continue;
      }
      attributes[key] = this._truncate(sanitized[key]);
      kept++;
    }
    return { attributes, kept, dropped };
  }

  addLink(link: Link): this {
    if (this._rejectEnded()) return this;
    const limits = this._spanLimits;
    const linkCountLimit = limits.linkCountLimit;
    if (linkCountLimit === 0) {
      this._droppedLinksCount++;
      return this;
    }
    if (linkCountLimit !== undefined && this.links.length >= linkCountLimit) {
      if (this._droppedLinksCount === 0) diag.debug('Dropping extra links.');
      this.links.shift();
      this._droppedLinksCount++;
    }
    const { attributes, kept, dropped } = this._limitedAttributes(sanitizeAttributes(link.attributes), limits.attributePerLinkCountLimit);
    const stored: Link = { context: link.context };
    if (kept > 0) stored.attributes = attributes;
    if (dropped > 0) stored.droppedAttributesCount = dropped;
    this.links.push(stored);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this._rejectEnded()) return this;
    if (status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR) {
      const message: unknown = status.message;
      if (typeof message === 'string') next.message = message;
      else if (message != null) diag.warn(`Dropping invalid status.message of type '${typeof message}', expected 'string'`);
    }
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (this._rejectEnded()) return this;
    this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this._rejectEnded()) {
      diag.error(`${this.name} ${this._spanContext.traceId}-${this._spanContext.spanId} - You can only call end() on a span once.`);
      return;
    }
    this.endTime = this._time(endTime);
    this._duration = hrTimeDuration(this.startTime, this.endTime);
    if (this._duration[0] < 0) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.', this.startTime, this.endTime);
      this.endTime = this.startTime.slice() as HrTime;
      this._duration = [0, 0];
    }
    if (this._droppedEventsCount > 0) diag.warn(`Dropped ${this._droppedEventsCount} events because eventCountLimit reached`);
    if (this._droppedLinksCount > 0) diag.warn(`Dropped ${this._droppedLinksCount} links because linkCountLimit reached`);
    const processor = this._spanProcessor;
    if (processor.onEnding) processor.onEnding(this);
    this._ended = true;
    processor.onEnd(this);
  }

  isRecording(): boolean {
    return this._ended === false;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else if (exception) {
      if (exception.code) attributes['exception.type'] = exception.code.toString();
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${exception}`);
  }

  get duration(): HrTime {
    return this._duration;
  }

  get ended(): boolean {
    return this._ended;
  }

  get droppedAttributesCount(): number {
    return this._droppedAttributesCount;
  }

  get droppedEventsCount(): number {
    return this._droppedEventsCount;
  }

  get droppedLinksCount(): number {
    return this._droppedLinksCount;
  }

  /** util.inspect / console.log: the fields SpanImpl shows, not the processor and limits behind them. */
  [INSPECT](depth: number, options: InspectOptionsLike | undefined, inspect: InspectLike | undefined): unknown {
    const payload = {
      name: this.name,
      kind: this.kind,
      spanContext: this._spanContext,
      parentSpanContext: this.parentSpanContext,
      status: this.status,
      startTime: this.startTime,
      endTime: this.endTime,
      duration: this._duration,
      ended: this._ended,
      attributes: this.attributes,
      events: this.events,
      links: this.links,
      droppedAttributesCount: this._droppedAttributesCount,
      droppedEventsCount: this._droppedEventsCount,
      droppedLinksCount: this._droppedLinksCount,
      instrumentationScope: this.instrumentationScope,
      resource: { attributes: settledAttributes(this.resource) },
    };
    return inspectAs('LeanSpan', payload, depth, options, inspect);
  }

  /** True (and a diag warning, as SpanImpl gives) when the span has ended. */
  private _rejectEnded(): boolean {
    if (!this._ended) return false;
    const { traceId, spanId } = this._spanContext;
    diag.warn(`Cannot execute the operation on ended Span {traceId: ${traceId}, spanId: ${spanId}}`, new Error(`Operation attempted on ended Span {traceId: ${traceId}, spanId: ${spanId}}`));
    return true;
  }

  /**
   * A time input as SpanImpl reads it: numbers not after performance.now() are performance
   * timestamps (moved onto the epoch with the offset measured when the span started), larger numbers
   * are epoch milliseconds; Dates and HrTimes are taken as they are; nothing means "now", measured
   * from the start time with the monotonic clock unless the start time was given.
   */
  _time(input: TimeInput | undefined): HrTime {
    if (typeof input === 'number') {
      if (input <= perf.now()) return hrTime(input + (this._epochStart - (this._performanceStartTime + perf.timeOrigin)));
      return millisToHrTime(input);
    }
    if (input instanceof Date) return millisToHrTime(input.getTime());
    if (isTimeInputHrTime(input)) return input as HrTime;
    if (this._startTimeProvided) return millisToHrTime(Date.now());
    return addHrTimes(this.startTime, millisToHrTime(perf.now() - this._performanceStartTime));
  }

  /** attributeValueLengthLimit applied to a string or to each string of an array (a new array). */
  _truncate<V extends AttributeValue | undefined>(value: V): V {
    const limit = this._attributeValueLengthLimit;
    if (limit <= 0) {
      diag.warn(`Attribute value limit must be positive, got ${limit}`);
      return value;
    }
    if (typeof value === 'string') return (value.length <= limit ? value : value.substring(0, limit)) as V;
    if (Array.isArray(value)) return (value as unknown[]).map(truncateElement, limit) as V;
    return value;
  }
}

function truncateElement(this: number, v: unknown): unknown {
  return typeof v === 'string' && !(v.length <= this) ? v.substring(0, this) : v;
}
