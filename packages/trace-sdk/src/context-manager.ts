// The context manager: AsyncLocalStorage, like upstream's AsyncLocalStorageContextManager, with the
// same observable behaviour, but a cheaper `bind`. instrumentation-http binds the request and the
// response of every incoming request (two EventEmitters) and every listener added to them later;
// upstream does that with eight new closures per emitter, a WeakMap per event name, and two closures
// per listener call. Here an emitter gets one small state object and shared methods, a listener one
// wrapper, and a call no closure at all (measured in the package README, "Per-request cost").
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { Context, ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

type Listener = (...args: unknown[]) => unknown;
type Method = (this: unknown, event: string | symbol, listener: Listener) => unknown;

/** On a bound emitter: the context its listeners run in, and its methods from before binding. */
const BOUND = Symbol('org.trace.context.bound-emitter');
/** On a listener wrapper: the listener it wraps (removeListener is given that one). */
const ORIGINAL = Symbol('org.trace.context.original-listener');

interface BoundState {
  readonly als: AsyncLocalStorage<Context>;
  readonly ctx: Context;
  readonly on: Method;
  readonly addListener: Method;
  readonly prependListener: Method;
  readonly removeListener: Method;
  readonly off: Method;
}

type BoundEmitter = EventEmitter & { [BOUND]?: BoundState };
type Wrapper = Listener & { [ORIGINAL]?: Listener };

type WrapperMaker = (als: AsyncLocalStorage<Context>, ctx: Context, target: Listener) => Listener;

// Wrappers with the target's arity (some libraries dispatch on a function's length), made by one of
// these instead of a defineProperty('length') per wrapper: that call was most of a bind's cost, and
// instrumentation-http binds a few listeners per request. `arguments` and Reflect.apply as the
// callback: `this` and the arguments reach the target without an array or closure per call.
/* eslint-disable @typescript-eslint/no-unused-vars, prefer-rest-params */
const WRAPPER_BY_ARITY: readonly WrapperMaker[] = [
  (als, ctx, target) => function (this: unknown) { return als.run(ctx, Reflect.apply, target, this, arguments); },
  (als, ctx, target) => function (this: unknown, _a: unknown) { return als.run(ctx, Reflect.apply, target, this, arguments); },
  (als, ctx, target) => function (this: unknown, _a: unknown, _b: unknown) { return als.run(ctx, Reflect.apply, target, this, arguments); },
  (als, ctx, target) => function (this: unknown, _a: unknown, _b: unknown, _c: unknown) { return als.run(ctx, Reflect.apply, target, this, arguments); },
];
/* eslint-enable @typescript-eslint/no-unused-vars, prefer-rest-params */

function bindFunction<T extends Listener>(als: AsyncLocalStorage<Context>, ctx: Context, target: T): T {
  const arity = target.length;
  // A small non-negative integer (a redefined `length` can be anything: it is copied as it is).
  if (arity >>> 0 === arity && arity < WRAPPER_BY_ARITY.length) return WRAPPER_BY_ARITY[arity](als, ctx, target) as T;
  const wrapper = WRAPPER_BY_ARITY[0](als, ctx, target);
  Object.defineProperty(wrapper, 'length', { enumerable: false, configurable: true, writable: false, value: arity });
  return wrapper as T;
}

function wrapListener(s: BoundState, listener: unknown): unknown {
  // Not a function: let the emitter's own method raise its usual error.
  if (typeof listener !== 'function') return listener;
  const w = bindFunction(s.als, s.ctx, listener as Listener) as Wrapper;
  w[ORIGINAL] = listener as Listener;
  return w;
}

// One set of methods for every bound emitter; each finds its state on `this`. Called on an object
// that was never bound (a method borrowed onto another emitter), they behave like EventEmitter's.
function on(this: BoundEmitter, event: string | symbol, listener: Listener): unknown {
  const s = this[BOUND];
  if (s === undefined) return EventEmitter.prototype.on.call(this, event, listener);
  return s.on.call(this, event, wrapListener(s, listener) as Listener);
}

function addListener(this: BoundEmitter, event: string | symbol, listener: Listener): unknown {
  const s = this[BOUND];
  if (s === undefined) return EventEmitter.prototype.addListener.call(this, event, listener);
  return s.addListener.call(this, event, wrapListener(s, listener) as Listener);
}

function prependListener(this: BoundEmitter, event: string | symbol, listener: Listener): unknown {
  const s = this[BOUND];
  if (s === undefined) return EventEmitter.prototype.prependListener.call(this, event, listener);
  return s.prependListener.call(this, event, wrapListener(s, listener) as Listener);
}

/**
 * The registered function standing for `listener`: its wrapper (also inside a `once` wrapper, whose
 * `.listener` Node.js matches itself). The last match, as Node.js's removeListener removes the
 * most recently added one.
 */
function registeredFor(ee: EventEmitter, event: string | symbol, listener: unknown): unknown {
  if (typeof listener !== 'function') return listener;
  const raw = ee.rawListeners(event) as Array<Wrapper & { listener?: Wrapper }>;
  for (let i = raw.length - 1; i >= 0; i--) {
    const r = raw[i];
    if (r === listener || r.listener === listener) return listener;
    const orig: Listener | undefined = r[ORIGINAL];
    if (orig !== undefined && (orig === listener || (orig as { listener?: unknown }).listener === listener)) return r;
    const inner: Wrapper | undefined = r.listener;
    if (inner !== undefined && inner[ORIGINAL] === listener) return inner;
  }
  return listener;
}

function removeListener(this: BoundEmitter, event: string | symbol, listener: Listener): unknown {
  const s = this[BOUND];
  if (s === undefined) return EventEmitter.prototype.removeListener.call(this, event, listener);
  return s.removeListener.call(this, event, registeredFor(this, event, listener) as Listener);
}

function off(this: BoundEmitter, event: string | symbol, listener: Listener): unknown {
  const s = this[BOUND];
  if (s === undefined) return EventEmitter.prototype.off.call(this, event, listener);
  return s.off.call(this, event, registeredFor(this, event, listener) as Listener);
}

export class LeanContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const cb = thisArg == null ? fn : fn.bind(thisArg);
    return this.als.run(context, cb, ...args);
  }

  bind<T>(context: Context, target: T): T {
    if (target instanceof EventEmitter) return this.bindEmitter(context, target) as T;
    if (typeof target === 'function') return bindFunction(this.als, context, target as unknown as Listener) as unknown as T;
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.als.disable();
    return this;
  }

  /**
   * Listeners added to `ee` from now on run in `context` (those added before keep theirs). An emitter
   * is bound once: binding it again keeps the first context, as upstream does.
   */
  private bindEmitter(context: Context, ee: BoundEmitter): EventEmitter {
    if (ee[BOUND] !== undefined) return ee;
    const m = ee as unknown as Record<string, Method>;
    ee[BOUND] = {
      als: this.als,
      ctx: context,
      on: m.on,
      addListener: m.addListener,
      prependListener: m.prependListener,
      removeListener: m.removeListener,
      off: m.off,
    };
    // `once` / `prependOnceListener` add their wrapper through `on` / `prependListener`: covered.
    m.on = on as Method;
    m.addListener = addListener as Method;
    m.prependListener = prependListener as Method;
    m.removeListener = removeListener as Method;
    m.off = off as Method;
    return ee;
  }
}
