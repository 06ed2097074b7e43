// Bounded fuzzing: random bytes and mutated real-world SQL must never make the normalizer (or the
// error scrubber) throw, must keep outputs within their caps, and must take time linear in the input.
import { normalizeSql, sanitizeDbErrorMessage, QueryHasher } from '@org/trace-processors';
import { loadCorpus } from './corpus/load-corpus';
import { seededRandom } from '../../../test/fixtures/seeded-random';

/** Deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
const prng = seededRandom;

const SQL_CHARS = ["'", '"', '$', '$$', '$a$', ';', '-', '--', '/*', '*/', '(', ')', '[', ']', ',', ':', '::', '\\', 'E', 'U&', ' ', '\n', '0', '.', 'e', '?', '\u0000', '\ud83d', '\ude00', 'é'];

function randomBytes(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const r = rand();
    // Mostly ASCII, some control characters, Latin-1, lone surrogates and astral characters.
    s += r < 0.8 ? String.fromCharCode(32 + Math.floor(rand() * 95)) : r < 0.9 ? String.fromCharCode(Math.floor(rand() * 256)) : String.fromCharCode(0xd800 + Math.floor(rand() * 0x800));
  }
  return s;
}

function mutate(rand: () => number, sql: string, edits: number, protect?: [number, number]): string {
  let s = sql;
  for (let i = 0; i < edits; i++) {
    let at = Math.floor(rand() * (s.length + 1));
    if (protect && at > protect[0] && at < protect[1]) at = protect[0];
    const piece = SQL_CHARS[Math.floor(rand() * SQL_CHARS.length)];
    const op = rand();
    const shift = (delta: number) => {
      if (protect && at <= protect[0]) protect = [protect[0] + delta, protect[1] + delta];
    };
    if (op < 0.5) {
      s = s.slice(0, at) + piece + s.slice(at);
      shift(piece.length);
    } else if (op < 0.8) {
      if (protect && at + 1 > protect[0] && at < protect[1]) continue;
      s = s.slice(0, at) + s.slice(at + 1);
      shift(-1);
    } else {
      if (protect && at + 1 > protect[0] && at < protect[1]) continue;
      s = s.slice(0, at) + piece + s.slice(at + 1);
      shift(piece.length - 1);
    }
  }
  return s;
}

function checkOutput(sql: string): void {
  const n = normalizeSql(sql);
  expect(typeof n.sanitized).toBe('string');
  expect(typeof n.key).toBe('string');
  expect(n.sanitized.length).toBeLessThanOrEqual(32 * 1024);
  expect(n.summary.length).toBeLessThanOrEqual(255);
  // The output is itself a valid input (idempotence is not required, robustness is).
  normalizeSql(n.sanitized);
}

