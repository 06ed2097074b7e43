// End to end: a real node process with NodeTracerProvider + PgInstrumentation 0.76 + the built
// @org/trace-processors, querying the real PostgreSQL of the test run. What we check is what the
// exporter received (and the OTLP/JSON body it would send).
import { Client } from 'pg';
import { FINGERPRINT_VERSION } from '@org/trace-processors';
import { runTracedApp, type ExportedSpan } from './fixtures/run-fixture';
import { withoutIds } from './span-harness';

const querySpans = (spans: ExportedSpan[]) => spans.filter((s) => s.attributes['db.system.name'] === 'postgresql' && !/connect/.test(s.name));

beforeAll(async () => {
  const c = new Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    await c.query('DROP TABLE IF EXISTS qh_users');
    await c.query('CREATE TABLE qh_users (id serial primary key, email text unique not null, age int)');
    await c.query("INSERT INTO qh_users (email, age) VALUES ('alice@example.com', 31), ('bob@example.com', 42)");
  } finally {
    await c.end();
  }
});

describe('pg spans through a real provider and exporter', () => {
  it('exports equal hashes, sanitized text and the summary for two users queried by email', async () => {
    const out = await runTracedApp({
      steps: [
        { text: "SELECT * FROM qh_users WHERE email = 'alice@example.com'" },
        { text: "SELECT * FROM qh_users WHERE email = 'bob@example.com'", via: 'client' },
      ],
    });
    expect(out.results.map((r) => (r.rows as Array<{ email: string }>)[0].email)).toEqual(['alice@example.com', 'bob@example.com']);
    const spans = querySpans(out.spans);
    expect(spans).toHaveLength(2);
    const [a, b] = spans;
    expect(a.attributes['org.db.query.hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(a.attributes['org.db.query.hash']).toBe(b.attributes['org.db.query.hash']);
    expect(a.attributes['org.db.query.hash_version']).toBe(FINGERPRINT_VERSION);
    for (const s of spans) {
      expect(s.attributes['db.query.text']).toBe('SELECT * FROM qh_users WHERE email = ?');
      expect(s.attributes['db.query.summary']).toBe('SELECT qh_users');
      expect(s.name).toBe('SELECT qh_users');
      expect(s.attributes['db.operation.name']).toBe('SELECT');
      expect(s.attributes['db.collection.name']).toBe('qh_users');
      expect(s.attributes['db.statement']).toBeUndefined();
    }
    // Nothing of either address anywhere in what an OTLP exporter would send.
    expect(out.otlp).toContain('SELECT qh_users');
    expect(out.otlp).not.toMatch(/alice|bob|example\.com/);
  });

  it('scrubs values echoed by PostgreSQL errors from the status and exception events', async () => {
    const out = await runTracedApp({
      steps: [
        { text: "SELECT * FROM qh_users WHERE id = 'hunter2-secret'" },
        { text: "INSERT INTO qh_users (email, age) VALUES ('alice@example.com', 1)" },
        { text: 'SELECT * FROM qh_users WHERE age = $1', values: ['not-a-number-carol'] },
      ],
    });
    expect(out.results.every((r) => r.error)).toBe(true);
    // The application still sees the real error.
    expect(out.results[0].error).toContain('hunter2-secret');
    const spans = querySpans(out.spans);
    expect(spans).toHaveLength(3);
    for (const s of spans) expect(s.status.code).toBe(2);
    expect(spans[0].status.message).toBe('invalid input syntax for type integer: "?"');
    expect(spans[1].status.message).toBe('duplicate key value violates unique constraint "qh_users_email_key"');
    expect(out.otlp).not.toMatch(/hunter2|carol|alice|not-a-number/);
  });

  it('sanitizes many statement shapes with zero literal leaks (PII corpus through the real driver)', async () => {
    const secrets = ['4111111111111111', 'SSN-078-05-1120', 'dave@corp.example', 'P@ssw0rd!', '+1-202-555-0143', 'Main Street 42'];
    const out = await runTracedApp({
      steps: [
        { text: `SELECT * FROM qh_users WHERE email IN ('${secrets[2]}', 'x@y.z') AND age > 17` },
        { text: `SELECT $$${secrets[3]}$$ AS p, E'${secrets[1]}\\n' AS s, ${secrets[0]} AS card` },
        { text: `/* user=${secrets[2]} */ UPDATE qh_users SET age = 3 WHERE email = 'nobody' -- ${secrets[4]}` },
        { text: `SELECT count(*) FROM qh_users WHERE email = U&'${secrets[5].replace(/ /g, '\\0020')}'` },
        { text: `SELECT * FROM qh_users WHERE email = '${secrets[4]}' OR email = 'unterminated ${secrets[5]}` },
      ],
    });
    expect(querySpans(out.spans)).toHaveLength(5);
    for (const secret of secrets) expect(out.otlp).not.toContain(secret);
    // A prefix of the card number, too: outside ids, timestamps and hashes (random digits there
    // contain '4111' now and then: seen once as a timeUnixNano).
    expect(withoutIds(out.otlp)).not.toContain('4111');
    const texts = querySpans(out.spans).map((s) => s.attributes['db.query.text']);
    expect(texts[0]).toBe('SELECT * FROM qh_users WHERE email IN (?) AND age > ?');
    expect(texts[4]).toBe('?');
  });

  it('statement=off exports no text but still the hash and summary; statement=raw exports the text', async () => {
    const off = await runTracedApp({ db: { statement: 'off' }, steps: [{ text: "SELECT * FROM qh_users WHERE email = 'alice@example.com'" }] });
    const [s] = querySpans(off.spans);
    expect(s.attributes['db.query.text']).toBeUndefined();
    expect(s.attributes['db.query.summary']).toBe('SELECT qh_users');
    expect(s.attributes['org.db.query.hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(off.otlp).not.toContain('alice');

    const raw = await runTracedApp({ db: { statement: 'raw' }, steps: [{ text: "SELECT * FROM qh_users WHERE email = 'alice@example.com'" }] });
    const [r] = querySpans(raw.spans);
    expect(r.attributes['db.query.text']).toBe("SELECT * FROM qh_users WHERE email = 'alice@example.com'");
    expect(r.attributes['org.db.query.hash']).toBe(s.attributes['org.db.query.hash']);
  });

  it('without the processor on the provider, the requestHook still replaces the raw text', async () => {
    const out = await runTracedApp({ processor: false, steps: [{ text: "SELECT * FROM qh_users WHERE email = 'alice@example.com'" }] });
    const [s] = querySpans(out.spans);
    expect(s.attributes['db.query.text']).toBe('SELECT * FROM qh_users WHERE email = ?');
    expect(s.name).toBe('SELECT qh_users');
    expect(out.otlp).not.toContain('alice');
  });

  it('sqlcommenter: the server sees the traceparent, the fingerprint ignores it', async () => {
    const text = "SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid() AND 'x' = 'x'";
    const on = await runTracedApp({ db: { sqlcommenter: true }, steps: [{ text, via: 'client' }] });
    const off = await runTracedApp({ steps: [{ text, via: 'client' }] });
    const seen = (on.results[0].rows as Array<{ query: string }>)[0].query;
    const [span] = querySpans(on.spans);
    expect(seen).toContain(`traceparent='00-${span.traceId}-${span.spanId}-01'`);
    expect((off.results[0].rows as Array<{ query: string }>)[0].query).not.toContain('traceparent');
    expect(span.attributes['db.query.text']).not.toContain('traceparent');
    expect(span.attributes['org.db.query.hash']).toBe(querySpans(off.spans)[0].attributes['org.db.query.hash']);
  });

  it('pool-connect spans show the wait for a pooled connection when the pool is exhausted', async () => {
    const out = await runTracedApp({ poolMax: 1, steps: [{ text: 'SELECT pg_sleep(0.2)', via: 'concurrent', times: 3 }] });
    const connects = out.spans.filter((s) => s.name === 'pg-pool.connect');
    expect(connects).toHaveLength(3);
    const waits = connects.map((s) => s.durationMs).sort((x, y) => x - y);
    // Third caller waited for two 200 ms queries to finish first.
    expect(waits[2]).toBeGreaterThan(300);
    // A statement that names no table is summarised by the function it calls.
    expect(querySpans(out.spans).every((s) => s.name === 'SELECT pg_sleep')).toBe(true);
  });
});
