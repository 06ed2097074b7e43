// Starts one PostgreSQL for the whole Jest run and hands its URL to every worker via DATABASE_URL.
import { startPostgres } from './fixtures/postgres';

export default async function globalSetup(): Promise<void> {
  const pg = await startPostgres();
  process.env.DATABASE_URL = pg.url;
  (globalThis as { __ORG_TRACE_PG__?: unknown }).__ORG_TRACE_PG__ = pg;
}
