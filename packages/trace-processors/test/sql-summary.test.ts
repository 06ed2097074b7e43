import { normalizeSql } from '@org/trace-processors';
import { DML_OPERATIONS, DML_STARTS } from '../src/sql-summary-words';

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
    ['SELECT * FROM generate_series(1, 10) g', 'SELECT generate_series'],
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

  // Shapes that used to give a bare verb. A function in FROM (a set-returning function) is named like
  // a table, as the conventions name stored procedures; so is a function a statement only calls.
  it.each([
    ['SELECT * FROM fn($1)', 'SELECT fn'],
    ['SELECT id FROM get_users($1, $2) AS u WHERE u.active', 'SELECT get_users'],
    ['SELECT * FROM app.search_orders($1) o', 'SELECT app.search_orders'],
    ['SELECT * FROM "app"."Search"($1)', 'SELECT app.Search'],
    ['SELECT * FROM unnest($1::int[]) AS t(id)', 'SELECT unnest'],
    ['SELECT * FROM fn() WITH ORDINALITY', 'SELECT fn'],
    ['SELECT * FROM ROWS FROM (fn1(), fn2())', 'SELECT fn1'],
    ['SELECT * FROM a, LATERAL fn(a.x) f', 'SELECT a fn'],
    ['SELECT * FROM a CROSS JOIN LATERAL jsonb_array_elements(a.items) e', 'SELECT a jsonb_array_elements'],
    ['SELECT * FROM fn($1) f JOIN users u ON u.id = f.user_id', 'SELECT fn users'],
    ['SELECT * FROM a JOIN b USING (id)', 'SELECT a b'],
    ['SELECT * FROM a NATURAL JOIN b', 'SELECT a b'],
    ['DELETE FROM a USING b, fn(1) c WHERE a.id = b.id', 'DELETE a b fn'],
    ['INSERT INTO t SELECT * FROM fn($1)', 'INSERT t SELECT fn'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'SELECT x'],
    ['WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 100) SELECT sum(n) FROM t', 'SELECT t'],
    ['WITH del AS (DELETE FROM jobs WHERE id = $1 RETURNING *) INSERT INTO jobs_done SELECT * FROM del', 'DELETE jobs INSERT jobs_done SELECT del'],
    ['CALL app.refresh_stats($1)', 'CALL app.refresh_stats'],
    ['SELECT pg_advisory_xact_lock($1)', 'SELECT pg_advisory_xact_lock'],
    ['SELECT app.refresh_stats($1)', 'SELECT app.refresh_stats'],
    ['SELECT "MyFunc"($1)', 'SELECT MyFunc'],
    // Qualified names are read again (from where they start) only when they turn out to be a function
    // call: comments and spaces between the pieces drop out, a doubled dot reads as one.
    ['SELECT "App"."Refresh"($1)', 'SELECT App.Refresh'],
    ['SELECT a /* c */ . b /* d */ . "C""x" ($1)', 'SELECT a.b.C"x'],
    ['SELECT "a".. b(1)', 'SELECT a.b'],
    ['SELECT a.(b.c(1))', 'SELECT b.c'],
    ['SELECT ΣΑΣ.ΟΔΟΣ(1)', 'SELECT σας.οδος'],
    ['SELECT a.""."b"(1)', 'SELECT a..b'],
    ["SELECT 'x'::foo.Bar(1)", 'SELECT bar'],
    ['SELECT app."Do"."it"($1), x.y FROM generate_series(1, 2)', 'SELECT generate_series'],
    ['SELECT a.b, c.d.e, app.f.g($1)', 'SELECT app.f.g'],
    ['SELECT a.b.(1)', 'SELECT'],
    ['BEGIN; SELECT pg_advisory_xact_lock($1); COMMIT', 'BEGIN; SELECT pg_advisory_xact_lock; COMMIT'],
    // A function next to a named collection adds nothing; keywords and common functions are no targets.
    ['SELECT x FROM t WHERE my_check(x)', 'SELECT t'],
    ['SELECT now()', 'SELECT'],
    ['SELECT count(*) FROM users WHERE id = ANY($1)', 'SELECT users'],
    ['SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)', 'SELECT users'],
    // Aliases with column lists are not function calls.
    ['SELECT * FROM (VALUES (1), (2)) v(x)', 'SELECT'],
  ])('%s → %s', (sql, expected) => {
    expect(summary(sql)).toBe(expected);
  });

  it('names functions in the summary but never as db.collection.name', () => {
    expect(normalizeSql('SELECT * FROM fn($1)')).toMatchObject({ operation: 'SELECT', collection: '' });
    expect(normalizeSql('SELECT * FROM fn($1) f JOIN users u ON u.id = f.user_id')).toMatchObject({ collection: 'users' });
    expect(normalizeSql('SELECT pg_advisory_xact_lock($1)')).toMatchObject({ collection: '' });
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

  it('cuts a summary of many statements at the same word boundary as one of many tables', () => {
    // The statements are joined as they end; past 255 characters the rest no longer changes the cut.
    const sql = Array.from({ length: 40 }, (_, i) => `DELETE FROM queue_partition_${i}`).join('; ');
    const s = summary(sql);
    const full = Array.from({ length: 40 }, (_, i) => `DELETE queue_partition_${i}`).join('; ');
    expect(s).toBe(full.slice(0, full.lastIndexOf(' ', 255)));
    expect(summary('SELECT 1; SELECT 2')).toBe('SELECT; SELECT');
    expect(summary('; ; SELECT 1;')).toBe('SELECT');
  });

  it('names the collection only when every collection of the statement is the same one', () => {
    expect(normalizeSql('SELECT * FROM users a JOIN users b ON a.id = b.boss_id')).toMatchObject({ summary: 'SELECT users', collection: 'users' });
    expect(normalizeSql('INSERT INTO users SELECT * FROM users')).toMatchObject({ summary: 'INSERT users SELECT users', collection: 'users' });
    expect(normalizeSql('SELECT * FROM users, orders, users')).toMatchObject({ summary: 'SELECT users orders', collection: '' });
    expect(normalizeSql('SELECT * FROM fn(1), users')).toMatchObject({ summary: 'SELECT fn users', collection: 'users' });
    expect(normalizeSql('WITH a AS (TABLE t) SELECT * FROM a')).toMatchObject({ operation: 'SELECT', collection: '' });
  });

  it('does not carry words from one statement or call to the next', () => {
    expect(summary('SELECT * FROM a JOIN b ON true JOIN c ON true JOIN d ON true')).toBe('SELECT a b c d');
    expect(summary('SELECT 1')).toBe('SELECT');
    expect(summary('MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE')).toBe('MERGE t s');
    expect(summary('SELECT * FROM t; SELECT * FROM t')).toBe('SELECT t; SELECT t');
    expect(normalizeSql('CREATE TABLE x (id int)')).toMatchObject({ summary: 'CREATE TABLE x', operation: 'CREATE', collection: '' });
  });

  it('starts a data query on the words startStatement tests in place of DML_STARTS', () => {
    expect([...DML_STARTS].sort()).toEqual([...DML_OPERATIONS, 'with', 'values', 'table', 'explain'].sort());
  });

  it('never contains a literal', () => {
    expect(summary("SELECT 'alice' FROM users WHERE name = 'bob'")).toBe('SELECT users');
    expect(summary("UPDATE users SET email = 'carol@example.com' WHERE id = 5")).toBe('UPDATE users');
  });
});
