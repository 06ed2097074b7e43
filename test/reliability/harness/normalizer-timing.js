// Times the built SQL normalizer on lexer-stressing shapes at two sizes, in a fresh process: inside
// a Jest worker the heap holds the whole test run, and major GCs over it swamp what is measured.
// Prints JSON: { shape: [smallMillis, largeMillis, ratio] }. Small and large inputs are timed
// alternately, round by round, so a busy spell on the machine hits both sides of a ratio; the
// ratio reported is the median of the per-round ratios (times: the best seen).
'use strict';
const { normalizeSql } = require('../../../packages/trace-processors/dist');

const [small, large] = process.argv.slice(2).map(Number);
const shapes = {
  'nested parentheses': (n) => 'SELECT ' + '('.repeat(n),
  'balanced parentheses': (n) => 'SELECT ' + '(1)+'.repeat(n / 4) + '1',
  'IN list': (n) => 'SELECT 1 WHERE x IN (' + '1,'.repeat(n / 2) + '1)',
  'VALUES rows': (n) => 'INSERT INTO t VALUES ' + "(1,'a'),".repeat(n / 8) + "(1,'a')",
  'string literals': (n) => 'SELECT ' + "'a' || ".repeat(n / 7) + "'a'",
  'escaped quotes': (n) => "SELECT '" + "''".repeat(n / 2) + "'",
  'E-string backslashes': (n) => "SELECT E'" + '\\\\'.repeat(n / 2) + "'",
  'unterminated literal': (n) => "SELECT '" + 'a'.repeat(n),
  'unterminated comment': (n) => 'SELECT 1 /* ' + '/* '.repeat(n / 3),
  'dollar tags': (n) => 'SELECT ' + '$a$ $b$ '.repeat(n / 8),
  'long identifier': (n) => 'SELECT ' + 'a'.repeat(n),
};

function once(text) {
  const t = process.hrtime.bigint();
  normalizeSql(text);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const ROUNDS = 7;
// Below this a timing is mostly noise: ratios are taken from this floor.
const FLOOR_MILLIS = 2;
const out = {};
for (const [name, make] of Object.entries(shapes)) {
  const a = make(small);
  const b = make(large);
  once(make(4096));
  once(a);
  const ratios = [];
  let bestA = Infinity;
  let bestB = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const ta = Math.min(once(a), once(a));
    const tb = once(b);
    bestA = Math.min(bestA, ta);
    bestB = Math.min(bestB, tb);
    ratios.push(Math.max(tb, FLOOR_MILLIS) / Math.max(ta, FLOOR_MILLIS));
  }
  ratios.sort((x, y) => x - y);
  out[name] = [bestA, bestB, ratios[Math.floor(ROUNDS / 2)]];
}
process.stdout.write(JSON.stringify(out));
