// Issue 9, item 5: SQL is the most sensitive thing a tracer sees. Two parts:
//  - the normalizer itself (in-process, seeded, bounded): never throws on garbage, never lets a
//    literal or comment through when the statement around it is well-formed, and its cost stays
//    linear in the input size on the inputs that stress a lexer (nesting, quotes, long lists);
//  - end to end: PII-bearing statements run by a real app under `node --require` against real
//    PostgreSQL, including ones PostgreSQL rejects with an error that quotes the value; nothing of
//    the secrets may appear anywhere in the exported spans or in the distribution's own logs.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { normalizeSql } from '@org/trace-processors';
import { AttrValue, OtlpReceiver, ReceivedSpan } from '../fixtures/otlp-receiver';
import { Apps, timedExit } from './harness/app-under-test';
import { Random } from './harness/random';
import { record } from './harness/results';

describe('normalizer under fuzz', () => {
  const GARBAGE_FRAGMENTS = ["'", '"', '$$', '$a$', '$', '/*', '*/', '--', '\n', 'E\'', "U&'", '\\', '(', ')', '[', ']', ',', ';', '::', 'SELECT', 'IN', 'VALUES', '1', '1.5e9', '0x', 'x', ' ', '\t', '\u0000', '\ud800', '🙂', 'é', '?', ':name', '$1'];

  test('5000 garbage inputs (random fragments, controls, lone surrogates): never throws, always returns bounded strings', () => {
    const r = new Random(0x5_91_f022);
    let thrown = 0;
    let badShape = 0;
    let unterminated = 0;
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: r.int(1, 200) }, () => (r.chance(0.9) ? r.pick(GARBAGE_FRAGMENTS) : r.string(r.int(1, 10), 'bytes'))).join(r.chance(0.5) ? '' : ' ');
      try {
        const n = normalizeSql(text);
        if (typeof n.sanitized !== 'string' || typeof n.key !== 'string' || typeof n.summary !== 'string' || n.sanitized.length > 32 * 1024) badShape++;
        if (n.unterminated) unterminated++;
      } catch {
        thrown++;
      }
    }
    let nonString = 0;
    for (const v of [undefined, null, 42, {}, [], Symbol('x'), () => 1]) {
      try {
        normalizeSql(v as unknown as string);
      } catch {
        nonString++;
      }
    }
    record({ area: 'sql', tried: '5000 seeded garbage statements (quotes, dollar tags, comments, controls, lone surrogates) + 7 non-strings', measured: `${thrown + nonString} threw; ${badShape} malformed results; ${unterminated} judged unterminated (exported as "?")` });
    expect(thrown).toBe(0);
    expect(nonString).toBe(0);
    expect(badShape).toBe(0);
  });

  test('2000 well-formed statements with secrets inside literals and comments: no secret in sanitized text, key or summary', () => {
    const r = new Random(0x11_7e_4a15);
    const wrap: Array<(s: string) => string> = [
      (s) => `'${s}'`,
      (s) => `'${s}''s'`,
      (s) => `E'${s}\\'x'`,
      (s) => `$$${s}$$`,
      (s) => `$tag$${s} $ $notag$ $tag$`,
      (s) => `/* ${s} */`,
      (s) => `/* outer /* ${s} */ still comment */`,
      (s) => `-- ${s}\n`,
      (s) => `U&'${s}'`,
      (s) => `DATE '${s}'`,
      (s) => `B'1010' || '${s}'`,
    ];
    const plain = ['SELECT', 'a', 'FROM', 't', 'WHERE', 'x', '=', 'AND', 'IN', '(', ')', ',', '1', '42.5', '$1', 'ORDER BY', 'LIMIT', 'users', 'u.email', '::text', 'VALUES', 'INSERT INTO', 'UPDATE', 'SET'];
    const leaks: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const secret = `S3cr3t${i}x${r.string(6, 'alnum')}`;
      const parts = Array.from({ length: r.int(2, 30) }, () => r.pick(plain));
      parts.splice(r.int(0, parts.length), 0, r.pick(wrap)(secret));
      const text = parts.join(' ');
      const n = normalizeSql(text);
      for (const out of [n.sanitized, n.key, n.summary, n.collection, n.operation]) {
        if (out.includes('S3cr3t')) leaks.push(`${JSON.stringify(text)} → ${JSON.stringify(out)}`);
      }
    }
    record({ area: 'sql', tried: '2000 seeded well-formed statements, a secret in one of 11 literal/comment forms', measured: `${leaks.length} leaks` });
    expect(leaks.slice(0, 5)).toEqual([]);
  });

  test('cost stays linear in input size (64 KiB → 512 KiB) on lexer-stressing shapes', () => {
    const small = 64 * 1024;
    const large = 512 * 1024;
    const timings = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'harness', 'normalizer-timing.js'), String(small), String(large)], { encoding: 'utf8', timeout: 90_000 })) as Record<string, [number, number, number]>;
    const ratios = Object.entries(timings).map(([name, [, , ratio]]) => [name, ratio] as const);
    record({
      area: 'sql',
      tried: `normalizer cost at 64 KiB and 512 KiB (8×), ${ratios.length} lexer-stressing shapes (built package, fresh process)`,
      measured: Object.entries(timings).map(([name, [a, b, ratio]]) => `${name} ${a.toFixed(1)} → ${b.toFixed(1)} ms (×${ratio.toFixed(1)})`).join('; '),
    });
    // 8× the input: linear gives ~8×, quadratic 64×. Bracket-heavy shapes measure ~12–25×: one
    // object per open bracket, alive until its close (for nesting: to the end), so young-generation
    // GCs copy more of them as the input grows (with --max-semi-space-size=64 nesting scales ~8×).
    // 40 still catches a quadratic lexer.
    expect(ratios.filter(([, r]) => r > 40)).toEqual([]);
  });
});

