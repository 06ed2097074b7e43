#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 for the test run (idempotent) and prints the DATABASE_URL.
# Password auth over 127.0.0.1 with a known test password: the cluster is a throwaway CI service.
set -euo pipefail
ver=${PG_VERSION:-15}
cluster=${PG_CLUSTER:-main}
if ! command -v pg_ctlcluster >/dev/null; then
  echo "pg_ctlcluster not found: install PostgreSQL $ver (apt-get install postgresql-$ver) or set DATABASE_URL" >&2
  exit 1
fi
status=$(pg_lsclusters --no-header | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $4}')
if [ "$status" != "online" ]; then
  # stdout is the URL the caller captures: pg_ctlcluster's own messages ("Removed stale pid file.")
  # must not end up in it.
  pg_ctlcluster "$ver" "$cluster" start >&2
fi
port=$(pg_lsclusters --no-header | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $3}')
for _ in $(seq 1 50); do
  if su postgres -c "psql -p $port -Atqc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
su postgres -c "psql -p $port -Atqc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
echo "postgres://postgres:postgres@127.0.0.1:${port}/postgres"
