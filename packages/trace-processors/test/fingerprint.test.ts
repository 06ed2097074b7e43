import { createHash } from 'node:crypto';
import { fingerprint, fingerprintKey, FINGERPRINT_VERSION, normalizeSql, QueryHasher } from '@org/trace-processors';

describe('fingerprint', () => {
  it('is SHA-256 of the canonical key, truncated to 16 hex', () => {
    const sql = 'SELECT * FROM users WHERE id = 1';
    const expected = createHash('sha256').update(normalizeSql(sql).key).digest('hex').slice(0, 16);
    expect(fingerprint(sql)).toBe(expected);
    expect(fingerprintKey(normalizeSql(sql).key)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('groups queries that differ only in literals, list lengths, whitespace or comments', () => {
    const groups: string[][] = [
      ['SELECT * FROM users WHERE id = 1', 'SELECT * FROM users WHERE id = 2', 'select *   from users\nwhere id = $1 -- c'],
      ['SELECT * FROM t WHERE id IN (1,2)', 'SELECT * FROM t WHERE id IN (1,2,3)', '/* app */ SELECT * FROM t WHERE id IN (7)'],
      ["SELECT * FROM users WHERE email = 'alice@example.com'", "SELECT * FROM users WHERE email = 'bob@example.com'"],
      ["INSERT INTO t (a) VALUES (1)", 'INSERT INTO t (a) VALUES (1), (2), (3)'],
      ["UPDATE t SET a = 'x' WHERE id = 1", "UPDATE t SET a = 'y' WHERE id = 99 /*traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'*/"],
    ];
    const hashes = groups.map((g) => new Set(g.map(fingerprint)));
    for (const h of hashes) expect(h.size).toBe(1);
    expect(new Set(hashes.map((h) => [...h][0])).size).toBe(groups.length);
  });

  it('hashes the key bytes it writes itself exactly as SHA-256 of the key string (non-ASCII, surrogates, keys over 64 KiB)', () => {
    const statements = [
      'SELECT * FROM users WHERE id = 1',
      'SELECT "Größe", é, ü FROM "T\u00e4bl\u00e9" WHERE x = $1',
      'SELECT "\ud83d\ude00", "a\ud800b" FROM t WHERE k = ANY($2)',
      'SELECT x\ud800y, \udc00, "\ud83d\ude00" FROM t WHERE a IN (1, 2)',
      `SELECT ${'a'.repeat(70 * 1024)} FROM t`,
      `SELECT ${Array.from({ length: 9000 }, (_, i) => `c${i}`).join(', ')} FROM t`,
      `SELECT ${'\u00e9'.repeat(40 * 1024)} FROM t`,
    ];
    for (const sql of statements) {
      const expected = createHash('sha256').update(normalizeSql(sql).key).digest('hex').slice(0, 16);
      expect(new QueryHasher({ cacheSize: 0 }).analyze(sql).hash).toBe(expected);
      expect(fingerprint(sql)).toBe(expected);
    }
  });

  it('carries a version label', () => {
    expect(FINGERPRINT_VERSION).toMatch(/^pg-\d+$/);
    expect(new QueryHasher().analyze('SELECT 1').hashVersion).toBe(FINGERPRINT_VERSION);
  });

  it('pins the canonical keys of v1 (changing any of these requires a new FINGERPRINT_VERSION)', () => {
    // If this test fails, the normalizer changed how queries group: bump FINGERPRINT_VERSION and
    // update these values together, so backends never mix hashes produced under different rules.
    expect(FINGERPRINT_VERSION).toBe('pg-1');
    expect(normalizeSql("SELECT a, b FROM t WHERE x = 'v' AND y IN (1, 2) LIMIT 10").key).toBe(
      'select a , b from t where x = ? and y = ? limit ?',
    );
    expect(normalizeSql('INSERT INTO t (a, b) VALUES ($1, now()), ($2, now())').key).toBe('insert into t ( a , b ) values ( ? , now ( ) )');
    expect(fingerprint('SELECT * FROM users WHERE id = $1')).toBe(
      createHash('sha256').update('select * from users where id = ?').digest('hex').slice(0, 16),
    );
  });
});
