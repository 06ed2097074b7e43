// Issue 9, item 4: 10 000 requests with hostile X-Trace-ID / traceparent / tracestate / baggage
// headers, written as raw bytes (an HTTP client library would refuse most of them), against a real
// `node --require` app. Checked from outside: the app never crashes, its responses carry only
// well-formed headers (nothing from the request is reflected raw), outgoing calls made under that
// context carry only well-formed propagation headers, every exported trace/span id is valid, and
// no attribute grows with the input.
import * as http from 'node:http';
import * as net from 'node:net';
import { OtlpReceiver, AttrValue } from '../fixtures/otlp-receiver';
import { httpGet } from '../fixtures/spawn-app';
import { Apps } from './harness/app-under-test';
import { Random } from './harness/random';
import { record } from './harness/results';
import { rssSlackMiB } from './harness/heap-slack';
import { readRssMiB } from './harness/rss-sampler';

const REQUESTS = 10_000;
const CONCURRENCY = 8;
/** Every Nth request goes through the app's outgoing call, to check what it propagates. */
const CALL_EVERY = 10;
const MAX_ATTRIBUTE_CHARS = 1024;

const apps = new Apps();
afterAll(() => apps.stopAll());

const HEX = '0123456789abcdef';
const hex = (r: Random, n: number) => Array.from({ length: n }, () => HEX[r.int(0, 15)]).join('');

