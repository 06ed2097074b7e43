import { readFileSync } from 'node:fs';
import { fastAddressWithoutPort, fastHostHeader, fastIncomingUrl, isPlainHost } from '../src/incoming-url-fast-path';
import { seededRandom as rng } from '../../../test/fixtures/seeded-random';

// instrumentation-http 0.223's helpers, as they read (utils.js): what the fast path must equal.
function upstreamIncomingUrl(component: string, url: string | undefined, host: string | undefined): { pathname?: string; search?: string } {
  try {
    const u = new URL(url ?? '/', `${component}://${host ? host : 'localhost'}`);
    return { pathname: u.pathname, search: u.search };
  } catch {
    return {};
  }
}

function upstreamRemovePort(input: string): string {
  try {
    const { hostname } = new URL(`http://${input}`);
    return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  } catch {
    return input;
  }
}

const PATH_PIECES = ['/', '/', '/', 'a', 'users', '42', '.', '..', '%2e', '%2E', '%41', '%zz', '%', '?', '?', '&', '=', '#', '\\', ' ', '\t', "'", '"', '<', '>', '`', '{', '}', '^', '|', '[', ']', '~', '-', '_', '!', '$', '(', ')', '*', '+', ',', ';', ':', '@', 'é', '\u2028', '\ud800', '\n', '\u0000', 'x=1', 'q=a%20b'];
const PLAIN_PIECES = ['/', '/', 'a', 'users', '42', '-', '_', '~', '!', '$', '(', ')', '*', '+', ',', ';', ':', '@', '&', '=', '?', 'x=1', '.', '%41'];
const HOSTS = ['localhost', 'localhost:8080', '127.0.0.1', '127.0.0.1:3000', 'example.com', 'Example.COM:443', 'api.internal-svc.local:80', 'a.b.c.d', '1.2.3.4', '1.2.3.256', '01.2.3.4', '1.2.3', '0x7f.1', 'foo.123', 'foo.0x1f', '[::1]:8080', 'host:', 'host:99999', 'host:0', 'a..b', '.a', 'a.', 'xn--abc.com', 'xn--nxasmq6b.com', 'ho st', 'höst', 'host:80:80', '', 'a_b.com', '999.999.999.999', '255.255.255.255:65535'];