/** One statement and the secrets it carries (each must never be exported). */
interface PiiCase {
  text: string;
  values?: unknown[];
  secrets: string[];
  /** PostgreSQL rejects it: its error message quotes the value. */
  errors?: boolean;
}

const PII_CORPUS: PiiCase[] = [
  { text: "SELECT 'alice.smith@example.com' AS email", secrets: ['alice.smith'] },
  { text: "SELECT * FROM (VALUES ('4111-1111-1111-1111', 'Bob Card')) AS t(card, name) WHERE card <> '5500 0000 0000 0004'", secrets: ['4111-1111', 'Bob Card', '5500 0000'] },
  { text: 'SELECT 4111111111111111 AS pan, 378282246310005 AS amex', secrets: ['4111111111111111', '378282246310005'] },
  { text: "SELECT 'tok_live_9f8e7d6c5b4a' = 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig'", secrets: ['tok_live', 'eyJhbGci'] },
  { text: 'SELECT $$dollar-quoted secret carol@example.org$$', secrets: ['carol@example'] },
  { text: "SELECT $pii$tagged $ secret dan-ssn-123-45-6789 $pii$ AS x", secrets: ['123-45-6789'] },
  { text: 'SELECT 1 /* user=erin@example.com password=hunter2 */', secrets: ['erin@example', 'hunter2'] },
  { text: 'SELECT 1 -- ssn 987-65-4321\n', secrets: ['987-65-4321'] },
  { text: 'SELECT 1 /* outer /* inner iban DE89370400440532013000 */ still hidden frank@example.com */', secrets: ['DE893704', 'frank@example'] },
  { text: "SELECT E'pass\\'word-hunter3'", secrets: ['hunter3', 'pass\\'] },
  { text: "SELECT U&'\\0061lice-unicode-secret'", secrets: ['unicode-secret'] },
  { text: "SELECT DATE '1985-04-12' AS dob, interval '3 days'", secrets: ['1985-04-12'] },
  { text: "SELECT jsonb_build_object('token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a')", secrets: ['ghp_16C7'] },
  { text: "SELECT ARRAY['heidi@example.com', 'ivan@example.com']", secrets: ['heidi@', 'ivan@'] },
  { text: "WITH t(x) AS (VALUES ('judy@example.com')) SELECT x FROM t WHERE x LIKE '%judy%'", secrets: ['judy'] },
  { text: "SELECT set_config('app.user_email', 'kim@example.com', false)", secrets: ['kim@example'] },
  { text: "SET application_name = 'lee-session-secret'", secrets: ['lee-session'] },
  { text: 'SELECT $1::text AS email, $2::text AS card', values: ['mallory@example.com', '6011111111111117'], secrets: ['mallory@', '6011111111111117'] },
  // PostgreSQL's error messages quote the offending value.
  { text: "SELECT 'nina@example.com'::int", secrets: ['nina@example'], errors: true },
  { text: 'SELECT $1::int', values: ['oscar@example.com'], secrets: ['oscar@example'], errors: true },
  { text: "SELECT 'peggy-unterminated@example.com", secrets: ['peggy'], errors: true },
  { text: "SELECT * FROM no_such_table_x WHERE email = 'quinn@example.com'", secrets: ['quinn@'], errors: true },
  { text: "SELECT 'rupert@example.com'::uuid", secrets: ['rupert@'], errors: true },
  { text: "SELECT to_date('sybil-not-a-date', 'YYYY-MM-DD')", secrets: ['sybil'], errors: true },
  { text: "SELECT 1/0 WHERE 'trent@example.com' = 'trent@example.com'", secrets: ['trent@'], errors: true },
  { text: "SELECT jsonb '{\"ssn\": \"555-44-3333\"'", secrets: ['555-44-3333'], errors: true },
  { text: "INSERT INTO pg_temp.nope VALUES ('victor@example.com')", secrets: ['victor@'], errors: true },
];

