import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { directHeaderWrites, setOnBareResponse, setResponseHeader } from '../src/response-header-writer';

// The wire bytes of a response whose handler sets headers one way or the other.
async function responseHead(handler: (res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer((_req, res) => {
    handler(res);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/' }, (res) => {
        res.resume();
        res.on('end', () => resolve(JSON.stringify(res.rawHeaders.filter((_h, i) => i % 2 === 0 || !/^(date|connection|keep-alive)$/i.test(res.rawHeaders[i - 1])))));
      });
      req.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('response header writer', () => {
  it('writes directly on this Node.js (the probe found the header record)', () => {
    expect(directHeaderWrites()).toBe(true);
  });

  it('puts the same headers on the wire as setHeader, and they read back through the public API', async () => {
    const viaSetHeader = await responseHead((res) => {
      res.setHeader('x-trace-id', '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
      res.setHeader('Server-Timing', 'traceparent;desc="00-3f2504e04f8911d39a0c0305e82c3301-b7ad6b7169203331-01"');
    });
    let seen: unknown[] = [];
    const direct = await responseHead((res) => {
      setResponseHeader(res, 'x-trace-id', 'x-trace-id', '3f2504e0-4f89-11d3-9a0c-0305e82c3301');
      setResponseHeader(res, 'Server-Timing', 'server-timing', 'traceparent;desc="00-3f2504e04f8911d39a0c0305e82c3301-b7ad6b7169203331-01"');
      seen = [res.getHeader('X-Trace-ID'), res.hasHeader('server-timing'), res.getHeaderNames()];
    });
    expect(direct).toBe(viaSetHeader);
    expect(seen).toEqual(['3f2504e0-4f89-11d3-9a0c-0305e82c3301', true, ['x-trace-id', 'server-timing']]);
  });

  it('an app setHeader later replaces the written value (one copy on the wire)', async () => {
    const head = await responseHead((res) => {
      setResponseHeader(res, 'x-trace-id', 'x-trace-id', 'ours');
      res.setHeader('X-Trace-ID', 'app');
    });
    expect(JSON.parse(head).filter((h: string) => /^x-trace-id$/i.test(h))).toHaveLength(1);
    expect(head).toContain('"app"');
    expect(head).not.toContain('"ours"');
  });

  it('values that are not plain visible ASCII go through setHeader and its validation', () => {
    const res = new http.ServerResponse(new http.IncomingMessage(null as never));
    expect(() => setResponseHeader(res, 'x-trace-id', 'x-trace-id', 'a\r\nSet-Cookie: x=1')).toThrow(/Invalid character/);
    expect(res.hasHeader('x-trace-id')).toBe(false);
    setResponseHeader(res, 'x-trace-id', 'x-trace-id', 'caf\u00e9');
    expect(res.getHeader('x-trace-id')).toBe('caf\u00e9');
  });

  it('a response with its own setHeader (a framework mirroring headers) gets the setHeader call', () => {
    const res = new http.ServerResponse(new http.IncomingMessage(null as never));
    const seen: string[] = [];
    const original = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) => {
      seen.push(name);
      return original(name, value);
    };
    setResponseHeader(res, 'Server-Timing', 'server-timing', 'traceparent;desc="00-x"', true);
    expect(seen).toEqual(['Server-Timing']);
    expect(res.getHeader('server-timing')).toBe('traceparent;desc="00-x"');
  });

  it('both echo headers at once only on a response with no header yet, same wire bytes as setHeader', async () => {
    let results: unknown[] = [];
    const direct = await responseHead((res) => {
      results = [setOnBareResponse(res, 'x-trace-id', 'x-trace-id', 'abc', 'Server-Timing', 'server-timing', 'traceparent;desc="00-1"')];
    });
    const viaSetHeader = await responseHead((res) => {
      res.setHeader('x-trace-id', 'abc');
      res.setHeader('Server-Timing', 'traceparent;desc="00-1"');
    });
    expect(results).toEqual([true]);
    expect(direct).toBe(viaSetHeader);
    const res = new http.ServerResponse(new http.IncomingMessage(null as never));
    res.setHeader('Server-Timing', 'app;dur=1');
    expect(setOnBareResponse(res, 'x-trace-id', 'x-trace-id', 'abc', 'Server-Timing', 'server-timing', 'traceparent;desc="00-1"')).toBe(false);
    expect(res.getHeaderNames()).toEqual(['server-timing']);
    expect(res.getHeader('server-timing')).toBe('app;dur=1');
    const fresh = new http.ServerResponse(new http.IncomingMessage(null as never));
    expect(setOnBareResponse(fresh, 'x-trace-id', 'x-trace-id', 'a\r\nb', 'Server-Timing', 'server-timing', 't')).toBe(false);
    expect(fresh.getHeaderNames()).toEqual([]);
  });
});
