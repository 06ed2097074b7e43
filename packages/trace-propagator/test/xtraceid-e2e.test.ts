/**
 * Out-of-process: real node processes talking HTTP on 127.0.0.1, spans exported to files. Everything
 * runs twice: instrumented by fixtures/bootstrap.js (this package's seam alone) and by the product,
 * `node --require @org/trace-register` with its file exporter.
 *
 *   legacy client (this test, no OTel) → service A → service B           (http.request and fetch)
 *   legacy client → A → legacy peer without OTel → B                      (one trace id end to end)
 */
import { randomUUID } from 'node:crypto';
import * as net from 'net';
import { execFile } from 'child_process';
import {
  ensureBuilt,
  ExportedSpan,
  get,
  headerValues,
  InstrumentMode,
  RunningService,
  startService as startServiceIn,
  waitFor,
} from './helpers/processes';

const SERVER = 1;
const CLIENT = 2;

describe.each(['fixture', 'register'] as InstrumentMode[])('instrumented by %s', mode => {
  const startService = (name: string, script: 'service.js' | 'legacy-peer.js', env: Record<string, string> = {}) =>
    startServiceIn(`${mode}-${name}`, script, env, mode);

  const stopAll: RunningService[] = [];
  let A: RunningService;
  let B: RunningService;
  let legacy: RunningService;

  beforeAll(async () => {
    ensureBuilt(mode);
    [A, B, legacy] = await Promise.all([
      startService('svc-a', 'service.js'),
      startService('svc-b', 'service.js'),
      startService('legacy', 'legacy-peer.js'),
    ]);
    stopAll.push(A, B, legacy);
  });

  afterAll(async () => {
    await Promise.all(stopAll.map(s => s.stop()));
  });

  function randomUuid(upper = false): string {
    const u = randomUUID();
    return upper ? u.toUpperCase() : u;
  }

  function spansOf(svc: RunningService, traceId: string): ExportedSpan[] {
    return svc.spans().filter(s => s.traceId === traceId);
  }

  async function spanWhere(svc: RunningService, what: string, pred: (s: ExportedSpan) => boolean): Promise<ExportedSpan> {
    return waitFor(() => svc.spans().find(pred), `${svc.name}: ${what}`);
  }

  function parseServerTiming(v: string | string[] | undefined): { traceId: string; spanId: string; flags: string } {
    const m = /traceparent;desc="00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})"/.exec(String(v));
    if (!m) throw new Error(`no traceparent in Server-Timing: ${String(v)}`);
    return { traceId: m[1], spanId: m[2], flags: m[3] };
  }

  function hop(to: string, via: 'http' | 'fetch', extra = ''): string {
    return `${A.url}/hop?via=${via}&to=${encodeURIComponent(to)}${extra}`;
  }

  describe.each(['http', 'fetch'] as const)('legacy client → A → B via %s', via => {
    test('an upper-case UUID becomes the trace id; links, headers and echoes line up', async () => {
      const legacyId = randomUuid(true);
      const traceId = legacyId.replace(/-/g, '').toLowerCase();
      const res = await get(hop(`${B.url}/echo`, via), { 'X-Trace-ID': legacyId });
      expect(res.status).toBe(200);

      // A: root server span, trace id from the legacy id, no invented parent.
      const aServer = await spanWhere(A, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(aServer.parentSpanId).toBeUndefined();
      expect(aServer.attributes['http.request.header.x-trace-id']).toEqual([legacyId]);
      expect(aServer.attributes['org.xtraceid.outcome']).toBe('trace_root');
      const aClient = await spanWhere(A, 'client span', s => s.traceId === traceId && s.kind === CLIENT);
      expect(aClient.parentSpanId).toBe(aServer.spanId);

      // B: child of A's client span, same trace.
      const bServer = await spanWhere(B, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(bServer.parentSpanId).toBe(aClient.spanId);
      if (bServer.parentIsRemote !== undefined) expect(bServer.parentIsRemote).toBe(true);
      expect(bServer.attributes['org.xtraceid.outcome']).toBe('parent_match');

      // Headers B saw: one traceparent pointing at A's client span, one legacy header with the original string.
      const hopResult = JSON.parse(res.body);
      const seenByB: string[] = JSON.parse(hopResult.body).rawHeaders;
      expect(headerValues(seenByB, 'traceparent')).toEqual([`00-${traceId}-${aClient.spanId}-01`]);
      expect(headerValues(seenByB, 'x-trace-id')).toEqual([legacyId]);

      // Response headers seen by the legacy client (from A) and by A (from B).
      expect(headerValues(res.rawHeaders, 'x-trace-id')).toEqual([legacyId]);
      expect(parseServerTiming(res.headers['server-timing'])).toEqual({ traceId, spanId: aServer.spanId, flags: '01' });
      expect(hopResult.responseHeaders['x-trace-id']).toBe(legacyId);
      expect(parseServerTiming(hopResult.responseHeaders['server-timing']).spanId).toBe(bServer.spanId);
    });

    test('no legacy header: a fresh trace, X-Trace-ID sent and echoed as a UUID of the trace id', async () => {
      const res = await get(hop(`${B.url}/echo`, via));
      const timing = parseServerTiming(res.headers['server-timing']);
      const asUuid = timing.traceId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      expect(res.headers['x-trace-id']).toBe(asUuid);
      const seenByB: string[] = JSON.parse(JSON.parse(res.body).body).rawHeaders;
      expect(headerValues(seenByB, 'x-trace-id')).toEqual([asUuid]);
      const aServer = await spanWhere(A, 'server span', s => s.traceId === timing.traceId && s.kind === SERVER);
      expect(aServer.attributes['org.xtraceid.outcome']).toBeUndefined();
    });

    test('the app already sets X-Trace-ID and Traceparent itself: B still gets exactly one of each', async () => {
      const legacyId = 'order-' + Date.now();
      const extra =
        `&forwardLegacy=X-Trace-ID` +
        `&appHeader=${encodeURIComponent('Traceparent:00-11111111111111111111111111111111-1111111111111111-01')}`;
      const res = await get(hop(`${B.url}/echo`, via, extra), { 'x-trace-id': legacyId });
      const seenByB: string[] = JSON.parse(JSON.parse(res.body).body).rawHeaders;
      const traceparents = headerValues(seenByB, 'traceparent');
      expect(traceparents).toHaveLength(1);
      expect(traceparents[0]).not.toContain('11111111111111111111111111111111');
      expect(headerValues(seenByB, 'x-trace-id')).toEqual([legacyId]);
    });

    test('the app sets a different X-Trace-ID: one copy, carrying the trace (not the stale value)', async () => {
      const legacyId = randomUuid();
      const res = await get(hop(`${B.url}/echo`, via, `&appHeader=${encodeURIComponent('X-Trace-ID:app-made-this-up')}`), {
        'X-Trace-ID': legacyId,
      });
      const seenByB: string[] = JSON.parse(JSON.parse(res.body).body).rawHeaders;
      expect(headerValues(seenByB, 'x-trace-id')).toEqual([legacyId]);
    });
  });

  describe.each(['http', 'fetch'] as const)('outside any trace, the app sets its own X-Trace-ID (%s)', via => {
    test('the client span starts the trace from it and the app value goes out unchanged, once', async () => {
      const jobId = `job-${Date.now()}-${via}`;
      const res = await get(`${A.url}/job?via=${via}&to=${encodeURIComponent(`${B.url}/echo`)}&id=${jobId}`);
      const hopResult = JSON.parse(res.body);
      const seenByB: string[] = JSON.parse(hopResult.body).rawHeaders;
      expect(headerValues(seenByB, 'x-trace-id')).toEqual([jobId]);
      const traceparents = headerValues(seenByB, 'traceparent');
      expect(traceparents).toHaveLength(1);
      const traceId = /^00-([0-9a-f]{32})-/.exec(traceparents[0])![1];
      const aClient = await spanWhere(A, 'client span', s => s.traceId === traceId && s.kind === CLIENT);
      expect(aClient.parentSpanId).toBeUndefined();
      expect(aClient.attributes['http.request.header.x-trace-id']).toEqual([jobId]);
      const bServer = await spanWhere(B, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(bServer.parentSpanId).toBe(aClient.spanId);
      expect(bServer.attributes['org.xtraceid.outcome']).toBe('parent_match');
    });
  });

  test('traceparent wins over X-Trace-ID; the legacy value is recorded; B gets the trace, not the stale id', async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const parent = 'aaaaaaaaaaaaaaaa';
    const legacyId = randomUuid();
    const res = await get(hop(`${B.url}/echo`, 'http'), {
      traceparent: `00-${traceId}-${parent}-01`,
      'X-Trace-ID': legacyId,
    });
    const aServer = await spanWhere(A, 'server span', s => s.traceId === traceId && s.kind === SERVER);
    expect(aServer.parentSpanId).toBe(parent);
    expect(aServer.attributes['http.request.header.x-trace-id']).toEqual([legacyId]);
    expect(aServer.attributes['org.xtraceid.outcome']).toBe('parent_conflict');
    expect(spansOf(A, legacyId.replace(/-/g, ''))).toEqual([]);
    const asUuid = traceId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    expect(res.headers['x-trace-id']).toBe(asUuid);
    const seenByB: string[] = JSON.parse(JSON.parse(res.body).body).rawHeaders;
    expect(headerValues(seenByB, 'x-trace-id')).toEqual([asUuid]);
  });

  describe('a legacy peer without OTel in the middle: A → legacy → B keeps one trace id', () => {
    test('trace started from an nginx $request_id (32 hex)', async () => {
      const requestId = randomUUID().replace(/-/g, '').toUpperCase();
      const traceId = requestId.toLowerCase();
      const res = await get(hop(`${legacy.url}/hop?to=${encodeURIComponent(`${B.url}/echo`)}`, 'http'), {
        'x-trace-id': requestId,
      });
      expect(res.status).toBe(200);
      const legacyReply = JSON.parse(JSON.parse(res.body).body);
      expect(headerValues(legacyReply.received, 'x-trace-id')).toEqual([requestId]);
      const seenByB: string[] = JSON.parse(legacyReply.body).rawHeaders;
      expect(headerValues(seenByB, 'traceparent')).toEqual([]);
      // B never saw a traceparent, yet lands in the same trace, as a root span (no fake parent).
      const bServer = await spanWhere(B, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(bServer.parentSpanId).toBeUndefined();
      expect(bServer.attributes['org.xtraceid.outcome']).toBe('trace_root');
      await spanWhere(A, 'server span', s => s.traceId === traceId && s.kind === SERVER);
    });

    test('trace started fresh in A: the UUID A sends through the legacy peer maps back to the same trace', async () => {
      const res = await get(hop(`${legacy.url}/hop?to=${encodeURIComponent(`${B.url}/echo`)}`, 'fetch'));
      const traceId = parseServerTiming(res.headers['server-timing']).traceId;
      const bServer = await spanWhere(B, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(bServer.parentSpanId).toBeUndefined();
      expect(bServer.attributes['org.xtraceid.mapping']).toBe('uuid');
    });

    test('opaque legacy value: every hop hashes it to the same trace id', async () => {
      const legacyId = `checkout:${Date.now()}:${Math.random()}`;
      const res = await get(hop(`${legacy.url}/hop?to=${encodeURIComponent(`${B.url}/echo`)}`, 'http'), {
        'x-trace-id': legacyId,
      });
      const traceId = parseServerTiming(res.headers['server-timing']).traceId;
      expect(res.headers['x-trace-id']).toBe(legacyId);
      const bServer = await spanWhere(B, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(bServer.attributes['http.request.header.x-trace-id']).toEqual([legacyId]);
      expect(bServer.attributes['org.xtraceid.mapping']).toBe('hash');
    });
  });

  test("curl -H 'X-Trace-ID: <uuid>': findable under the uuid without dashes, with a root server span", async () => {
    const uuid = randomUuid();
    const out = await new Promise<string>((resolve, reject) =>
      execFile('curl', ['-sS', '-D', '-', '-o', '/dev/null', '-H', `X-Trace-ID: ${uuid}`, `${B.url}/echo`], (err, stdout) =>
        err && (err as NodeJS.ErrnoException).code !== 'ENOENT' ? reject(err) : resolve(err ? '' : stdout),
      ),
    );
    if (out === '') await get(`${B.url}/echo`, { 'X-Trace-ID': uuid }); // no curl binary: same request from node
    else expect(out).toMatch(new RegExp(`x-trace-id: ${uuid}`, 'i'));
    const root = await spanWhere(B, 'root server span', s => s.traceId === uuid.replace(/-/g, '') && s.kind === SERVER);
    expect(root.parentSpanId).toBeUndefined();
  });

  describe('hostile legacy values against a live server', () => {
    function raw(port: number, headerBlock: Buffer): Promise<string> {
      return new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1');
        let data = '';
        sock.on('data', d => (data += d.toString('latin1')));
        sock.on('end', () => resolve(data));
        sock.on('error', reject);
        sock.end(Buffer.concat([Buffer.from('GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'), headerBlock, Buffer.from('\r\n')]));
      });
    }
    const port = () => Number(new URL(B.url).port);

    test.each([
      ['8 KiB value', Buffer.from(`X-Trace-ID: ${'A'.repeat(8192)}\r\n`), 'too_long'],
      ['UTF-8 bytes', Buffer.concat([Buffer.from('X-Trace-ID: caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('\r\n')]), 'invalid_characters'],
      ['raw high bytes', Buffer.concat([Buffer.from('X-Trace-ID: id'), Buffer.from([0xff, 0xfe]), Buffer.from('\r\n')]), 'invalid_characters'],
      ['all-zero id', Buffer.from('X-Trace-ID: 00000000-0000-0000-0000-000000000000\r\n'), 'all_zero'],
    ])('%s: fresh trace, 200, nothing reflected', async (_name, block, reason) => {
      const response = await raw(port(), block);
      expect(response).toMatch(/^HTTP\/1\.1 200/);
      const echoed = /\r\nx-trace-id: ([^\r]*)\r\n/i.exec(response)?.[1];
      expect(echoed).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const traceId = echoed!.replace(/-/g, '');
      const span = await spanWhere(B, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(span.attributes['org.xtraceid.outcome']).toBe('rejected');
      expect(span.attributes['org.xtraceid.rejected_reason']).toBe(reason);
      expect(span.attributes['http.request.header.x-trace-id']).toBeUndefined();
    });

    test('a header repeated by a proxy: identical copies are one id, different copies are ambiguous', async () => {
      const uuid = randomUuid();
      const same = await raw(port(), Buffer.from(`X-Trace-ID: ${uuid}\r\nx-trace-id: ${uuid}\r\n`));
      expect(same).toMatch(new RegExp(`\\r\\nx-trace-id: ${uuid}\\r\\n`, 'i'));
      await spanWhere(B, 'root span from the repeated id', s => s.traceId === uuid.replace(/-/g, '') && s.kind === SERVER);

      const differ = await raw(port(), Buffer.from(`X-Trace-ID: ${uuid}\r\nX-Trace-ID: ${randomUuid()}\r\n`));
      const traceId = /traceparent;desc="00-([0-9a-f]{32})-/.exec(differ)![1];
      expect(traceId).not.toBe(uuid.replace(/-/g, ''));
      const span = await spanWhere(B, 'server span', s => s.traceId === traceId && s.kind === SERVER);
      expect(span.attributes['org.xtraceid.rejected_reason']).toBe('ambiguous');
    });

    test('CR/LF smuggling attempt: the process survives and keeps serving', async () => {
      const response = await raw(port(), Buffer.from('X-Trace-ID: abc\rSet-Cookie: pwned=1\r\n'));
      expect(response).not.toMatch(/pwned/);
      const after = await get(`${B.url}/echo`, { 'X-Trace-ID': 'still-alive' });
      expect(after.status).toBe(200);
      expect(after.headers['x-trace-id']).toBe('still-alive');
    });
  });

  describe('options as the SDK maps them from ORG_TRACE_* env vars', () => {
    test('custom header name + hex format', async () => {
      const env = { ORG_TRACE_XTRACEID_HEADER: 'x-request-id', ORG_TRACE_XTRACEID_FORMAT: 'hex' };
      const [a, b] = await Promise.all([startService('cfg-a', 'service.js', env), startService('cfg-b', 'service.js', env)]);
      stopAll.push(a, b);
      const viaA = (to: string) => `${a.url}/hop?via=http&to=${encodeURIComponent(to)}`;

      const withId = await get(viaA(`${b.url}/echo`), { 'X-Request-ID': 'req-77' });
      expect(withId.headers['x-request-id']).toBe('req-77');
      expect(withId.headers['x-trace-id']).toBeUndefined();
      const seen: string[] = JSON.parse(JSON.parse(withId.body).body).rawHeaders;
      expect(headerValues(seen, 'x-request-id')).toEqual(['req-77']);
      expect(headerValues(seen, 'x-trace-id')).toEqual([]);
      const aServer = await spanWhere(a, 'server span', s => s.kind === SERVER && s.attributes['http.request.header.x-request-id'] !== undefined);
      expect(aServer.parentSpanId).toBeUndefined();
      expect(aServer.attributes['org.xtraceid.mapping']).toBe('hash');

      const fresh = await get(viaA(`${b.url}/echo`));
      const traceId = parseServerTiming(fresh.headers['server-timing']).traceId;
      expect(fresh.headers['x-request-id']).toBe(traceId);
    });

    test('extract=false (internet edge) and response headers off', async () => {
      const edge = await startService('edge', 'service.js', { ORG_TRACE_XTRACEID_EXTRACT: 'false' });
      const quiet = await startService('quiet', 'service.js', { ORG_TRACE_RESPONSE_HEADERS: 'false' });
      stopAll.push(edge, quiet);
      const uuid = randomUuid();

      const r1 = await get(`${edge.url}/echo`, { 'X-Trace-ID': uuid });
      const t1 = parseServerTiming(r1.headers['server-timing']).traceId;
      expect(t1).not.toBe(uuid.replace(/-/g, ''));
      expect(r1.headers['x-trace-id']).not.toBe(uuid);
      const span = await spanWhere(edge, 'server span', s => s.traceId === t1);
      expect(span.attributes['org.xtraceid.outcome']).toBe('untrusted');
      expect(span.attributes['http.request.header.x-trace-id']).toEqual([uuid]);

      const r2 = await get(`${quiet.url}/echo`, { 'X-Trace-ID': uuid });
      expect(r2.headers['x-trace-id']).toBeUndefined();
      expect(r2.headers['server-timing']).toBeUndefined();
      await spanWhere(quiet, 'server span', s => s.traceId === uuid.replace(/-/g, ''));
    });
  });
});
