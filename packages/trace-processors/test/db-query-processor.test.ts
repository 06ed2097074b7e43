import { diag, DiagLogLevel, INVALID_SPAN_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createDbQueryHashing, DbQueryHashSpanProcessor, fingerprint, QueryHasher, type QueryInfo } from '@org/trace-processors';
import { harness } from './span-harness';

const SQL = "SELECT * FROM users WHERE email = 'alice@example.com'";

describe('DbQueryHashSpanProcessor', () => {
  it('handles text set after start (instrumentation-pg style)', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startDbSpan('pg.query:SELECT db');
    span.setAttribute('db.query.text', SQL);
    span.end();
    const [s] = h.exporter.getFinishedSpans();
    expect(s.name).toBe('SELECT users');
    expect(s.attributes).toMatchObject({
      'db.query.text': 'SELECT * FROM users WHERE email = ?',
      'db.query.summary': 'SELECT users',
      'db.operation.name': 'SELECT',
      'db.collection.name': 'users',
      'org.db.query.hash_version': 'pg-2',
    });
    expect(s.attributes['org.db.query.hash']).toMatch(/^[0-9a-f]{16}$/);
    await h.shutdown();
  });

  it('handles the old db.statement passed at start (mysql2/knex style) and never exports it', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startDbSpan(SQL, { 'db.system': 'mysql', 'db.statement': SQL });
    span.end();
    const [s] = h.exporter.getFinishedSpans();
    expect(s.attributes['db.statement']).toBeUndefined();
    expect(s.attributes['db.query.text']).toBe('SELECT * FROM users WHERE email = ?');
    expect(s.name).toBe('SELECT users');
    await h.shutdown();
  });

  it('keeps an operation/collection the instrumentation already set', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startDbSpan('x', { 'db.operation.name': 'findUser', 'db.collection.name': 'app_users' });
    span.setAttribute('db.query.text', SQL);
    span.end();
    expect(h.exporter.getFinishedSpans()[0].attributes).toMatchObject({ 'db.operation.name': 'findUser', 'db.collection.name': 'app_users' });
    await h.shutdown();
  });

  it('drops bound values unless statement=raw', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startDbSpan();
    span.setAttributes({ 'db.postgresql.values': ['alice'], 'db.query.parameter.email': 'alice', 'db.namespace': 'app' });
    span.end();
    const a = h.exporter.getFinishedSpans()[0].attributes;
    expect(a['db.postgresql.values']).toBeUndefined();
    expect(a['db.query.parameter.email']).toBeUndefined();
    expect(a['db.namespace']).toBe('app');
    await h.shutdown();
  });

  it('scrubs the status and exception of a db span, including a quoted copy of the statement', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startDbSpan();
    span.setAttribute('db.query.text', SQL);
    const msg = `${SQL} - invalid input syntax for type integer: "x-secret"`;
    span.recordException(new Error(msg));
    span.recordException(msg);
    span.setStatus({ code: SpanStatusCode.ERROR, message: msg });
    span.end();
    const [s] = h.exporter.getFinishedSpans();
    expect(s.status.message).toBe('SELECT * FROM users WHERE email = ? - invalid input syntax for type integer: "?"');
    expect(s.events.map((e) => e.attributes?.['exception.message'])).toEqual([s.status.message, s.status.message]);
    expect(JSON.stringify(s.events)).not.toMatch(/alice|x-secret/);
    await h.shutdown();
  });

  it('statement=raw exports the raw text and leaves errors alone; statement=off exports no text', async () => {
    const raw = harness(new DbQueryHashSpanProcessor({ statement: 'raw' }));
    const span = raw.startDbSpan();
    span.setAttributes({ 'db.query.text': SQL, 'db.postgresql.values': ['v'] });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'value "v1" bad' });
    span.end();
    const [r] = raw.exporter.getFinishedSpans();
    expect(r.attributes['db.query.text']).toBe(SQL);
    expect(r.attributes['db.postgresql.values']).toEqual(['v']);
    expect(r.status.message).toBe('value "v1" bad');
    expect(r.attributes['db.query.summary']).toBe('SELECT users');

    const off = harness(new DbQueryHashSpanProcessor({ statement: 'off' }));
    const o = off.startDbSpan();
    o.setAttribute('db.statement', SQL);
    o.end();
    const [f] = off.exporter.getFinishedSpans();
    expect(f.attributes['db.query.text']).toBeUndefined();
    expect(f.attributes['db.statement']).toBeUndefined();
    expect(f.attributes['org.db.query.hash']).toBe(r.attributes['org.db.query.hash']);
    await raw.shutdown();
    await off.shutdown();
  });

  it('requestHook path: the statement is applied at once, and a text written after it is caught at end', async () => {
    const hashing = createDbQueryHashing();
    const h = harness(hashing.spanProcessor);
    const span = h.startDbSpan();
    span.setAttribute('db.query.text', SQL);
    hashing.pgInstrumentationConfig.requestHook(span, { query: { text: SQL } });
    // Applied immediately: nothing raw is left on the span even before it ends.
    expect(JSON.stringify((span as unknown as { attributes: object }).attributes)).not.toContain('alice');
    span.end();
    const late = h.startDbSpan();
    late.setAttribute('db.query.text', SQL);
    hashing.pgInstrumentationConfig.requestHook(late, { query: { text: SQL } });
    late.setAttribute('db.query.text', "SELECT * FROM users WHERE email = 'bob@example.com'");
    late.setAttribute('db.statement', SQL);
    late.end();
    const [a, b] = h.exporter.getFinishedSpans();
    expect(a.name).toBe('SELECT users');
    expect(a.attributes['db.query.text']).toBe('SELECT * FROM users WHERE email = ?');
    expect(b.attributes['db.query.text']).toBe('SELECT * FROM users WHERE email = ?');
    expect(b.attributes['db.statement']).toBeUndefined();
    expect(b.attributes['org.db.query.hash']).toBe(a.attributes['org.db.query.hash']);
    expect(h.otlp()).not.toMatch(/alice|bob/);
    await h.shutdown();
  });

  it('requestHook path: errors quoting the statement or echoing values are scrubbed at end', async () => {
    const hashing = createDbQueryHashing();
    const h = harness(hashing.spanProcessor);
    const span = h.startDbSpan();
    span.setAttribute('db.query.text', SQL);
    hashing.pgInstrumentationConfig.requestHook(span, { query: { text: SQL } });
    const msg = `${SQL} - invalid input syntax for type integer: "x-secret"`;
    span.recordException(new Error(msg));
    span.setStatus({ code: SpanStatusCode.ERROR, message: msg });
    span.end();
    const [s] = h.exporter.getFinishedSpans();
    expect(s.status.message).toBe('SELECT * FROM users WHERE email = ? - invalid input syntax for type integer: "?"');
    expect(s.events[0].attributes?.['exception.message']).toBe(s.status.message);
    expect(h.otlp()).not.toMatch(/alice|x-secret/);
    await h.shutdown();
  });

  it('requestHook path in off and raw modes', async () => {
    for (const statement of ['off', 'raw'] as const) {
      const hashing = createDbQueryHashing({ statement });
      const h = harness(hashing.spanProcessor);
      const span = h.startDbSpan();
      span.setAttribute('db.query.text', SQL);
      hashing.pgInstrumentationConfig.requestHook(span, { query: { text: SQL } });
      span.end();
      const [s] = h.exporter.getFinishedSpans();
      expect(s.attributes['db.query.text']).toBe(statement === 'off' ? undefined : SQL);
      expect(s.attributes['org.db.query.hash']).toBe(fingerprint(SQL));
      expect(s.name).toBe('SELECT users');
      const counted = s as unknown as { _attributesCount: number; attributes: object };
      expect(counted._attributesCount).toBe(Object.keys(counted.attributes).length);
      await h.shutdown();
    }
  });

  it('the hook sees the full text even when the SDK cuts long attribute values', async () => {
    const exporter = new InMemorySpanExporter();
    const hashing = createDbQueryHashing();
    const provider = new BasicTracerProvider({
      spanLimits: { attributeValueLengthLimit: 40 },
      spanProcessors: [hashing.spanProcessor, new SimpleSpanProcessor(exporter)],
    });
    const span = provider.getTracer('t').startSpan('pg.query', { attributes: { 'db.system.name': 'postgresql' } });
    span.setAttribute('db.query.text', SQL);
    hashing.pgInstrumentationConfig.requestHook(span, { query: { text: SQL } });
    span.end();
    const [s] = exporter.getFinishedSpans();
    expect(s.attributes['org.db.query.hash']).toBe(fingerprint(SQL));
    expect(s.attributes['db.query.text']).toBe('SELECT * FROM users WHERE email = ?'.slice(0, 40));
    expect(s.name).toBe('SELECT users');
    await provider.shutdown();
  });

  it('the requestHook ignores spans that are not recording (sampled out) and bad input', () => {
    const hashing = createDbQueryHashing();
    const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    expect(() => hashing.pgInstrumentationConfig.requestHook(span, { query: { text: SQL } })).not.toThrow();
    expect(() => hashing.pgInstrumentationConfig.requestHook(span, undefined as never)).not.toThrow();
    expect(() => hashing.pgInstrumentationConfig.requestHook({} as never, { query: { text: SQL } })).not.toThrow();
  });

  it('scrubs the error status of a db span without a statement (pool connect)', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startDbSpan('pg-pool.connect');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'password authentication failed for user "app" with "hunter2"' });
    span.end();
    const [s] = h.exporter.getFinishedSpans();
    expect(s.name).toBe('pg-pool.connect');
    expect(s.status.message).toBe('password authentication failed for user "app" with "?"');
    await h.shutdown();
  });

  it('does not touch the span objects of other spans (no wrapped setters, no own properties)', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startSpan('GET /', { 'http.route': '/' });
    const proto = Object.getPrototypeOf(span);
    const before = Reflect.ownKeys(span);
    span.setAttribute('http.response.status_code', 200);
    span.end();
    expect(Reflect.ownKeys(span)).toEqual(before);
    expect((span as unknown as { setAttribute: unknown }).setAttribute).toBe(proto.setAttribute);
    const db = h.startDbSpan();
    expect((db as unknown as { setAttribute: unknown }).setAttribute).toBe(proto.setAttribute);
    db.end();
    await h.shutdown();
  });

  it('onEnding catches text that bypassed the setters (no db.system at start, direct writes)', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const late = h.startSpan('custom');
    late.setAttribute('db.statement', SQL);
    late.setStatus({ code: SpanStatusCode.ERROR, message: 'value "v-secret" bad' });
    late.end();
    const direct = h.startDbSpan();
    direct.setAttribute('db.query.text', 'SELECT 1');
    (direct as unknown as { attributes: Record<string, unknown> }).attributes['db.query.text'] = SQL;
    direct.end();
    const [a, b] = h.exporter.getFinishedSpans();
    expect(a.attributes['db.statement']).toBeUndefined();
    expect(a.attributes['db.query.text']).toBe('SELECT * FROM users WHERE email = ?');
    expect(a.status.message).toBe('value "?" bad');
    expect(b.attributes['db.query.text']).toBe('SELECT * FROM users WHERE email = ?');
    await h.shutdown();
  });

  it('leaves spans that are not db spans untouched', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startSpan('GET /users/:id', { 'http.route': '/users/:id' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'user "bob" not found' });
    span.end();
    const [s] = h.exporter.getFinishedSpans();
    expect(s.name).toBe('GET /users/:id');
    expect(s.status.message).toBe('user "bob" not found');
    expect(Object.keys(s.attributes)).toEqual(['http.route']);
    await h.shutdown();
  });

  it('respects the attribute count limit bookkeeping when it removes attributes', async () => {
    const h = harness(new DbQueryHashSpanProcessor());
    const span = h.startDbSpan('x', { 'db.statement': SQL });
    span.end();
    const s = h.exporter.getFinishedSpans()[0] as unknown as { _attributesCount: number; attributes: object };
    expect(s._attributesCount).toBe(Object.keys(s.attributes).length);
    await h.shutdown();
  });

  it('never throws into the instrumentation, drops the text on internal failure, warns once', async () => {
    const warnings: string[] = [];
    diag.setLogger({ warn: (m: string) => warnings.push(m), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    const broken = new QueryHasher();
    broken.analyze = (): QueryInfo => {
      throw new Error('boom');
    };
    const h = harness(new DbQueryHashSpanProcessor({ hasher: broken }));
    for (let i = 0; i < 5; i++) {
      const span = h.startDbSpan();
      expect(() => span.setAttribute('db.query.text', SQL)).not.toThrow();
      span.end();
    }
    for (const s of h.exporter.getFinishedSpans()) expect(JSON.stringify(s.attributes)).not.toContain('alice');
    expect(warnings.filter((w) => w.includes('@org/trace-processors'))).toHaveLength(1);
    diag.disable();
    await h.shutdown();
  });

  it('falls back to sanitized on an unknown statement mode', () => {
    diag.setLogger({ warn: () => {}, error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    expect(new DbQueryHashSpanProcessor({ statement: 'everything' as never }).statement).toBe('sanitized');
    diag.disable();
  });
});