describe('fuzz', () => {
  const corpus = loadCorpus('real-world-queries.sql');

  it('random bytes: no throw, outputs within caps (2000 inputs)', () => {
    const rand = prng(1);
    for (let i = 0; i < 2000; i++) {
      const input = randomBytes(rand, Math.floor(rand() * 600));
      try {
        checkOutput(input);
        sanitizeDbErrorMessage(input);
      } catch (e) {
        throw new Error(`seed 1, case ${i}: ${JSON.stringify(input)}: ${String(e)}`);
      }
    }
  });

  it('mutated real-world SQL: no throw (4000 inputs)', () => {
    const rand = prng(2);
    const hasher = new QueryHasher({ cacheSize: 50 });
    for (let i = 0; i < 4000; i++) {
      const input = mutate(rand, corpus[i % corpus.length], 1 + Math.floor(rand() * 8));
      try {
        checkOutput(input);
        hasher.analyze(input);
      } catch (e) {
        throw new Error(`seed 2, case ${i}: ${JSON.stringify(input)}: ${String(e)}`);
      }
    }
  });

  it('a literal survives no mutation of the statement around it (3000 inputs)', () => {
    const rand = prng(3);
    const secret = 'ZQXJSECRET';
    for (let i = 0; i < 3000; i++) {
      const base = corpus[i % corpus.length];
      // Put the literal where an expression may go: as the first select item or in a WHERE.
      const literal = rand() < 0.5 ? `'${secret}'` : rand() < 0.5 ? `$$${secret}$$` : `E'${secret}\\''`;
      const where = base.search(/\bWHERE\b/i);
      const sql = where >= 0 ? `${base.slice(0, where)}WHERE x = ${literal} AND ${base.slice(where + 6)}` : `SELECT ${literal}, * FROM (${base}) s`;
      const start = sql.indexOf(literal);
      const input = mutate(rand, sql, 1 + Math.floor(rand() * 6), [start, start + literal.length]);
      const n = normalizeSql(input);
      if (n.sanitized.includes(secret) || n.key.toUpperCase().includes(secret) || n.summary.toUpperCase().includes(secret)) {
        throw new Error(`seed 3, case ${i}: literal leaked from ${JSON.stringify(input)} → ${n.sanitized}`);
      }
    }
  });

  it('takes linear time on adversarial inputs', () => {
    const patterns: Record<string, (n: number) => string> = {
      'nested parens': (n) => 'SELECT ' + '('.repeat(n) + '1' + ')'.repeat(n),
      'open parens': (n) => 'SELECT ' + '('.repeat(n),
      'quote pairs': (n) => "''".repeat(n),
      'dollar pairs': (n) => '$$'.repeat(n),
      'tag soup': (n) => '$a$ $b$ '.repeat(n),
      'comment opens': (n) => '/*'.repeat(n),
      'comment pairs': (n) => '/* x */'.repeat(n),
      'line comments': (n) => '--\n'.repeat(n),
      'E-string escapes': (n) => "E'" + '\\'.repeat(n),
      'IN list': (n) => 'SELECT * FROM t WHERE id IN (' + '1,'.repeat(n) + '1)',
      'VALUES rows': (n) => 'INSERT INTO t VALUES ' + '(1, $1, now()),'.repeat(n) + '(1, $1, now())',
      'many calls': (n) => 'SELECT ' + 'f(1), '.repeat(n) + 'f(1)',
      'array nest': (n) => 'SELECT ARRAY' + '['.repeat(n) + '1' + ']'.repeat(n),
      'operators': (n) => 'SELECT 1' + '+-'.repeat(n) + '1',
      'signs': (n) => 'SELECT ' + '-'.repeat(n) + '1',
      'dollar words': (n) => 'SELECT ' + 'a$b '.repeat(n),
      'glued literals': (n) => "SELECT 'a' " + "'b'c ".repeat(n),
      'error quotes': (n) => 'value "' + 'x" "'.repeat(n),
    };
    // CPU time of this process (not wall time: other processes on a shared machine would count),
    // best of 7 runs (GC pauses and interference only ever add time), in ns.
    const time = (f: () => void) => {
      let best = Infinity;
      for (let r = 0; r < 7; r++) {
        const t0 = process.cpuUsage();
        f();
        const d = process.cpuUsage(t0);
        best = Math.min(best, (d.user + d.system) * 1000);
      }
      return best;
    };
    const report: string[] = [];
    for (const [name, make] of Object.entries(patterns)) {
      // Small enough to run fast, large enough for the µs resolution of cpuUsage (≥ ~0.5 ms per run).
      const small = make(4_000);
      const large = make(64_000);
      const run = name === 'error quotes' ? sanitizeDbErrorMessage : (s: string) => normalizeSql(s);
      run(small); // warm up
      const perByteSmall = time(() => run(small)) / small.length;
      const perByteLarge = time(() => run(large)) / large.length;
      report.push(`${name}: ${perByteSmall.toFixed(1)} → ${perByteLarge.toFixed(1)} ns/byte`);
    }
    console.log(report.join('\n'));
    // 16× the input must cost at most ~16× the time (× 6 for noise on a shared machine, GC, cache
    // effects); a quadratic scan would be 16× per byte, and up to 200 ns/byte is accepted regardless.
    for (const line of report) {
      const [, small, large] = /: ([\d.]+) → ([\d.]+)/.exec(line)!.map(Number);
      expect([line, large < Math.max(small * 6, 200)]).toEqual([line, true]);
    }
  });
});
