// Differential test: the same scripted operations run against @opentelemetry/sdk-trace's
// TracerProvider and against our LeanTracerProvider, and everything observable must be equal — every
// ReadableSpan field (attribute/event/link key order included) at onStart, onEnding, onEnd and at the
// end of the script, what the sampler was shown, the processor call sequence, the diag messages, the
// return values and thrown errors of each call. Clocks are frozen during each operation and moved by
// the script between operations, so times are compared exactly; a last test with the real clocks
// checks their shape and order.
import { Attributes, context as contextApi, createNoopMeter, createTraceState, diag, DiagLogLevel, Link, ROOT_CONTEXT, Span, SpanContext, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { otperformance, suppressTracing } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  createAlwaysRecordSampler,
  IdGenerator,
  ParentBasedSampler,
  Sampler,
  SamplingDecision,
  SpanLimits,
  SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  TracerProviderOptions,
} from '@opentelemetry/sdk-trace';
import { inspect } from 'util';
import { readConfig } from '../src/config';
import { LeanTracer } from '../src/lean-tracer';
import { LeanTracerProvider } from '../src/lean-tracer-provider';
import { seededRandom } from '../../../test/fixtures/seeded-random';

const RESOURCE = resourceFromAttributes({ 'service.name': 'parity', 'n': 1 });

// ---------------------------------------------------------------------------------------------
// A faithful, comparable picture of any value (NaN, -0, undefined, holes, prototypes, errors).
function enc(v: unknown, depth = 0): unknown {
  if (depth > 8) return '<deep>';
  if (v === undefined) return 'u:';
  if (v === null) return 'null';
  const t = typeof v;
  if (t === 'number') return `n:${Object.is(v, -0) ? '-0' : String(v)}`;
  if (t === 'string') return `s:${v as string}`;
  if (t === 'boolean') return `b:${String(v)}`;
  if (t === 'function') return 'fn';
  if (t !== 'object') return `${t}:${String(v)}`;
  if (v instanceof Error) return `Error:${v.message}`;
  if (v instanceof Date) return `Date:${v.getTime()}`;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) out.push(i in v ? enc(v[i], depth + 1) : '<hole>');
    return { array: out, proto: Object.getPrototypeOf(v) === Array.prototype };
  }
  const o = v as Record<string, unknown>;
  if (typeof o.serialize === 'function' && typeof o.get === 'function') return `TraceState:${(o.serialize as () => string).call(o)}`;
  const proto = Object.getPrototypeOf(o);
  return { entries: Object.keys(o).map((k) => [k, enc(o[k], depth + 1)]), proto: proto === Object.prototype ? 'Object' : proto === null ? 'null' : enc(proto, depth + 1) };
}

