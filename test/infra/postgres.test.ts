import { Client } from 'pg';

test('the run has a real PostgreSQL at DATABASE_URL', async () => {
  const c = new Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    const r = await c.query('select 1 + 1 as two');
    expect(r.rows[0].two).toBe(2);
  } finally {
    await c.end();
  }
});