describe('incoming URL fast path (instrumentation-http helpers)', () => {
  it('equals new URL for pathname and search wherever it answers, and answers the common requests', () => {
    const r = rng(42);
    let answered = 0;
    const cases: Array<[string, string | undefined, string | undefined]> = [];
    for (const host of [...HOSTS, undefined]) {
      for (const url of ['/', '/api/users?id=1&sort=desc', '/a/b/c', '/?', '/search?q=x?y', '/x?a=%41', '*', 'http://other/x', '//evil/x', '', undefined]) cases.push(['http', url, host]);
    }
    for (let i = 0; i < 40000; i++) {
      let url = '';
      const parts = 1 + Math.floor(r() * 8);
      // Half of them from the characters a real target is made of, half from everything.
      const pieces = i % 2 === 0 ? PLAIN_PIECES : PATH_PIECES;
      for (let p = 0; p < parts; p++) url += pieces[Math.floor(r() * pieces.length)];
      if (r() < 0.8) url = '/' + url;
      cases.push([r() < 0.9 ? 'http' : 'https', url, HOSTS[Math.floor(r() * HOSTS.length)]]);
    }
    for (const [component, url, host] of cases) {
      const fast = fastIncomingUrl(component, { url, headers: { host } });
      if (fast === undefined) continue;
      answered++;
      expect({ component, url, host, ...fast }).toEqual({ component, url, host, ...upstreamIncomingUrl(component, url, host) });
    }
    expect(answered).toBeGreaterThan(4000);
    // The requests a service mostly sees take the fast path.
    for (const [url, host] of [['/', 'localhost:8080'], ['/api/orders/42?expand=items', 'shop.example.com'], ['/health', '10.1.2.3:8080'], ['/v1/x', undefined]] as const) {
      expect(fastIncomingUrl('http', { url, headers: { host } })).toEqual(upstreamIncomingUrl('http', url, host));
    }
  });

  it('leaves requests that are not plain strings to upstream (adapters emit synthetic ones), never throws', () => {
    for (const request of [{ url: '/a', headers: { host: 5 } }, { url: '/a', headers: { host: ['a.com'] } }, { url: '/a' }, { url: '/a', headers: null }, { url: 5, headers: {} }]) {
      expect(() => fastIncomingUrl('http', request as never)).not.toThrow();
      expect(fastIncomingUrl('http', request as never)).toBeUndefined();
    }
  });

  it('isPlainHost only accepts hosts the URL parser takes as they are', () => {
    for (const host of HOSTS) {
      if (!isPlainHost(host)) continue;
      expect(() => new URL(`http://${host}/`)).not.toThrow();
    }
    expect(isPlainHost('localhost:8080')).toBe(true);
    expect(isPlainHost('1.2.3.256')).toBe(false);
    expect(isPlainHost('foo.123')).toBe(false);
    expect(isPlainHost('xn--abc.com')).toBe(false);
  });

  it('address without port equals upstream for what it answers, and answers dotted quads', () => {
    const r = rng(7);
    const inputs = ['10.0.0.1', '10.0.0.1:1234', '10.0.0.1:99999', '10.0.0.1:', '010.0.0.1', '10.0.0', '10.0.0.1.5', '256.0.0.1', '[::1]', '[::1]:80', '::1', 'unknown', '_hidden', 'client.example.com:80', '1.2.3.4:5:6', ' 1.2.3.4', '0.0.0.0', '255.255.255.255:65535'];
    for (let i = 0; i < 20000; i++) {
      const parts = Array.from({ length: 3 + Math.floor(r() * 3) }, () => String(Math.floor(r() * 300)).padStart(r() < 0.1 ? 3 : 1, '0'));
      inputs.push(parts.join('.') + (r() < 0.4 ? `:${Math.floor(r() * 70000)}` : ''));
    }
    let answered = 0;
    for (const input of inputs) {
      const fast = fastAddressWithoutPort(input);
      if (fast === undefined) continue;
      answered++;
      expect([input, fast]).toEqual([input, upstreamRemovePort(input)]);
    }
    expect(answered).toBeGreaterThan(2000);
    expect(fastAddressWithoutPort('10.0.0.1')).toBe('10.0.0.1');
    expect(fastAddressWithoutPort('10.0.0.1:443')).toBe('10.0.0.1');
    expect(fastAddressWithoutPort('[::1]:80')).toBeUndefined();
  });

  it('host header split equals upstream parseHostHeader (its own source, from node_modules) wherever it answers', () => {
    // The real function, cut out of instrumentation-http's utils.js: it is module-private.
    const src = readFileSync(require.resolve('@opentelemetry/instrumentation-http/build/src/utils.js'), 'utf8');
    const start = src.indexOf('function parseHostHeader(hostHeader, proto) {');
    expect(start).toBeGreaterThanOrEqual(0);
    const body = src.slice(start, src.indexOf('\nfunction ', start + 1));
    const upstream = new Function(`${body}\nreturn parseHostHeader;`)() as (h: string, p?: string) => unknown;
    const r = rng(11);
    const PIECES = ['a', 'example', '.', 'com', '127', '0', '1', ':', ':', '8080', '[', ']', '::1', '-', '_', ' ', 'é', ''];
    const inputs = [...HOSTS, ':', '::', 'a:', ':80', '[::1]', '[::1]:443', 'a:b:c'];
    for (let i = 0; i < 20000; i++) inputs.push(Array.from({ length: 1 + Math.floor(r() * 6) }, () => PIECES[Math.floor(r() * PIECES.length)]).join(''));
    let answered = 0;
    const mismatches: unknown[] = [];
    for (const input of inputs) {
      for (const proto of ['http', 'https', undefined, 'ws', 'HTTP']) {
        const fast = fastHostHeader(input, proto);
        if (fast === undefined) continue;
        answered++;
        // JSON text compares values and key order (the result is spread into span attributes).
        const expected = upstream(input, proto);
        if (JSON.stringify(fast) !== JSON.stringify(expected)) mismatches.push({ input, proto, fast, expected });
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(answered).toBeGreaterThan(50000);
    expect(fastHostHeader('[::1]:8080', 'http')).toBeUndefined();
    expect(fastHostHeader(5 as never, 'http')).toBeUndefined();
  });
});
