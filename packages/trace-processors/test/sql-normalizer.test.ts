import { normalizeSql } from '@org/trace-processors';

const san = (sql: string) => normalizeSql(sql).sanitized;
const key = (sql: string) => normalizeSql(sql).key;

describe('normalizeSql: sanitized text', () => {
  it('replaces every kind of literal by ?', () => {
    expect(san("SELECT * FROM users WHERE email = 'alice@example.com'")).toBe('SELECT * FROM users WHERE email = ?');
    expect(san("SELECT E'\\x41', U&'d\\0061t', B'1010', X'1F', N'nat', $$dollar ' \" $$, $tag$ $$ nested $$ $tag$"))
      .toBe('SELECT ?, ?, ?, ?, ?, ?, ?');
    expect(san('SELECT 1, 1.5, .5, 1e5, 1.5e-3, 0x1F, 0o7, 0b1, 1_000')).toBe('SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?');
    expect(san("SELECT 'it''s' 'continued'")).toBe('SELECT ?');
  });

  it('keeps $n parameters, quoted identifiers, casts and operators', () => {
    expect(san('SELECT "User"."Id"::text FROM "User" WHERE id = $1 AND tags @> $2::jsonb'))
      .toBe('SELECT "User"."Id"::text FROM "User" WHERE id = $1 AND tags @> $2::jsonb');
    expect(san("SELECT '5'::int, data->>'k' FROM t")).toBe("SELECT ?::int, data->>? FROM t");
  });

  it('replaces signed numbers where the sign cannot be subtraction', () => {
    expect(san('SELECT * FROM t WHERE a = -5 AND b > +2.5 AND c IN (-1, -2)')).toBe('SELECT * FROM t WHERE a = ? AND b > ? AND c IN (?)');
    expect(san('SELECT a - 1, a-1, (-3) FROM t LIMIT -1')).toBe('SELECT a - ?, a-?, (?) FROM t LIMIT ?');
  });

  it('strips comments, including nested and sqlcommenter ones', () => {
    expect(san("SELECT /* user: alice /* nested */ */ 1 -- trailing 'secret'\nFROM t /*traceparent='00-abc-def-01'*/"))
      .toBe('SELECT ? FROM t');
  });

  it('folds whitespace but keeps the author\'s spelling', () => {
    expect(san('  select\n\t*   FROM\r\n Users  WHERE  x=1  ')).toBe('select * FROM Users WHERE x=?');
  });

  it('collapses constant IN lists and ARRAY literals, not parameter lists', () => {
    expect(san('SELECT * FROM t WHERE id IN (1, 2, 3) AND c = ANY(ARRAY[1, 2])')).toBe('SELECT * FROM t WHERE id IN (?) AND c = ANY(ARRAY[?])');
    expect(san('SELECT * FROM t WHERE id IN ($1, $2)')).toBe('SELECT * FROM t WHERE id IN ($1, $2)');
    expect(san('SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = 2)')).toBe('SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = ?)');
  });

  it('keeps one of several VALUES rows of the same shape', () => {
    expect(san("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z') RETURNING id")).toBe('INSERT INTO t (a, b) VALUES (?, ?) RETURNING id');
    expect(san('INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)')).toBe('INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)');
    expect(san("INSERT INTO t VALUES (1, now()), (2, now()), (3, 'x')")).toBe('INSERT INTO t VALUES (?, now()), (?, ?)');
  });

  it('drops trailing semicolons and empty statements but keeps statement separators', () => {
    expect(san('BEGIN;; SELECT 1 ;')).toBe('BEGIN; SELECT ?');
  });

  it('turns the whole statement into ? when the input ends inside a literal, identifier or comment', () => {
    for (const sql of [
      "SELECT * FROM users WHERE name = 'O'Brien' AND pass = 'hunter2",
      'SELECT * FROM t WHERE a = $$secret',
      'SELECT * FROM t WHERE a = $x$secret$y$',
      'SELECT "unterminated FROM t',
      "SELECT E'escaped \\' quote",
      'SELECT 1 /* secret',
    ]) {
      const n = normalizeSql(sql);
      expect([sql, n.sanitized, n.key, n.unterminated]).toEqual([sql, '?', '?', true]);
    }
  });

  it('caps the sanitized text at 32 KiB on a token boundary', () => {
    const sql = 'SELECT ' + Array.from({ length: 20_000 }, (_, i) => `col_${i}`).join(', ') + ' FROM t';
    const n = normalizeSql(sql);
    expect(n.truncated).toBe(true);
    expect(n.sanitized.length).toBeLessThanOrEqual(32 * 1024);
    expect(n.sanitized.endsWith(' …')).toBe(true);
    expect(normalizeSql(sql, { maxLength: 100 }).sanitized.length).toBeLessThanOrEqual(100);
  });

  it('never throws and never echoes non-string input', () => {
    expect(normalizeSql(undefined as unknown as string).sanitized).toBe('?');
    expect(normalizeSql({ toString: () => 'x' } as unknown as string).sanitized).toBe('?');
    expect(normalizeSql('').sanitized).toBe('');
    // Nothing but comments and separators: empty, not "unterminated".
    expect(normalizeSql('-- only a comment')).toMatchObject({ sanitized: '', key: '', unterminated: false });
    expect(normalizeSql('/* a */ ; ;')).toMatchObject({ sanitized: '', key: '', unterminated: false });
  });

  it('builds the sanitized text from runs of the source: spacing and cuts as token by token', () => {
    expect(san("SELECT a ,b FROM t WHERE x = 'v'  AND y=-1 ;")).toBe('SELECT a ,b FROM t WHERE x = ? AND y=?');
    expect(san("INSERT INTO t VALUES (1, 'a'), (2, 'b') , (3,'c')")).toBe('INSERT INTO t VALUES (?, ?) , (?,?)');
    expect(san('SELECT * FROM t WHERE id IN ( 1 , 2 ) AND k = ANY(ARRAY[ 1, 2 ])')).toBe('SELECT * FROM t WHERE id IN (?) AND k = ANY(ARRAY[?])');
    expect(san("SELECT '1'::int[] , x::text\n\tFROM t;")).toBe('SELECT ?::int[] , x::text FROM t');
    expect(san('SELECT 1::')).toBe('SELECT ?::');
    // Rows that read the same once sanitized are one row, however their spacing split the output.
    expect(san("INSERT INTO t VALUES (1,\n2), (3, 4),\n(5,\t6)")).toBe('INSERT INTO t VALUES (?, ?)');
  });
});

