// Contexts as a short chain of (key, value) links. The API's own Context (BaseContext behind
// ROOT_CONTEXT) copies its whole Map on every setValue; a traced request sets ~4 values (extracted
// span context, legacy id, active span, RPC metadata) and each copy is a Map allocation. Five
// setValue + four getValue cost ~850 ns that way and ~75 ns as a chain (Node 20, this VM; see the
// package README, "Per-request cost").
//
// A chain keeps shadowed values alive and lookups walk it, so it is bounded: past MAX_LINKS links
// a setValue flattens the chain into one Map (each key once), as BaseContext would hold it. A
// context derived over and over (a loop that re-enters `with(setValue(active(), …))`) therefore
// keeps at most MAX_LINKS old values, never an unbounded history.
import { Context, ROOT_CONTEXT, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';

const MAX_LINKS = 8;

export class ChainedContext implements Context {
  /**
   * @param parent the context this one extends (undefined for the root and for flattened ones)
   * @param key the key this link sets (undefined only on the root); a deleted key is a link whose
   *   value is undefined, which hides the key further down the chain
   * @param links how many links lead from here to the root or to a flattened context
   * @param flat every other key's value, on a flattened context
   */
  constructor(
    private readonly parent: ChainedContext | undefined,
    private readonly key: symbol | undefined,
    private readonly value: unknown,
    private readonly links: number,
    private readonly flat: ReadonlyMap<symbol, unknown> | undefined,
  ) {}

  getValue(key: symbol): unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let c: ChainedContext | undefined = this;
    do {
      if (c.key === key) return c.value;
      if (c.flat !== undefined) return c.flat.get(key);
      c = c.parent;
    } while (c !== undefined);
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    if (this.links < MAX_LINKS) return new ChainedContext(this, key, value, this.links + 1, undefined);
    return new ChainedContext(undefined, key, value, 0, this.entriesWithout(key));
  }

  deleteValue(key: symbol): Context {
    return this.setValue(key, undefined);
  }

  /** The values this context holds, nearest link first wins, `skip` and deleted keys left out. */
  private entriesWithout(skip: symbol): Map<symbol, unknown> {
    const seen = new Map<symbol, unknown>();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let c: ChainedContext | undefined = this;
    do {
      if (c.key !== undefined && !seen.has(c.key)) seen.set(c.key, c.value);
      if (c.flat !== undefined) for (const [k, v] of c.flat) if (!seen.has(k)) seen.set(k, v);
      c = c.parent;
    } while (c !== undefined);
    seen.delete(skip);
    for (const [k, v] of seen) if (v === undefined) seen.delete(k);
    return seen;
  }
}

/**
 * The empty chained context. Only extraction starts from it: `context.active()` outside any context
 * stays the API's ROOT_CONTEXT, as upstream's context managers answer.
 */
export const CHAINED_ROOT: Context = new ChainedContext(undefined, undefined, undefined, 0, undefined);

/**
 * Wraps the global propagator so that extracting into the API's ROOT_CONTEXT (instrumentation-http
 * does, for every incoming request) builds a chained context instead. Also when nothing was
 * extracted (a request without trace headers): the caller goes on to set its span in the result,
 * and that is the copy this saves.
 */
export class ChainedRootPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(context === ROOT_CONTEXT ? CHAINED_ROOT : context, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
