import { IdGenerator, RandomIdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * An IdGenerator that can be told, for exactly one upcoming span start, which trace id to answer.
 *
 * The SDK's Tracer gives no way to pick a trace id and passes no context to the IdGenerator, but it
 * calls `generateTraceId()` synchronously inside `startSpan`, and only for root spans. The tracer
 * wrapper (root-trace-id-tracer.ts) sets the pending id, calls `startSpan`, and clears it in `finally`,
 * so a pending id can never leak into an unrelated span.
 */
export class LegacyTraceIdGenerator implements IdGenerator {
  private _pending: string | undefined;
  private _consumed = false;

  constructor(private readonly _delegate: IdGenerator = new RandomIdGenerator()) {}

  generateTraceId(): string {
    const pending = this._pending;
    if (pending !== undefined) {
      this._pending = undefined;
      this._consumed = true;
      return pending;
    }
    return this._delegate.generateTraceId();
  }

  generateSpanId(): string {
    return this._delegate.generateSpanId();
  }

  /**
   * Runs `fn` with `traceId` as the answer of the next `generateTraceId()` call made during it.
   * `consumed` tells whether the tracer asked (false when the span had a valid parent, tracing was
   * suppressed, or the tracer belongs to a provider that does not use this generator).
   */
  withNextTraceId<T>(traceId: string, fn: () => T): { result: T; consumed: boolean } {
    const outerPending = this._pending;
    const outerConsumed = this._consumed;
    this._pending = traceId;
    this._consumed = false;
    try {
      const result = fn();
      return { result, consumed: this._consumed };
    } finally {
      this._pending = outerPending;
      this._consumed = outerConsumed;
    }
  }
}