/** One hostile value for `header`; sometimes a valid one, so hostile neighbours can spoil it. */
function hostileValue(r: Random, header: string): string {
  const generic: Array<() => string> = [
    () => r.string(r.int(300, 12_000), 'printable'), // oversized
    () => `${r.string(8, 'alnum')}\r\nX-Injected: yes`, // CRLF: becomes a header line of its own
    () => `${r.string(8, 'alnum')}%0d%0aX-Injected:%20yes`, // percent-encoded CRLF (baggage decodes)
    () => `${r.string(4, 'alnum')}\n${r.string(4, 'alnum')}`, // bare LF
    () => `${r.string(4, 'alnum')}\r${r.string(4, 'alnum')}`, // bare CR
    () => `${r.string(4, 'alnum')}\u0000${r.string(4, 'alnum')}`, // NUL
    () => r.string(r.int(1, 64), 'bytes'), // raw bytes incl. controls and 0x80–0xff
    () => Buffer.from(r.string(r.int(1, 32), 'unicode'), 'utf8').toString('latin1'), // UTF-8 on the wire
    () => r.string(r.int(0, 64), 'printable'),
    () => ' '.repeat(r.int(1, 100)),
    () => ','.repeat(r.int(1, 2000)),
  ];
  const specific: Record<string, Array<() => string>> = {
    'x-trace-id': [
      () => `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
      () => '0'.repeat(32),
      () => hex(r, 32).toUpperCase(),
      () => `${hex(r, 32)}, ${hex(r, 32)}`,
      () => `${hex(r, 16)}\t`,
      () => `../../${r.string(10, 'alnum')}<script>`,
    ],
    traceparent: [
      () => `00-${hex(r, 32)}-${hex(r, 16)}-01`,
      () => `00-${'0'.repeat(32)}-${hex(r, 16)}-01`,
      () => `00-${hex(r, 32)}-${'0'.repeat(16)}-01`,
      () => `ff-${hex(r, 32)}-${hex(r, 16)}-01`,
      () => `00-${hex(r, 32).toUpperCase()}-${hex(r, 16)}-01`,
      () => `01-${hex(r, 32)}-${hex(r, 16)}-01-${r.string(r.int(1, 500), 'alnum')}`,
      () => `00-${hex(r, 31)}-${hex(r, 16)}-01`,
      () => `00-${hex(r, 32)}-${hex(r, 16)}-zz`,
    ],
    tracestate: [
      () => Array.from({ length: r.int(30, 200) }, (_, i) => `k${i}=${r.string(r.int(1, 20), 'alnum')}`).join(','),
      () => `a=1,a=2,${'b=,'.repeat(r.int(1, 50))}`,
      () => `${r.string(300, 'alnum')}=${r.string(300, 'alnum')}`,
      () => 'vendor@tenant=ok,=novalue,key=',
    ],
    baggage: [
      () => Array.from({ length: r.int(50, 400) }, (_, i) => `k${i}=${r.string(r.int(1, 40), 'alnum')};p=1`).join(','),
      () => `user.email=alice%40example.com,key%0D%0A=v,${r.string(20, 'alnum')}=%E0%A4%A`,
      () => `k=${'%'.repeat(r.int(1, 3000))}`,
      () => `k=${encodeURIComponent(r.string(r.int(1, 200), 'unicode'))}`,
      // Keys the app copies to span attributes (ORG_TRACE_BAGGAGE_ATTRIBUTES): huge and control-laden values.
      () => `tenant.id=${'t'.repeat(r.int(300, 6000))}`,
      () => `tenant.id=acme%0D%0AX-Injected%3A%20yes,customer.tier=${encodeURIComponent('gold\u0000\u001b[31m')}`,
    ],
  };
  return r.chance(0.5) ? r.pick(specific[header])() : r.pick(generic)();
}

interface Sent {
  index: number;
  path: string;
  raw: Buffer;
  validTraceparent?: string;
}

function buildRequest(r: Random, index: number, echoPort: number): Sent {
  const path = index % CALL_EVERY === 0 ? `/call?url=${encodeURIComponent(`http://127.0.0.1:${echoPort}/e/${index}`)}` : `/h/${index}`;
  const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  let validTraceparent: string | undefined;
  for (const h of ['x-trace-id', 'traceparent', 'tracestate', 'baggage']) {
    if (!r.chance(0.7)) continue;
    const name = r.pick([h, h.toUpperCase(), h.replace(/^./, (c) => c.toUpperCase())]);
    lines.push(`${name}: ${hostileValue(r, h)}`);
    if (r.chance(0.1)) lines.push(`${name}: ${hostileValue(r, h)}`); // repeated header
  }
  // A tenth carry one valid traceparent next to hostile neighbours: it must still be honoured.
  if (r.chance(0.1) && !lines.some((l) => /^traceparent:/i.test(l))) {
    validTraceparent = `00-${hex(r, 31)}1-${hex(r, 15)}1-01`;
    lines.push(`traceparent: ${validTraceparent}`);
  }
  return { index, path, raw: Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), validTraceparent };
}

interface Answer {
  status: number;
  headerLines: string[];
}

function send(port: number, raw: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // write, not end: a half-closed socket may be dropped before a slow handler answers;
    // `Connection: close` makes the server close once it has.
    const sock = net.connect(port, '127.0.0.1', () => sock.write(raw));
    sock.setTimeout(10_000, () => sock.destroy(new Error('no answer in 10 s')));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' && chunks.length > 0 ? undefined : reject(e)));
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.split('\r\n\r\n')[0];
      const [statusLine, ...headerLines] = head.split('\r\n');
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headerLines });
    });
  });
}

const ALLOWED_RESPONSE_HEADERS = new Set(['x-trace-id', 'server-timing', 'content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding']);
const SERVER_TIMING = /^traceparent;desc="00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]"$/;
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[0-3]$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

function* strings(v: AttrValue): Generator<string> {
  if (typeof v === 'string') yield v;
  else if (Array.isArray(v)) for (const x of v) yield* strings(x);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) yield* strings(x);
}

/** Everything the one expensive run observed; the tests below each judge one property of it. */
let R: {
  statuses: Map<number, number>;
  sendMillis: number;
  alive: boolean;
  exitCode: number | null;
  ok: number;
  badHeaderLines: string[];
  spans: number;
  servers: number;
  badIds: number;
  longest: number;
  baggageAttrs: number;
  controlChars: string[];
  withValid: number;
  honoured: number;
  downstream: number;
  calls: number;
  badDownstream: string[];
  rssBefore: number;
  rssAfter: number;
};

beforeAll(async () => {
  const rx = await new OtlpReceiver().start();
  const downstream: http.IncomingHttpHeaders[] = [];
  const echo = http.createServer((req, res) => {
    downstream.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  const echoPort = (echo.address() as net.AddressInfo).port;
  try {
    const app = apps.start('http-pg-app.js', {
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
      OTEL_BSP_MAX_QUEUE_SIZE: '50000',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      // Baggage copied onto spans is the one place request bytes become attributes by design.
      ORG_TRACE_BAGGAGE_ATTRIBUTES: 'tenant.id,customer.tier',
    });
    const port = await app.port();
    await httpGet(`http://127.0.0.1:${port}/warm`);
    const rssBefore = readRssMiB(app.proc.pid!)!;

    const r = new Random(0xbad_4ead);
    const statuses = new Map<number, number>();
    const badHeaderLines: string[] = [];
    const okPaths = new Map<string, Sent>();
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const sent = buildRequest(r, next++, echoPort);
          const a = await send(port, sent.raw);
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          if (a.status === 200) okPaths.set(sent.path.startsWith('/call') ? `/call` + sent.index : sent.path, sent);
          for (const line of a.headerLines) {
            const m = line.match(/^([A-Za-z0-9-]+): ([\x20-\x7e]*)$/);
            const name = m?.[1].toLowerCase();
            const ok = m !== null && ALLOWED_RESPONSE_HEADERS.has(name!) && (name !== 'server-timing' || SERVER_TIMING.test(m[2])) && (name !== 'x-trace-id' || (m[2].length <= 256 && !m[2].includes(',')));
            if (!ok && badHeaderLines.length < 20) badHeaderLines.push(JSON.stringify(line.slice(0, 200)));
          }
        }
      }),
    );
    const sendMillis = Date.now() - t0;
    const alive = (await httpGet(`http://127.0.0.1:${port}/after`)).status === 200;
    const rssAfter = readRssMiB(app.proc.pid!)!;
    const ok = statuses.get(200) ?? 0;

    // Every answered request's server span, exported: `/after` and `/warm` too.
    const servers = () => rx.spans.filter((s) => s.kind === 2);
    await rx.waitFor(() => servers().length >= ok + 2, 30_000).catch(() => undefined);
    const spans = rx.spans;
    const badIds = spans.filter((s) => !/^(?!0{32})[0-9a-f]{32}$/.test(s.traceId) || !/^(?!0{16})[0-9a-f]{16}$/.test(s.spanId)).length;
    let longest = 0;
    const controlChars = new Set<string>();
    let baggageAttrs = 0;
    for (const s of spans) {
      if (s.attributes['tenant.id'] !== undefined || s.attributes['customer.tier'] !== undefined) baggageAttrs++;
      for (const [k, v] of [...Object.entries(s.attributes).flatMap(([k, v]) => [...strings(v)].map((x) => [k, x])), ...s.events.flatMap((e) => [...strings(e.attributes)].map((x) => [e.name, x])), ['status', s.status.message], ['tracestate', s.traceState]]) {
        longest = Math.max(longest, v.length);
        if (/[\x00-\x1f\x7f]/.test(v)) controlChars.add(k);
      }
    }
    // A valid traceparent among hostile neighbours still decides the trace.
    const byPath = new Map(servers().map((s) => [String(s.attributes['url.path']), s]));
    const withValid = [...okPaths.values()].filter((s) => s.validTraceparent && s.path.startsWith('/h/'));
    const honoured = withValid.filter((s) => byPath.get(s.path)?.traceId === s.validTraceparent!.split('-')[1]).length;
    // What the app sent downstream while serving a hostile request.
    const badDownstream = downstream.filter(
      (h) =>
        !TRACEPARENT.test(String(h.traceparent)) ||
        (h['x-trace-id'] !== undefined && !(PRINTABLE.test(String(h['x-trace-id'])) && String(h['x-trace-id']).length <= 256)) ||
        (h.baggage !== undefined && !(PRINTABLE.test(String(h.baggage)) && String(h.baggage).length <= 8192)) ||
        (h.tracestate !== undefined && !(PRINTABLE.test(String(h.tracestate)) && String(h.tracestate).length <= 512)),
    );
    const calls = [...okPaths.keys()].filter((p) => p.startsWith('/call')).length;
    R = {
      statuses,
      sendMillis,
      alive,
      exitCode: app.proc.exitCode,
      ok,
      badHeaderLines,
      spans: spans.length,
      servers: servers().length,
      badIds,
      longest,
      baggageAttrs,
      controlChars: [...controlChars],
      withValid: withValid.length,
      honoured,
      downstream: downstream.length,
      calls,
      badDownstream: badDownstream.map((h) => JSON.stringify(h).slice(0, 300)),
      rssBefore,
      rssAfter,
    };
  } finally {
    await new Promise((r) => echo.close(r));
    await rx.stop();
  }
}, 120_000);

