import { normalizeSql } from '@org/trace-processors';

const summary = (sql: string) => normalizeSql(sql).summary;

describe('db.query.summary', () => {
  it.each([
    ["SELECT * FROM users WHERE email = 'alice@example.com'", 'SELECT users'],
    ['select * from Users u join "Orders" o on o.user_id = u.id', 'SELECT users Orders'],
    ['SELECT * FROM public.users, orders WHERE 1 = 1', 'SELECT public.users orders'],
    ['INSERT INTO orders (id, total) VALUES ($1, $2) RETURNING id', 'INSERT orders'],
    ['INSERT INTO shipping_details (id, addr) SELECT id, addr FROM orders', 'INSERT shipping_details SELECT orders'],
    ['UPDATE ONLY accounts SET balance = balance - 1 WHERE id = 2', 'UPDATE accounts'],
    ['DELETE FROM sessions USING users WHERE sessions.user_id = users.id', 'DELETE sessions users'],
    ['SELECT * FROM t WHERE id IN (SELECT t_id FROM u) FOR UPDATE', 'SELECT t u'],
    ['WITH recent AS (SELECT * FROM orders) SELECT * FROM recent', 'SELECT orders recent'],
    ['INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a', 'INSERT t'],
    ['SELECT * FROM generate_series(1, 10) g', 'SELECT'],
    ['SELECT * FROM a LEFT JOIN LATERAL (SELECT * FROM b) x ON true', 'SELECT a b'],
    ['SELECT 1', 'SELECT'],
    ['TABLE users', 'SELECT users'],
    ['EXPLAIN ANALYZE SELECT * FROM users', 'EXPLAIN SELECT users'],
    ['BEGIN', 'BEGIN'],
    ["SET search_path TO 'app'", 'SET'],
    ['SAVEPOINT sp_1234', 'SAVEPOINT'],
    ['CREATE TABLE IF NOT EXISTS users (id int primary key)', 'CREATE TABLE users'],
    ['CREATE UNIQUE INDEX CONCURRENTLY idx ON users (email)', 'CREATE UNIQUE INDEX idx'],
    ['DROP TABLE IF EXISTS "Tmp"', 'DROP TABLE Tmp'],
    ['ALTER TABLE users ADD COLUMN age int', 'ALTER TABLE users'],
    ['TRUNCATE TABLE audit_log', 'TRUNCATE audit_log'],
    ['CALL refresh_stats($1)', 'CALL refresh_stats'],
    ["COPY users FROM STDIN WITH (FORMAT csv)", 'COPY users'],
    ['BEGIN; UPDATE a SET x = 1; COMMIT', 'BEGIN; UPDATE a; COMMIT'],
    ['MERGE INTO stock s USING deliveries d ON s.id = d.id WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty WHEN NOT MATCHED THEN INSERT VALUES (d.id, d.qty)', 'MERGE stock deliveries'],
  ])('%s → %s', (sql, expected) => {
    expect(summary(sql)).toBe(expected);
  });

  it('sets db.operation.name and db.collection.name for one statement on one collection', () => {
    expect(normalizeSql('SELECT * FROM users WHERE id = 1')).toMatchObject({ operation: 'SELECT', collection: 'users' });
    expect(normalizeSql('SELECT * FROM a JOIN b ON a.id = b.id')).toMatchObject({ operation: 'SELECT', collection: '' });
    expect(normalizeSql('BEGIN; SELECT 1')).toMatchObject({ operation: '', collection: '' });
    // The statement's own operation, not the first one inside a CTE.
    expect(normalizeSql('WITH x AS (SELECT * FROM a) INSERT INTO t SELECT * FROM x')).toMatchObject({ operation: 'INSERT' });
    expect(normalizeSql('WITH x AS (SELECT * FROM a) SELECT * FROM x')).toMatchObject({ operation: 'SELECT' });
  });

  it('is at most 255 characters, cut between words', () => {
    const sql = 'SELECT * FROM ' + Array.from({ length: 100 }, (_, i) => `table_number_${i}`).join(', ');
    const s = summary(sql);
    expect(s.length).toBeLessThanOrEqual(255);
    expect(s.endsWith('_')).toBe(false);
    expect(s.split(' ').every((w) => w === 'SELECT' || /^table_number_\d+$/.test(w))).toBe(true);
  });

  it('never contains a literal', () => {
    expect(summary("SELECT 'alice' FROM users WHERE name = 'bob'")).toBe('SELECT users');
    expect(summary("UPDATE users SET email = 'carol@example.com' WHERE id = 5")).toBe('UPDATE users');
  });
});
