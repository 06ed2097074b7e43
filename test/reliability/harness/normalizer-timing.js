// Times the built SQL normalizer on lexer-stressing shapes at two sizes, in a fresh process: inside
// a Jest worker the heap holds the whole test run, and major GCs over it swamp what is measured.
// Prints JSON: { shape: [smallMillis, largeMillis] } (best of 5 each, after a JIT warm-up).
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

function time(text) {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    normalizeSql(text);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

const out = {};
for (const [name, make] of Object.entries(shapes)) {
  time(make(4096));
  out[name] = [time(make(small)), time(make(large))];
}
process.stdout.write(JSON.stringify(out));