const TRIED = `${REQUESTS} raw requests (seeded): X-Trace-ID, traceparent, tracestate, baggage oversized (≤ 12 KB), with CR/LF/NUL, raw bytes, UTF-8, repeated, near-valid`;

test('the app stays up; only the HTTP parser refuses requests (400 bad bytes, 431 too large)', () => {
  const other = [...R.statuses.keys()].filter((s) => ![200, 400, 431].includes(s));
  record({ area: 'headers', tried: TRIED, measured: `statuses ${JSON.stringify(Object.fromEntries(R.statuses))} in ${(R.sendMillis / 1000).toFixed(1)} s; alive and serving afterwards: ${R.alive}` });
  expect(R.alive).toBe(true);
  expect(R.exitCode).toBeNull();
  expect(other).toEqual([]);
  expect(R.ok).toBeGreaterThan(REQUESTS / 2);
});

test('responses carry only well-formed headers: nothing from the request is reflected raw', () => {
  record({ area: 'headers', tried: 'response headers of every answered request (X-Trace-ID echo, Server-Timing traceparent)', measured: `${R.badHeaderLines.length} malformed or unexpected header lines` });
  expect(R.badHeaderLines).toEqual([]);
});

test('every exported trace and span id is valid; a valid traceparent among hostile neighbours still decides the trace', () => {
  record({ area: 'headers', tried: 'ids of every exported span; requests with one valid traceparent next to hostile X-Trace-ID/tracestate/baggage', measured: `${R.spans} spans (${R.servers} server spans for ${R.ok} answered requests), ${R.badIds} invalid ids; valid traceparent honoured ${R.honoured}/${R.withValid}` });
  expect(R.servers).toBeGreaterThanOrEqual(R.ok + 2);
  expect(R.badIds).toBe(0);
  expect(R.withValid).toBeGreaterThan(50);
  expect(R.honoured).toBe(R.withValid);
});

