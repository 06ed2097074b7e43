import type { Tracer, TracerOptions } from '@opentelemetry/api';
import { TracerProvider, TracerProviderOptions } from '@opentelemetry/sdk-trace';
import { LeanTracer } from './lean-tracer';

/**
 * @opentelemetry/sdk-trace's TracerProvider whose tracers are LeanTracers (lean-tracer.ts says why).
 *
 * Configuration is not re-derived here, so it cannot drift from upstream: getTracer() asks the SDK
 * for its tracer once per (name, version, schemaUrl) — the SDK's own cache key — and builds the
 * LeanTracer from that tracer's resolved fields (sampler, span limits after the defaults are merged,
 * id generator, resource, the provider's span processor, instrumentation scope). When those fields
 * are not what the pinned 2.12.0 has (another SDK version), or a meterProvider was given (the SDK
 * would count spans in it; the lean tracer does not), the SDK tracer is returned unchanged.
 * forceFlush/shutdown and everything else are the SDK's.
 */
export class LeanTracerProvider extends TracerProvider {
  private readonly _leanByTracer = new Map<Tracer, Tracer>();
  private readonly _leanAllowed: boolean;

  constructor(options: TracerProviderOptions = {}, lean = true) {
    super(options);
    this._leanAllowed = lean && options.meterProvider === undefined;
  }

  override getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const sdkTracer = super.getTracer(name, version, options);
    if (!this._leanAllowed) return sdkTracer;
    let tracer = this._leanByTracer.get(sdkTracer);
    if (tracer === undefined) {
      tracer = LeanTracer.fromSdkTracer(sdkTracer) ?? sdkTracer;
      this._leanByTracer.set(sdkTracer, tracer);
    }
    return tracer;
  }
}