describe('normalizeSql: fingerprint key', () => {
  it('folds case, whitespace, comments and parameter style', () => {
    const a = key('SELECT * FROM users WHERE id = 1');
    expect(key('select *\n  from USERS where ID=2 -- x')).toBe(a);
    expect(key('SELECT * FROM users /* c */ WHERE id = $1;')).toBe(a);
    expect(key('SELECT * FROM users WHERE id = -7')).toBe(a);
    expect(key("SELECT * FROM users WHERE id = '7'::int")).toBe(a);
  });

  it('groups IN lists of any length with equality, as PostgreSQL\'s fingerprint does', () => {
    const a = key('SELECT * FROM t WHERE id IN (1, 2)');
    expect(key('SELECT * FROM t WHERE id IN (1, 2, 3, 4)')).toBe(a);
    expect(key('SELECT * FROM t WHERE id IN ($1, $2, $3)')).toBe(a);
    expect(key('SELECT * FROM t WHERE id = ANY($1)')).toBe(a);
    expect(key('SELECT * FROM t WHERE id NOT IN (1, 2)')).not.toBe(a);
  });

  it('groups multi-row VALUES with single-row VALUES', () => {
    const a = key('INSERT INTO t (a, b) VALUES (1, 2)');
    expect(key('INSERT INTO t (a, b) VALUES (1, 2), (3, 4), (5, 6)')).toBe(a);
    expect(key('INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)')).toBe(a);
  });

  it('compares VALUES rows token by token, also when quoted names hold spaces', () => {
    // The key is written as bytes; a quoted name with a space must not make two different rows equal.
    expect(key('INSERT INTO t VALUES ("a b", x), ("a b", x), ("a", "b x")')).toBe('insert into t values ( "a b" , x ) , ( a , "b x" )');
    expect(key('INSERT INTO t VALUES ("a b" c), ("a" "b c")')).toBe('insert into t values ( "a b" c ) , ( a "b c" )');
  });

  it('keeps non-ASCII and unpaired surrogate characters of names in the key string', () => {
    expect(key('SELECT x\ud800y, "Größe", é FROM t WHERE a = 1')).toBe('select x\ud800y , "Größe" , é from t where a = ?');
  });

  it('treats ? placeholders (mysql2/knex style) as constants, and keeps the jsonb ? operator', () => {
    expect(key('SELECT * FROM t WHERE id IN (?, ?, ?) AND a = ?')).toBe(key('SELECT * FROM t WHERE id IN (1, 2) AND a = 5'));
    expect(key("SELECT * FROM t WHERE data ? 'k'")).toBe('select * from t where data ? ?');
    expect(san("SELECT * FROM t WHERE data ? 'k' AND id IN (?, ?)")).toBe('SELECT * FROM t WHERE data ? ? AND id IN (?)');
  });

  it('gives sanitized text the fingerprint of the statement it came from', () => {
    for (const sql of [
      "SELECT * FROM users WHERE email = 'a@b.c' AND id IN (1, 2, 3)",
      "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')",
      "UPDATE t SET a = -5, b = 'q' WHERE c = ANY(ARRAY[1, 2])",
    ]) {
      expect(key(san(sql))).toBe(key(sql));
    }
  });

  it('keeps different shapes apart', () => {
    const shapes = [
      'SELECT * FROM users WHERE id = 1',
      'SELECT * FROM users WHERE id > 1',
      'SELECT * FROM users WHERE email = 1',
      'SELECT * FROM "Users" WHERE id = 1',
      'SELECT id FROM users WHERE id = 1',
      'SELECT * FROM users WHERE id = 1 LIMIT 1',
      'SELECT * FROM orders WHERE id = 1',
      'DELETE FROM users WHERE id = 1',
      'SELECT * FROM users WHERE id = 1 AND name = 2',
      'SELECT * FROM users WHERE id IS NULL',
      'SELECT * FROM users WHERE id::text = 1',
    ];
    expect(new Set(shapes.map(key)).size).toBe(shapes.length);
  });

  it('keeps quoted identifiers case-sensitive and unquoted ones folded', () => {
    expect(key('SELECT "Name" FROM t')).not.toBe(key('SELECT "name" FROM t'));
    expect(key('SELECT Name FROM t')).toBe(key('SELECT "name" FROM t'.replace('"name"', 'name')));
  });

  it('never contains a literal', () => {
    const k = key("SELECT 'alice', 42, $$bob$$, E'carol', X'ff' FROM t WHERE a = -3.5e2");
    expect(k).not.toMatch(/alice|42|bob|carol|ff|3\.5/);
  });
});
