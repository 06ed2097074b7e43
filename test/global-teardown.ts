import type { RunningPostgres } from './fixtures/postgres';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __ORG_TRACE_PG__?: RunningPostgres }).__ORG_TRACE_PG__;
  if (pg) await pg.stop();
}
