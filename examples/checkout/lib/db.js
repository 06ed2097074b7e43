'use strict';
// The shop's connection pool. Deliberately small by default (PG_POOL_MAX=5), like many production
// pools sized "per instance": it is plenty while every query is quick, and the first thing to run out
// when connections are held for something slow.
const { Pool } = require('pg');
const { requireEnv } = require('./service');

function createPool() {
  const schema = process.env.CHECKOUT_DB_SCHEMA || 'checkout_demo';
  const pool = new Pool({
    connectionString: requireEnv('DATABASE_URL'),
    max: Number(process.env.PG_POOL_MAX || 5),
    // A request that cannot get a connection within this time fails (503) instead of queueing forever.
    connectionTimeoutMillis: Number(process.env.PG_CONNECT_TIMEOUT_MS || 10_000),
    idleTimeoutMillis: 30_000,
    // The demo's tables live in their own schema, so pointing DATABASE_URL at a shared database
    // touches nothing else.
    options: `-c search_path=${schema}`,
    application_name: process.env.OTEL_SERVICE_NAME || 'checkout-api',
  });
  pool.on('error', (err) => console.error(`idle PostgreSQL client error: ${err.message}`));
  return pool;
}

/** Runs fn(client) inside BEGIN … COMMIT on one pooled connection; ROLLBACK on error. */
async function inTransaction(pool, fn) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

module.exports = { createPool, inTransaction };