function* spanStrings(s: ReceivedSpan): Generator<string> {
  const walk = function* (v: AttrValue): Generator<string> {
    if (typeof v === 'string') yield v;
    else if (Array.isArray(v)) for (const x of v) yield* walk(x);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) yield k, yield* walk(x);
  };
  yield s.name;
  yield s.status.message;
  yield* walk(s.attributes);
  for (const e of s.events) yield e.name, yield* walk(e.attributes);
}

describe('end to end: PII corpus through a real app and PostgreSQL', () => {
  const apps = new Apps();
  afterAll(() => apps.stopAll());

  test.each([
    ['default (sanitized)', {}],
    ['with ORG_TRACE_PG_SQLCOMMENTER=true', { ORG_TRACE_PG_SQLCOMMENTER: 'true' }],
  ])(`${PII_CORPUS.length} statements, %s: zero literal leaks in spans (errors included) and logs`, async (label, extraEnv) => {
    const rx = await new OtlpReceiver().start();
    try {
      const app = apps.start('sql-body-app.js', { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_LOG_LEVEL: 'debug', ...extraEnv });
      const port = await app.port();
      const statuses: number[] = [];
      for (const c of PII_CORPUS) {
        const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify({ text: c.text, values: c.values }) });
        await res.text();
        statuses.push(res.status);
      }
      // Every statement's query span, failed ones included, must have been exported.
      const querySpans = () => rx.spans.filter((s) => s.kind === 3 && s.attributes['db.system.name'] === 'postgresql' && !/connect/.test(s.name));
      await rx.waitFor(() => querySpans().length >= PII_CORPUS.length, 15_000).catch(() => undefined);
      await timedExit(app, 'SIGTERM');
      const leaks: string[] = [];
      for (const s of rx.spans) {
        for (const text of spanStrings(s)) {
          for (const c of PII_CORPUS) for (const secret of c.secrets) if (text.includes(secret)) leaks.push(`${secret} in span "${s.name}": ${JSON.stringify(text.slice(0, 160))}`);
        }
      }
      for (const c of PII_CORPUS) for (const secret of c.secrets) if (app.stderr.includes(secret)) leaks.push(`${secret} in the distribution's log`);
      const failed = querySpans().filter((s) => s.status.code === 2);
      const withErrorText = failed.filter((s) => s.status.message !== '' || s.events.some((e) => e.name === 'exception'));
      const expectedErrors = PII_CORPUS.filter((c) => c.errors).length;
      record({
        area: 'sql',
        tried: `${PII_CORPUS.length} PII statements (emails, card numbers, tokens, dollar quotes, nested comments, E/U& strings, bound values), ${expectedErrors} rejected by PostgreSQL with the value in the message — ${label}`,
        measured: `${querySpans().length} query spans exported, ${failed.length} with error status (${withErrorText.length} carrying an error text); ${leaks.length} secrets found in spans or logs`,
      });
      expect(statuses.filter((s) => s === 500)).toHaveLength(expectedErrors);
      expect(querySpans().length).toBeGreaterThanOrEqual(PII_CORPUS.length);
      expect(failed).toHaveLength(expectedErrors);
      // The errors are still explained (a sanitized message), not just blanked.
      expect(withErrorText.length).toBe(expectedErrors);
      expect(leaks).toEqual([]);
    } finally {
      await rx.stop();
    }
  });
});
