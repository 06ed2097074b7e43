import { Context, diag, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { legacyHeaderValue, setLegacyId } from './legacy-id-context';
import { ResolvedXTraceIdOptions } from './options';
import { mapLegacyId } from './xtraceid-mapping';

/** Name under which the SDK registers this propagator in `OTEL_PROPAGATORS`. */
export const XTRACEID_PROPAGATOR_NAME = 'xtraceid';

const log = diag.createComponentLogger({ namespace: '@org/trace-propagator' });

/**
 * The `xtraceid` propagator. It never touches the W3C span context itself: extraction only stores what
 * the legacy header said (see legacy-id-context.ts) and the tracer wrapper decides, at span start,
 * whether that becomes the trace id. That keeps "traceparent wins" true whatever the order of
 * propagators in `OTEL_PROPAGATORS`.
 */
export class XTraceIdPropagator implements TextMapPropagator {
  private readonly _header: string;
  private readonly _fields: string[];

  constructor(private readonly _options: ResolvedXTraceIdOptions) {
    this._header = _options.header;
    this._fields = [_options.header];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const value = legacyHeaderValue(context, this._options.format);
      if (value !== undefined) setter.set(carrier, this._header, value);
    } catch (err) {
      // A propagator runs inside every outgoing request of the host app: never throw into it.
      log.debug('xtraceid inject failed', err);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      // Looked up by lower-case name, exactly like `traceparent`: node:http lower-cases incoming names,
      // and instrumentations with case-preserving carriers supply case-insensitive getters.
      const raw = getter.get(carrier, this._header);
      if (raw === undefined) return context;
      const m = mapLegacyId(raw, this._options.maxLength);
      return setLegacyId(
        context,
        m.ok
          ? { status: 'accepted', value: m.value, traceId: m.traceId, kind: m.kind, trusted: this._options.extract }
          : { status: 'rejected', reason: m.reason },
      );
    } catch (err) {
      log.debug('xtraceid extract failed', err);
      return context;
    }
  }

  fields(): string[] {
    return this._fields.slice();
  }
}
