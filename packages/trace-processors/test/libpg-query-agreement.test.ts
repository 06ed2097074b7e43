// How well does our lexer-based fingerprint group queries compared with PostgreSQL's own parser
// (libpg_query's fingerprint, via the `libpg-query` WASM build — a dev dependency only)?
// Over every pair of statements in a corpus of real-world query shapes written out the way running
// applications send them, we count pairs both fingerprints treat the same way (same group / not).
import { fingerprintSync, loadModule } from 'libpg-query';
import { fingerprint } from '@org/trace-processors';
import { loadCorpus } from './corpus/load-corpus';

interface PairStats {
  queries: number;
  pairs: number;
  agreement: number;
  /** Of the pairs libpg_query groups together, the share we group too. */
  recall: number;
  /** Of the pairs we group together, the share libpg_query groups too. */
  precision: number;
  disagreements: Array<{ a: string; b: string; groupedBy: 'libpg_query' | 'ours' }>;
}

function compare(queries: string[], theirs: (q: string) => string, ours: (q: string) => string): PairStats {
  const t = queries.map(theirs);
  const o = queries.map(ours);
  let agree = 0;
  let pairs = 0;
  let theirSame = 0;
  let ourSame = 0;
  let bothSame = 0;
  const disagreements: PairStats['disagreements'] = [];
  for (let i = 0; i < queries.length; i++) {
    for (let j = i + 1; j < queries.length; j++) {
      const ts = t[i] === t[j];
      const os = o[i] === o[j];
      pairs++;
      if (ts === os) agree++;
      else disagreements.push({ a: queries[i], b: queries[j], groupedBy: ts ? 'libpg_query' : 'ours' });
      if (ts) theirSame++;
      if (os) ourSame++;
      if (ts && os) bothSame++;
    }
  }
  return { queries: queries.length, pairs, agreement: agree / pairs, recall: bothSame / theirSame, precision: bothSame / ourSame, disagreements };
}

describe('grouping agreement with libpg_query', () => {
  let corpus: string[];
  beforeAll(async () => {
    await loadModule();
    corpus = loadCorpus('real-world-queries.sql');
  });

  it('the corpus holds at least 300 statements, all valid PostgreSQL', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    // libpg_query returns an error text instead of a fingerprint for invalid SQL.
    const invalid = corpus.filter((q) => !/^[0-9a-f]{16}$/.test(fingerprintSync(q)));
    expect(invalid).toEqual([]);
  });

  it('groups >= 99% of pairs the same way, and finds nearly all of libpg_query\'s groups', () => {
    const stats = compare(corpus, fingerprintSync, fingerprint);
    // One line for the record (the README quotes these numbers).
    console.log(
      `libpg_query agreement: ${stats.queries} queries, ${stats.pairs} pairs, agreement ${(stats.agreement * 100).toFixed(3)}%, ` +
        `recall ${(stats.recall * 100).toFixed(1)}%, precision ${(stats.precision * 100).toFixed(1)}%, ${stats.disagreements.length} disagreeing pairs`,
    );
    expect(stats.agreement).toBeGreaterThanOrEqual(0.99);
    // Pair agreement alone is flattered by the many pairs of different shapes; the grouping itself
    // must hold up too.
    expect(stats.recall).toBeGreaterThanOrEqual(0.95);
    expect(stats.precision).toBeGreaterThanOrEqual(0.99);
  });

  it('the naive md5-of-raw-SQL from the article misses most groups (the measurement can tell)', () => {
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const md5 = (q: string) => createHash('md5').update(q).digest('hex');
    const stats = compare(corpus, fingerprintSync, md5);
    expect(stats.agreement).toBeGreaterThan(0.99); // pair agreement alone would not show it...
    expect(stats.recall).toBeLessThan(0.2); // ...recall does
  });
});