test(`no attribute grows with the input (≤ ${MAX_ATTRIBUTE_CHARS} chars for inputs up to 12 KB)`, () => {
  record({ area: 'headers', tried: 'length of every exported string (attributes, events, status, tracestate)', measured: `longest ${R.longest} chars` });
  expect(R.longest).toBeLessThanOrEqual(MAX_ATTRIBUTE_CHARS);
});

test('no control characters reach span attributes (baggage copied to attributes included)', () => {
  record({ area: 'headers', tried: 'control characters (CR, LF, NUL, ESC — e.g. percent-encoded in baggage) in exported strings; ORG_TRACE_BAGGAGE_ATTRIBUTES=tenant.id,customer.tier', measured: `baggage-derived attributes on ${R.baggageAttrs} spans; attributes with control characters: ${R.controlChars.join(', ') || 'none'}` });
  expect(R.baggageAttrs).toBeGreaterThan(50);
  expect(R.controlChars).toEqual([]);
});

test('outgoing calls made while serving a hostile request carry only well-formed propagation headers', () => {
  record({ area: 'headers', tried: `${REQUESTS / CALL_EVERY} of the requests make an outgoing call (node:http) to a recording server`, measured: `${R.downstream}/${R.calls} calls arrived; ${R.badDownstream.length} with a malformed traceparent, X-Trace-ID, baggage or tracestate` });
  expect(R.downstream).toBe(R.calls);
  expect(R.badDownstream).toEqual([]);
});

test('memory stays bounded over the run', () => {
  record({ area: 'headers', tried: `RSS before and after the ${REQUESTS} requests`, measured: `${R.rssBefore.toFixed(0)} → ${R.rssAfter.toFixed(0)} MiB` });
  expect(R.rssAfter - R.rssBefore).toBeLessThanOrEqual(rssSlackMiB(60));
});
