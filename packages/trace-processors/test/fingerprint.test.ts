import { fingerprint, fingerprintKey, FINGERPRINT_VERSION, normalizeSql, QueryHasher } from '@org/trace-processors';

// Computed outside this code, with Python's mmh3 (the reference C implementation):
// `mmh3.hash_bytes(key.encode('utf8'), 0, False)[:8].hex()`. Lengths 0–4 and 15–17 cover every
// tail length class and a block boundary.
const MMH3_VECTORS: [string, string][] = [
  ['', '0000000000000000'],
  ['a', '3c9394a71bb05655'],
  ['ab', 'df5184151030be25'],
  ['abc', 'd1c6cd75a506b0a2'],
  ['abcd', 'aaccb6962ec6af45'],
  ['abcdefghijklmno', '691d6deeaed51a4a'],
  ['abcdefghijklmnop', '2776d29f5612b990'],
  ['abcdefghijklmnopq', 'd3a445046f5c5164'],
  ['select * from users where id = ?', 'afb386fb16d7f260'],
  ['select "Größe" , é from t where x = ?', '727ad33ed4eedb7e'],
];

/**
 * A second, deliberately plain MurmurHash3_x86_128 (seed 0, first 8 bytes as hex): byte by byte,
 * no typed-array views, to check the production one on keys too long to list here.
 */
function referenceMurmur(bytes: Uint8Array): string {
  const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  const fmix = (h: number) => {
    h = mul(h ^ (h >>> 16), 0x85ebca6b);
    h = mul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const c = [0x239b961b, 0xab0e9789, 0x38b34ae5, 0xa1e38b93];
  const rot = [15, 16, 17, 18];
  const hRot = [19, 17, 15, 13];
  const add = [0x561ccd1b, 0x0bcaa747, 0x96cd1c35, 0x32ac3b17];
  const h = [0, 0, 0, 0];
  const word = (at: number, n: number) => {
    let k = 0;
    for (let i = n - 1; i >= 0; i--) k = ((k << 8) | bytes[at + i]) >>> 0;
    return k;
  };
  const mix = (lane: number, k: number) => mul(rotl(mul(k, c[lane]), rot[lane]), c[(lane + 1) % 4]);
  const blocks = Math.floor(bytes.length / 16);
  for (let b = 0; b < blocks; b++) {
    for (let lane = 0; lane < 4; lane++) {
      h[lane] = (h[lane] ^ mix(lane, word(16 * b + 4 * lane, 4))) >>> 0;
      h[lane] = (mul((rotl(h[lane], hRot[lane]) + h[(lane + 1) % 4]) >>> 0, 5) + add[lane]) >>> 0;
    }
  }
  const rest = bytes.length % 16;
  for (let lane = 3; lane >= 0; lane--) {
    const n = Math.min(4, rest - 4 * lane);
    if (n > 0) h[lane] = (h[lane] ^ mix(lane, word(16 * blocks + 4 * lane, n))) >>> 0;
  }
  for (let lane = 0; lane < 4; lane++) h[lane] = (h[lane] ^ bytes.length) >>> 0;
  h[0] = (h[0] + h[1] + h[2] + h[3]) >>> 0;
  for (let lane = 1; lane < 4; lane++) h[lane] = (h[lane] + h[0]) >>> 0;
  for (let lane = 0; lane < 4; lane++) h[lane] = fmix(h[lane]);
  h[0] = (h[0] + h[1] + h[2] + h[3]) >>> 0;
  h[1] = (h[1] + h[0]) >>> 0;
  const le = (x: number) => Buffer.from(Uint32Array.of(x).buffer).toString('hex');
  return le(h[0]) + le(h[1]);
}

describe('fingerprint', () => {
  it.each(MMH3_VECTORS)('is MurmurHash3 x86_128 (seed 0) of the key, first 8 bytes as hex: %j', (key, expected) => {
    expect(fingerprintKey(key)).toBe(expected);
    expect(fingerprintKey(Buffer.from(key, 'utf8'))).toBe(expected);
    expect(referenceMurmur(Buffer.from(key, 'utf8'))).toBe(expected);
  });

  it('hashes unaligned byte views and a statement’s key the same way', () => {
    const backing = Buffer.alloc(64);
    backing.write('select * from users where id = ?', 3, 'utf8');
    expect(fingerprintKey(backing.subarray(3, 3 + 32))).toBe('afb386fb16d7f260');
    expect(fingerprint('SELECT * FROM users WHERE id = 1')).toBe('afb386fb16d7f260');
    expect(new QueryHasher({ cacheSize: 0 }).analyze('select *\n  from users where id = $1').hash).toBe('afb386fb16d7f260');
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

  it('hashes the key bytes it writes itself exactly as the key string’s UTF-8 (non-ASCII, surrogates, keys over 64 KiB)', () => {
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
      const expected = referenceMurmur(Buffer.from(normalizeSql(sql).key, 'utf8'));
      expect(new QueryHasher({ cacheSize: 0 }).analyze(sql).hash).toBe(expected);
      expect(fingerprint(sql)).toBe(expected);
    }
  });

  it('carries a version label', () => {
    expect(FINGERPRINT_VERSION).toMatch(/^pg-\d+$/);
    expect(new QueryHasher().analyze('SELECT 1').hashVersion).toBe(FINGERPRINT_VERSION);
  });

  it('pins the canonical keys and the hash of pg-2 (changing any of these requires a new FINGERPRINT_VERSION)', () => {
    // If this test fails, the normalizer changed how queries group: bump FINGERPRINT_VERSION and
    // update these values together, so backends never mix hashes produced under different rules.
    // pg-2 = pg-1's keys (unchanged since pg-1) hashed with MurmurHash3 instead of SHA-256.
    expect(FINGERPRINT_VERSION).toBe('pg-2');
    expect(normalizeSql("SELECT a, b FROM t WHERE x = 'v' AND y IN (1, 2) LIMIT 10").key).toBe(
      'select a , b from t where x = ? and y = ? limit ?',
    );
    expect(normalizeSql('INSERT INTO t (a, b) VALUES ($1, now()), ($2, now())').key).toBe('insert into t ( a , b ) values ( ? , now ( ) )');
    expect(fingerprint('SELECT * FROM users WHERE id = $1')).toBe('afb386fb16d7f260');
  });
});
