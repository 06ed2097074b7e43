// LeanContextManager must behave like upstream's AsyncLocalStorageContextManager for everything
// instrumentations rely on: with/active, bound functions, and bound EventEmitters (listeners run in
// the bound context and can still be removed by the function the caller holds).
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Context, ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { LeanContextManager } from '../src/context-manager';

const KEY = createContextKey('test');
const ctxA = ROOT_CONTEXT.setValue(KEY, 'a');
const ctxB = ROOT_CONTEXT.setValue(KEY, 'b');
const m = new LeanContextManager().enable();
const current = () => m.active().getValue(KEY);

afterAll(() => m.disable());

describe('LeanContextManager', () => {
  it('with() sets the context for the call (this and arguments passed) and restores it', () => {
    expect(m.active()).toBe(ROOT_CONTEXT);
    const self = { x: 1 };
    const out = m.with(ctxA, function (this: typeof self, a: number, b: number) {
      expect(current()).toBe('a');
      m.with(ctxB, () => expect(current()).toBe('b'));
      expect(current()).toBe('a');
      return this.x + a + b;
    }, self, 2, 3);
    expect(out).toBe(6);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('carries the context across async boundaries', async () => {
    const seen = await m.with(ctxA, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return current();
    });
    expect(seen).toBe('a');
  });

  it('a bound function runs in its context with its this, arguments, result and arity', () => {
    function target(this: { k: string }, a: string, b: string): string {
      return `${this.k}${a}${b}${String(current())}`;
    }
    const bound = m.bind(ctxA, target);
    expect(bound.length).toBe(2);
    expect(m.with(ctxB, () => bound.call({ k: 'k' }, '1', '2'))).toBe('k12a');
    expect(m.bind(ctxA, 42 as unknown)).toBe(42);
  });

  it('a bound function keeps any arity, passes every argument, and copies an odd length as it is', () => {
    const fns = [
      () => current(),
      (a: unknown) => [a, current()],
      (a: unknown, b: unknown) => [a, b, current()],
      (a: unknown, b: unknown, c: unknown) => [a, b, c, current()],
      (a: unknown, b: unknown, c: unknown, d: unknown) => [a, b, c, d, current()],
      (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => [a, b, c, d, e, current()],
      (...rest: unknown[]) => [...rest, current()],
    ];
    for (const fn of fns) {
      const bound = m.bind(ctxA, fn) as (...args: unknown[]) => unknown;
      expect(bound.length).toBe(fn.length);
      // More arguments than declared still reach the target (`arguments`, not the named ones).
      const result = m.with(ctxB, () => bound(1, 2, 3, 4, 5, 6)) as unknown;
      if (fn.length === 0 && fn !== fns[fns.length - 1]) expect(result).toBe('a');
      else expect((result as unknown[]).slice(-1)).toEqual(['a']);
    }
    for (const odd of [-1, 2.5, 'x', 1e9]) {
      const fn = function () {
        return current();
      };
      Object.defineProperty(fn, 'length', { value: odd });
      const bound = m.bind(ctxA, fn);
      expect(bound.length).toBe(odd);
      expect(m.with(ctxB, () => bound())).toBe('a');
    }
  });

  it('listeners added to a bound emitter run in the bound context; earlier ones keep theirs', () => {
    const ee = new EventEmitter();
    const seen: unknown[] = [];
    ee.on('x', () => seen.push(['before', current()]));
    m.bind(ctxA, ee);
    ee.on('x', () => seen.push(['on', current()]));
    ee.addListener('x', () => seen.push(['addListener', current()]));
    ee.prependListener('x', () => seen.push(['prepend', current()]));
    m.with(ctxB, () => ee.emit('x'));
    expect(seen).toEqual([['prepend', 'a'], ['before', 'b'], ['on', 'a'], ['addListener', 'a']]);
  });

  it('removeListener / off take the function the caller added', () => {
    const ee = m.bind(ctxA, new EventEmitter());
    const f = jest.fn();
    const g = jest.fn();
    ee.on('x', f);
    ee.on('x', g);
    ee.removeListener('x', f);
    ee.emit('x');
    expect(f).not.toHaveBeenCalled();
    expect(g).toHaveBeenCalledTimes(1);
    ee.off('x', g);
    expect(ee.listenerCount('x')).toBe(0);
  });

  it('once listeners fire once, in the bound context, and can be removed before they fire', () => {
    const ee = m.bind(ctxA, new EventEmitter());
    const seen: unknown[] = [];
    ee.once('x', (v: unknown) => seen.push([v, current()]));
    ee.prependOnceListener('x', (v: unknown) => seen.push(['first', v, current()]));
    ee.emit('x', 1);
    ee.emit('x', 2);
    expect(seen).toEqual([['first', 1, 'a'], [1, 'a']]);
    expect(ee.listenerCount('x')).toBe(0);
    const h = jest.fn();
    ee.once('y', h);
    ee.removeListener('y', h);
    ee.emit('y');
    expect(h).not.toHaveBeenCalled();
    expect(ee.listenerCount('y')).toBe(0);
  });

  it('removeAllListeners works, and binding twice keeps the first context', () => {
    const ee = m.bind(ctxA, new EventEmitter());
    m.bind(ctxB, ee);
    const seen: unknown[] = [];
    ee.on('x', () => seen.push(current()));
    ee.emit('x');
    expect(seen).toEqual(['a']);
    ee.removeAllListeners();
    ee.emit('x');
    expect(seen).toEqual(['a']);
  });

  it('invalid listeners get the emitter\'s usual error', () => {
    const ee = m.bind(ctxA, new EventEmitter());
    expect(() => ee.on('x', 'nope' as unknown as () => void)).toThrow(/"listener" argument/);
  });

  it('readable streams keep flowing when a bound data listener is added', async () => {
    const r = m.bind(ctxA, Readable.from(['a', 'b']));
    const seen: unknown[] = [];
    await new Promise<void>((resolve) => {
      r.on('data', (c: string) => seen.push([c, current()]));
      r.on('end', () => resolve());
    });
    expect(seen).toEqual([['a', 'a'], ['b', 'a']]);
  });

  it('http request/response listeners run in the bound context', async () => {
    let seen: Context | undefined;
    const server = createServer((req, res) => {
      m.bind(ctxA, req);
      req.on('end', () => {
        seen = m.active();
        res.end('ok');
      });
      req.resume();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const rq = request({ host: '127.0.0.1', port, method: 'POST' }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        rq.on('error', reject);
        rq.end('body');
      });
    } finally {
      server.close();
    }
    expect(seen?.getValue(KEY)).toBe('a');
  });
});