function snap(span: Span): unknown {
  const s = span as unknown as Record<string, unknown> & Span;
  if (s.instrumentationScope === undefined) {
    return { nonRecording: true, ctor: s.constructor.name, sc: enc(s.spanContext()), recording: s.isRecording() };
  }
  return {
    name: enc(s.name),
    kind: s.kind,
    sc: enc(s.spanContext()),
    parent: enc(s.parentSpanContext),
    attributes: enc(s.attributes),
    links: enc(s.links),
    events: enc(s.events),
    status: enc(s.status),
    startTime: enc(s.startTime),
    endTime: enc(s.endTime),
    duration: enc(s.duration),
    ended: s.ended,
    recording: s.isRecording(),
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
    attributesCount: s._attributesCount,
    resource: s.resource === RESOURCE,
    scope: enc(s.instrumentationScope),
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic pieces, made fresh for each run so both providers see identical sequences.
class CountingIds implements IdGenerator {
  private n = 0;
  constructor(private readonly invalidEvery = 0) {}
  generateTraceId(): string {
    this.n++;
    if (this.invalidEvery > 0 && this.n % this.invalidEvery === 0) return '0'.repeat(32);
    return (this.n * 2654435761).toString(16).padStart(32, 'a').slice(-32);
  }
  generateSpanId(): string {
    this.n++;
    return (this.n * 40503).toString(16).padStart(16, 'b').slice(-16);
  }
}

type SamplerKind = 'default' | 'always_on' | 'always_off' | 'ratio' | 'parent_ratio' | 'parent_off' | 'always_record' | 'custom';
const SAMPLERS: SamplerKind[] = ['default', 'always_on', 'always_off', 'ratio', 'parent_ratio', 'parent_off', 'always_record', 'custom'];

/** A sampler of a kind the lean tracer cannot trust: it records, mutates, adds attributes and trace state. */
class ScriptedSampler implements Sampler {
  private n = 0;
  private previous: Attributes | undefined;
  constructor(private readonly log: unknown[]) {}
  shouldSample(ctx: unknown, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]) {
    this.n++;
    // What it was shown last time, now: the SDK never hands the sampler's object to the span.
    this.log.push(['sampler', traceId, enc(name), kind, enc(attributes), enc(links), enc(this.previous)]);
    this.previous = attributes;
    const m = this.n % 6;
    if (m === 1) {
      attributes['sampler.mutated'] = this.n;
      attributes['sampler.invalid'] = { no: 1 } as unknown as string;
    }
    const decision = m === 2 ? SamplingDecision.NOT_RECORD : m === 3 ? SamplingDecision.RECORD : SamplingDecision.RECORD_AND_SAMPLED;
    const result: { decision: SamplingDecision; attributes?: Attributes; traceState?: ReturnType<typeof createTraceState> } = { decision };
    if (m === 4) result.attributes = { 'sampler.added': 'yes', 'a0': 'overridden', 'sampler.null': null as unknown as string, 'sampler.bad': { x: 1 } as unknown as string };
    if (m === 5 || m === 3) result.traceState = createTraceState(`s=${this.n}`);
    return result;
  }
  toString() {
    return 'ScriptedSampler';
  }
}

function makeSampler(kind: SamplerKind, log: unknown[]): Sampler | undefined {
  switch (kind) {
    case 'default':
      return undefined;
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'ratio':
      return new TraceIdRatioBasedSampler(0.5);
    case 'parent_ratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) });
    case 'parent_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'always_record':
      return createAlwaysRecordSampler(new TraceIdRatioBasedSampler(0.5));
    case 'custom':
      return new ScriptedSampler(log);
  }
}

/** Records every call with a snapshot; optionally writes to the span the way user processors do. */
class RecordingProcessor implements SpanProcessor {
  constructor(
    private readonly log: unknown[],
    private readonly writes: boolean,
  ) {}
  onStart(span: Span, ctx: unknown): void {
    const parent = trace.getSpan(ctx as typeof ROOT_CONTEXT);
    this.log.push(['onStart', snap(span), parent ? enc(parent.spanContext()) : 'none']);
    if (this.writes) span.setAttribute('proc.start', 1);
  }
  onEnding(span: Span): void {
    this.log.push(['onEnding', snap(span)]);
    if (this.writes) span.setAttribute('proc.ending', 'x');
  }
  onEnd(span: unknown): void {
    this.log.push(['onEnd', snap(span as Span)]);
  }
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

// ---------------------------------------------------------------------------------------------
// Scripts: plain data, generated from a seed; each run generates its own copy.
type CtxChoice = { t: 'root' } | { t: 'parent'; idx: number } | { t: 'suppressed'; idx: number } | { t: 'remote'; sampled: boolean; ts: boolean } | { t: 'invalid' };
type Op =
  | { op: 'start'; name: string; options: Record<string, unknown> | undefined; ctx: CtxChoice; active: boolean }
  | { op: 'setAttribute'; idx: number; key: unknown; value: unknown }
  | { op: 'setAttributes'; idx: number; attrs: unknown }
  | { op: 'addEvent'; idx: number; args: unknown[] }
  | { op: 'addLink'; idx: number; link: LinkSpec }
  | { op: 'addLinks'; idx: number; links: LinkSpec[] }
  | { op: 'setStatus'; idx: number; status: unknown }
  | { op: 'updateName'; idx: number; name: string }
  | { op: 'recordException'; idx: number; exc: unknown; time?: unknown }
  | { op: 'end'; idx: number; time?: unknown }
  | { op: 'tick'; ms: number };
type LinkSpec = { ctx: number | 'fixed' | 'invalid'; attributes?: unknown };

interface Setup {
  sampler: SamplerKind;
  spanLimits?: SpanLimits;
  invalidIdsEvery: number;
  writingProcessor: boolean;
}

function gen(seed: number): { setup: Setup; ops: Op[] } {
  const r = seededRandom(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => r() < p;
  const limitSets: (SpanLimits | undefined)[] = [
    undefined,
    { attributeCountLimit: 3, attributeValueLengthLimit: 5, eventCountLimit: 2, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 1 },
    { attributeCountLimit: 0, attributeValueLengthLimit: 0, eventCountLimit: 0, linkCountLimit: 0, attributePerEventCountLimit: 0, attributePerLinkCountLimit: 0 },
    { attributeCountLimit: 12, attributeValueLengthLimit: 40 },
    readConfig({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '4', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '6', OTEL_SPAN_EVENT_COUNT_LIMIT: '3', OTEL_SPAN_LINK_COUNT_LIMIT: '1' }).spanLimits,
    readConfig({}).spanLimits,
  ];
  const setup: Setup = { sampler: pick(SAMPLERS), spanLimits: pick(limitSets), invalidIdsEvery: chance(0.2) ? 5 : 0, writingProcessor: chance(0.3) };
  const keys = ['a0', 'a1', 'http.method', 'db.statement', 'k', '', '__proto__', '0', '12', 'constructor', 'toString', 'x.y.z'];
  const str = () => pick(['', 'short', 'a longer string value', 'ünïcödé ✓ 😀😀', 'x'.repeat(int(80))]);
  const value = (): unknown => {
    switch (int(16)) {
      case 0: return str();
      case 1: return int(1000) - 500;
      case 2: return pick([NaN, Infinity, -Infinity, -0, 0.5, 2 ** 53]);
      case 3: return chance(0.5);
      case 4: return null;
      case 5: return undefined;
      case 6: return [str(), str()];
      case 7: return [1, 2, null, 3];
      case 8: return [true, undefined, false];
      case 9: return [1, 'mixed'];
      case 10: return [[1], [2]];
      case 11: return { nested: 1 };
      case 12: return [];
      case 13: return BigInt(5);
      case 14: return [str(), null, 'abcdefghij'];
      default: return str();
    }
  };
  const attrs = (): unknown => {
    if (chance(0.1)) return pick([undefined, null, 'not-an-object', [1, 2]]);
    const o: Record<string, unknown> = {};
    const n = int(14);
    for (let i = 0; i < n; i++) {
      // defineProperty: a plain assignment to '__proto__' would set the prototype, not make the key.
      Object.defineProperty(o, chance(0.7) ? `a${int(16)}` : pick(keys), { value: value(), enumerable: true, writable: true, configurable: true });
    }
    return o;
  };
  const time = (): unknown => {
    switch (int(9)) {
      case 0: return undefined;
      case 1: return 1_700_000_000_123.456 + int(100000);
      case 2: return new Date(1_700_000_001_000 + int(1000));
      case 3: return [1_700_000_002, int(999_999_999)];
      case 4: return 'perf-now';
      case 5: return 'perf-past';
      case 6: return 0;
      case 7: return [1, 2, 3];
      default: return 'epoch-now';
    }
  };
  const ops: Op[] = [];
  let spans = 0;
  const idx = () => int(Math.max(spans, 1));
  const linkSpec = (): LinkSpec => ({ ctx: chance(0.2) ? pick(['fixed', 'invalid'] as const) : idx(), attributes: chance(0.7) ? attrs() : undefined });
  const n = 5 + int(40);
  for (let i = 0; i < n; i++) {
    const k = spans === 0 ? 0 : int(14);
    if (k <= 2) {
      const options: Record<string, unknown> | undefined = chance(0.1)
        ? undefined
        : {
            kind: chance(0.7) ? int(5) : undefined,
            attributes: chance(0.85) ? attrs() : undefined,
            links: chance(0.25) ? Array.from({ length: int(4) }, linkSpec) : undefined,
            startTime: chance(0.25) ? time() : undefined,
            root: chance(0.15) ? true : undefined,
          };
      const c = int(10);
      const ctx: CtxChoice =
        spans > 0 && c < 4 ? { t: 'parent', idx: idx() } : c === 4 ? { t: 'suppressed', idx: idx() } : c === 5 ? { t: 'remote', sampled: chance(0.5), ts: chance(0.5) } : c === 6 ? { t: 'invalid' } : { t: 'root' };
      ops.push({ op: 'start', name: pick(['GET /', 'pg.query', 'child', 'x'.repeat(30)]), options, ctx, active: chance(0.2) });
      spans++;
      continue;
    }
    switch (k) {
      case 3: ops.push({ op: 'setAttribute', idx: idx(), key: chance(0.7) ? `a${int(16)}` : pick(keys), value: value() }); break;
      case 4: ops.push({ op: 'setAttributes', idx: idx(), attrs: attrs() }); break;
      case 5: {
        const shape = int(5);
        const args = shape === 0 ? [str()] : shape === 1 ? [str(), attrs()] : shape === 2 ? [str(), time()] : shape === 3 ? [str(), attrs(), time()] : [str(), time(), time()];
        ops.push({ op: 'addEvent', idx: idx(), args });
        break;
      }
      case 6: ops.push({ op: 'addLink', idx: idx(), link: linkSpec() }); break;
      case 7: ops.push({ op: 'addLinks', idx: idx(), links: Array.from({ length: int(4) }, linkSpec) }); break;
      case 8: {
        const code = pick([SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR]);
        ops.push({ op: 'setStatus', idx: idx(), status: { code, message: pick([undefined, null, 'boom', 42, { m: 1 }, '']) } });
        break;
      }
      case 9: ops.push({ op: 'updateName', idx: idx(), name: str() }); break;
      case 10: {
        const exc = pick(['exc-string', '', 'error', 'coded', 'named', 'message-only', 'empty', 'undefined', 'null', 'numeric-code']);
        ops.push({ op: 'recordException', idx: idx(), exc, time: chance(0.3) ? time() : undefined });
        break;
      }
      case 11:
      case 12: ops.push({ op: 'end', idx: idx(), time: chance(0.3) ? time() : undefined }); break;
      default: ops.push({ op: 'tick', ms: pick([0, 0.000001, 0.5, 1.25, 7, 1000.0001]) });
    }
  }
  // Most spans end, some twice.
  for (let i = 0; i < spans; i++) if (chance(0.8)) ops.push({ op: 'end', idx: i });
  return { setup, ops };
}

// ---------------------------------------------------------------------------------------------
// Frozen clocks: within one operation every Date.now()/performance.now() read gives the same value.
const clock = { perf: 5000.25, skew: 3.5 };
const realDateNow = Date.now;
const realPerfNow = otperformance.now;
function freezeClocks(): void {
  Date.now = () => Math.floor(otperformance.timeOrigin + clock.perf + clock.skew);
  (otperformance as { now: () => number }).now = () => clock.perf;
}
function restoreClocks(): void {
  Date.now = realDateNow;
  (otperformance as { now: () => number }).now = realPerfNow;
}

function timeArg(t: unknown): unknown {
  if (t === 'perf-now') return clock.perf;
  if (t === 'perf-past') return clock.perf - 1234.5678;
  if (t === 'epoch-now') return Date.now();
  return t;
}

function exception(kind: unknown): unknown {
  switch (kind) {
    case 'exc-string': return 'something failed';
    case '': return '';
    case 'error': { const e = new TypeError('bad thing'); e.stack = 'TypeError: bad thing\n    at fixed (x.js:1:1)'; return e; }
    case 'coded': return { code: 'ECONNRESET', message: 'socket hang up', name: 'Error' };
    case 'numeric-code': return { code: 42, name: 'N' };
    case 'named': return { name: 'OnlyName' };
    case 'message-only': return { message: 'only message', stack: 'st' };
    case 'empty': return {};
    case 'undefined': return undefined;
    case 'null': return null;
  }
  return kind;
}

type Make = (o: TracerProviderOptions) => TracerProvider;
const makeSdk: Make = (o) => new TracerProvider(o);
const makeLean: Make = (o) => new LeanTracerProvider(o);

function run(make: Make, seed: number, script: { setup: Setup; ops: Op[] } = gen(seed)): { log: unknown[]; lean: boolean } {
  const { setup, ops } = script;
  const log: unknown[] = [];
  diag.disable();
  diag.setLogger(
    {
      error: (m: string, ...a: unknown[]) => log.push(['diag.error', m, enc(a)]),
      warn: (m: string, ...a: unknown[]) => log.push(['diag.warn', m, enc(a)]),
      info: (m: string, ...a: unknown[]) => log.push(['diag.info', m, enc(a)]),
      debug: (m: string, ...a: unknown[]) => log.push(['diag.debug', m, enc(a)]),
      verbose: (m: string, ...a: unknown[]) => log.push(['diag.verbose', m, enc(a)]),
    },
    { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true },
  );
  clock.perf = 5000.25;
  freezeClocks();
  try {
    const options: TracerProviderOptions = {
      resource: RESOURCE,
      idGenerator: new CountingIds(setup.invalidIdsEvery),
      spanProcessors: [new RecordingProcessor(log, setup.writingProcessor), new RecordingProcessor(log, false)],
    };
    const sampler = makeSampler(setup.sampler, log);
    if (sampler) options.sampler = sampler;
    if (setup.spanLimits) options.spanLimits = setup.spanLimits;
    const provider = make(options);
    const tracer = provider.getTracer('parity', '1.2.3', { schemaUrl: 'https://example.com/schema' });
    const spans: Span[] = [];
    const fixed: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const linkOf = (l: LinkSpec): Link => {
      const ctx = l.ctx === 'fixed' ? fixed : l.ctx === 'invalid' ? { traceId: 'zz', spanId: '00', traceFlags: 0 } : spans[l.ctx]?.spanContext() ?? fixed;
      return l.attributes === undefined ? { context: ctx } : { context: ctx, attributes: l.attributes as Attributes };
    };
    for (const o of ops) {
      let ret: unknown;
      let threw: unknown;
      const span = 'idx' in o ? spans[o.idx] : undefined;
      try {
        switch (o.op) {
          case 'start': {
            let ctx = ROOT_CONTEXT;
            if (o.ctx.t === 'parent') ctx = trace.setSpan(ROOT_CONTEXT, spans[o.ctx.idx]);
            else if (o.ctx.t === 'suppressed') ctx = suppressTracing(trace.setSpan(ROOT_CONTEXT, spans[o.ctx.idx]));
            else if (o.ctx.t === 'remote') ctx = trace.setSpanContext(ROOT_CONTEXT, { ...fixed, traceFlags: o.ctx.sampled ? 1 : 0, traceState: o.ctx.ts ? createTraceState('vendor=v1') : undefined });
            else if (o.ctx.t === 'invalid') ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 1 });
            let opts = o.options;
            if (opts) {
              opts = { ...opts };
              if (opts.links) opts.links = (opts.links as LinkSpec[]).map(linkOf);
              if ('startTime' in opts) opts.startTime = timeArg(opts.startTime);
            }
            let s: Span;
            if (o.active) {
              s = tracer.startActiveSpan(o.name, opts as never, ctx, (sp: Span) => {
                log.push(['active', enc(trace.getSpan(contextApi.active())?.spanContext())]);
                return sp;
              });
            } else {
              s = tracer.startSpan(o.name, opts as never, ctx);
            }
            spans.push(s);
            ret = snap(s);
            break;
          }
          case 'setAttribute': ret = span!.setAttribute(o.key as string, o.value as string) === span; break;
          case 'setAttributes': ret = span!.setAttributes(o.attrs as Attributes) === span; break;
          case 'addEvent': ret = (span!.addEvent as (...a: unknown[]) => unknown)(...o.args.map(timeArg)) === span; break;
          case 'addLink': ret = span!.addLink(linkOf(o.link)) === span; break;
          case 'addLinks': ret = span!.addLinks(o.links.map(linkOf)) === span; break;
          case 'setStatus': ret = span!.setStatus(o.status as never) === span; break;
          case 'updateName': ret = span!.updateName(o.name) === span; break;
          case 'recordException': ret = span!.recordException(exception(o.exc) as never, timeArg(o.time) as never); break;
          case 'end': ret = span!.end(timeArg(o.time) as never); break;
          case 'tick': clock.perf += o.ms; break;
        }
      } catch (e) {
        threw = `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      log.push([o.op, enc(ret), threw, span ? snap(span) : undefined, span ? span.isRecording() : undefined]);
    }
    log.push(['final', spans.map(snap)]);
    return { log, lean: tracer instanceof LeanTracer };
  } finally {
    restoreClocks();
    diag.disable();
  }
}

function compare(seed: number): void {
  const sdk = run(makeSdk, seed);
  const lean = run(makeLean, seed);
  expect(lean.lean).toBe(true);
  if (JSON.stringify(lean.log) !== JSON.stringify(sdk.log)) {
    // Show the first difference with the seed that replays it.
    for (let i = 0; i < Math.max(lean.log.length, sdk.log.length); i++) {
      expect({ seed, i, entry: lean.log[i] }).toEqual({ seed, i, entry: sdk.log[i] });
    }
  }
}

describe('LeanTracer against the SDK Tracer (same scripts, same ids, same samplers)', () => {
  test('the pinned SDK is 2.12.0 and the lean path is taken with it', () => {
    expect(require('@opentelemetry/sdk-trace/package.json').version).toBe('2.12.0');
    const p = new LeanTracerProvider({});
    expect(p.getTracer('a')).toBeInstanceOf(LeanTracer);
    expect(p.getTracer('a')).toBe(p.getTracer('a'));
    expect(p.getTracer('a', '1')).not.toBe(p.getTracer('a'));
    expect(p.getTracer('a', '1', { schemaUrl: 's' })).not.toBe(p.getTracer('a', '1'));
  });

  test('the SDK tracer is kept when its fields are not the pinned version’s, or a meter provider is given', () => {
    expect(LeanTracer.fromSdkTracer({})).toBeUndefined();
    const sdkTracer = new TracerProvider({}).getTracer('x') as unknown as Record<string, unknown>;
    expect(LeanTracer.fromSdkTracer(sdkTracer)).toBeInstanceOf(LeanTracer);
    for (const field of ['_sampler', '_spanLimits', '_idGenerator', '_resource', '_spanProcessor', 'instrumentationScope', '_tracerMetrics']) {
      expect(LeanTracer.fromSdkTracer({ ...sdkTracer, [field]: undefined })).toBeUndefined();
    }
    const withMeter = new LeanTracerProvider({ meterProvider: { getMeter: () => createNoopMeter() } });
    expect(withMeter.getTracer('x')).not.toBeInstanceOf(LeanTracer);
    expect(new LeanTracerProvider({}, false).getTracer('x')).not.toBeInstanceOf(LeanTracer);
  });

  test('a resource still waiting for async attributes is not read (no diag error) and spans carry it', () => {
    const errors: string[] = [];
    diag.setLogger({ error: (m: string) => errors.push(m), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
    try {
      const resource = resourceFromAttributes({ 'host.id': new Promise<string>(() => {}) as unknown as string });
      const ended: unknown[] = [];
      const p = new LeanTracerProvider({ resource, spanProcessors: [{ onStart() {}, onEnd: (s: unknown) => ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }] });
      const t = p.getTracer('async-resource');
      expect(t).toBeInstanceOf(LeanTracer);
      t.startSpan('s', {}, ROOT_CONTEXT).end();
      expect((ended[0] as { resource: unknown }).resource).toBe(resource);
      expect(errors).toEqual([]);
    } finally {
      diag.disable();
    }
  });

  test('generated scripts: 600 seeds', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 600; seed++) {
      seen.add(gen(seed).setup.sampler);
      compare(seed);
    }
    expect(seen.size).toBe(SAMPLERS.length);
  });

  const edge = (name: string, setup: Partial<Setup>, ops: Op[]) =>
    test(name, () => {
      const script = () => ({ setup: { sampler: 'default' as SamplerKind, invalidIdsEvery: 0, writingProcessor: false, ...setup }, ops });
      const sdk = run(makeSdk, 0, script());
      const lean = run(makeLean, 0, script());
      expect(lean.lean).toBe(true);
      expect(lean.log).toEqual(sdk.log);
    });
  const start = (options: Record<string, unknown> | undefined, ctx: CtxChoice = { t: 'root' }): Op => ({ op: 'start', name: 's', options, ctx, active: false });
  const bad = { nan: NaN, nested: [[1]], mixed: [1, 'a'], obj: { a: 1 }, '': 'empty key', nul: null, und: undefined, fn: (() => 1) as unknown, ok: 'ok', arr: ['abcdefgh', null] };

  edge('bad values at start, in setAttribute(s), events and links; limits from the environment', { spanLimits: readConfig({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '5', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '3', OTEL_SPAN_EVENT_COUNT_LIMIT: '1', OTEL_SPAN_LINK_COUNT_LIMIT: '1' }).spanLimits }, [
    start({ attributes: bad, links: [{ ctx: 'fixed', attributes: bad }, { ctx: 'fixed' }] }),
    { op: 'setAttributes', idx: 0, attrs: bad },
    { op: 'setAttribute', idx: 0, key: 'late', value: 'abcdef' },
    { op: 'setAttribute', idx: 0, key: 'ok', value: ['abcdef', 'x'] },
    { op: 'addEvent', idx: 0, args: ['e1', bad] },
    { op: 'addEvent', idx: 0, args: ['e2', bad, 'perf-past'] },
    { op: 'addLink', idx: 0, link: { ctx: 'fixed', attributes: bad } },
    { op: 'end', idx: 0 },
  ]);
  edge('limits via spanLimits: count, length, events drop oldest, links, per-event and per-link', { spanLimits: { attributeCountLimit: 2, attributeValueLengthLimit: 4, eventCountLimit: 2, linkCountLimit: 2, attributePerEventCountLimit: 1, attributePerLinkCountLimit: 1 } }, [
    start({ attributes: { a: 'abcdefg', b: ['xyzuvw', 'q'], c: 1, d: true }, links: [{ ctx: 'fixed', attributes: { l1: 'long-value', l2: 2 } }, { ctx: 'fixed' }, { ctx: 'invalid' }] }),
    { op: 'setAttribute', idx: 0, key: 'a', value: 'replace-existing' },
    { op: 'setAttribute', idx: 0, key: 'new', value: 1 },
    ...[1, 2, 3, 4].map((i): Op => ({ op: 'addEvent', idx: 0, args: [`ev${i}`, { x: 'longer', y: 2 }] })),
    { op: 'recordException', idx: 0, exc: 'error' },
    { op: 'end', idx: 0 },
  ]);
  edge('all limits zero', { spanLimits: { attributeCountLimit: 0, attributeValueLengthLimit: 0, eventCountLimit: 0, linkCountLimit: 0, attributePerEventCountLimit: 0, attributePerLinkCountLimit: 0 } }, [
    start({ attributes: { a: 'x', b: [1] }, links: [{ ctx: 'fixed', attributes: { a: 1 } }] }),
    { op: 'addEvent', idx: 0, args: ['e'] },
    { op: 'end', idx: 0 },
  ]);
  for (const sampler of SAMPLERS) {
    edge(`sampler ${sampler}: root, remote parents, local parents, suppressed, root option`, { sampler }, [
      start({ attributes: { a: 1 } }),
      start({ attributes: { a: 2 } }, { t: 'remote', sampled: true, ts: true }),
      start({ attributes: { a: 3 } }, { t: 'remote', sampled: false, ts: false }),
      start({ attributes: { a: 4 } }, { t: 'parent', idx: 0 }),
      start({ attributes: { a: 5 } }, { t: 'parent', idx: 2 }),
      start({ root: true }, { t: 'parent', idx: 0 }),
      start({ attributes: { a: 6 } }, { t: 'suppressed', idx: 0 }),
      start(undefined, { t: 'invalid' }),
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((i): Op => ({ op: 'end', idx: i })),
    ]);
  }
  edge('after end: every operation ignored with its warning; end twice: one error, processors once', { writingProcessor: true }, [
    start({ attributes: { a: 1 } }),
    { op: 'end', idx: 0 },
    { op: 'setAttribute', idx: 0, key: 'b', value: 2 },
    { op: 'setAttribute', idx: 0, key: 'b', value: null },
    { op: 'addEvent', idx: 0, args: ['e'] },
    { op: 'addLink', idx: 0, link: { ctx: 'fixed' } },
    { op: 'setStatus', idx: 0, status: { code: SpanStatusCode.ERROR, message: 'x' } },
    { op: 'updateName', idx: 0, name: 'n' },
    { op: 'recordException', idx: 0, exc: 'error' },
    { op: 'end', idx: 0 },
  ]);
  edge('status rules: UNSET ignored, OK final, message only for ERROR and only strings', {}, [
    start({}),
    { op: 'setStatus', idx: 0, status: { code: SpanStatusCode.ERROR, message: 42 } },
    { op: 'setStatus', idx: 0, status: { code: SpanStatusCode.ERROR, message: 'm' } },
    { op: 'setStatus', idx: 0, status: { code: SpanStatusCode.UNSET } },
    { op: 'setStatus', idx: 0, status: { code: SpanStatusCode.OK, message: 'ignored' } },
    { op: 'setStatus', idx: 0, status: { code: SpanStatusCode.ERROR, message: 'after ok' } },
    { op: 'end', idx: 0 },
  ]);
  edge('times: startTime given (Date, epoch, HrTime, performance-relative), end before start', {}, [
    start({ startTime: new Date(1_700_000_000_000) }),
    start({ startTime: 'perf-past' }),
    start({ startTime: [1_700_000_000, 5] }),
    start({ startTime: 1_900_000_000_000 }),
    { op: 'tick', ms: 12.5 },
    { op: 'addEvent', idx: 0, args: ['no-time'] },
    { op: 'addEvent', idx: 1, args: ['no-time'] },
    { op: 'addEvent', idx: 2, args: ['hr', [1_700_000_001, 7]] },
    { op: 'addEvent', idx: 3, args: ['attrs-and-two-times', { a: 1 }, 'perf-now'] },
    { op: 'addEvent', idx: 3, args: ['time-then-time', 'perf-now', new Date(5)] },
    { op: 'end', idx: 0 },
    { op: 'end', idx: 1, time: 'perf-now' },
    { op: 'end', idx: 2, time: 1_600_000_000_000 },
    { op: 'end', idx: 3 },
  ]);
  edge('exceptions of every shape', {}, [
    start({}),
    ...['exc-string', '', 'error', 'coded', 'numeric-code', 'named', 'message-only', 'empty', 'undefined', 'null'].map((exc): Op => ({ op: 'recordException', idx: 0, exc })),
    { op: 'end', idx: 0 },
  ]);
  edge('a processor writing in onStart and onEnding; custom sampler adding and mutating attributes', { writingProcessor: true, sampler: 'custom' }, [
    ...[1, 2, 3, 4, 5, 6].map(() => start({ attributes: { a0: 'v', b: [1, 2] }, links: [{ ctx: 'fixed', attributes: { l: 1 } }] })),
    ...[0, 1, 2, 3, 4, 5].map((i): Op => ({ op: 'end', idx: i })),
  ]);
});

test('util.inspect shows the same fields as for SpanImpl and the SDK Tracer', () => {
  const shown: string[][] = [];
  for (const make of [makeSdk, makeLean]) {
    freezeClocks();
    try {
      const p = make({ resource: RESOURCE, idGenerator: new CountingIds(), spanLimits: { attributeCountLimit: 5 } });
      const t = p.getTracer('inspect', '1');
      const s = t.startSpan('s', { attributes: { a: 1, b: ['x'] } }, ROOT_CONTEXT);
      s.addEvent('e', { c: true });
      s.end();
      shown.push([inspect(s), inspect(s, { depth: 0 }), inspect({ nested: { deeper: s } }, { depth: 1 }), inspect(t)]);
    } finally {
      restoreClocks();
    }
  }
  const [sdk, lean] = shown;
  expect(lean).toEqual(sdk.map((x) => x.replace(/SpanImpl/g, 'LeanSpan').replace(/\bTracer\b/g, 'LeanTracer')));
});

test('real clocks: times are HrTimes in order, on both', () => {
  for (const make of [makeSdk, makeLean]) {
    const ended: Span[] = [];
    const p = make({ spanProcessors: [{ onStart() {}, onEnd: (s: unknown) => ended.push(s as Span), forceFlush: async () => {}, shutdown: async () => {} }] });
    const t = p.getTracer('clock');
    const before = Date.now();
    const s = t.startSpan('s', { attributes: { a: 1 } });
    s.addEvent('e');
    s.end();
    const r = ended[0] as unknown as { startTime: [number, number]; endTime: [number, number]; duration: [number, number]; events: { time: [number, number] }[] };
    for (const h of [r.startTime, r.endTime, r.duration, r.events[0].time]) {
      expect(h).toHaveLength(2);
      expect(Number.isInteger(h[0]) && Number.isInteger(h[1]) && h[1] >= 0 && h[1] < 1e9).toBe(true);
    }
    const ns = (h: [number, number]) => BigInt(h[0]) * 1_000_000_000n + BigInt(h[1]);
    expect(Math.abs(r.startTime[0] * 1000 - before)).toBeLessThan(2000);
    expect(ns(r.events[0].time) >= ns(r.startTime)).toBe(true);
    expect(ns(r.endTime) >= ns(r.events[0].time)).toBe(true);
    expect(ns(r.duration)).toBe(ns(r.endTime) - ns(r.startTime));
  }
});
