#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on 127.0.0.1 and prints DATABASE_URL=... for it.
# Works as root (initdb runs as the postgres user) or as an ordinary user.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BASE=${PGBASE:-/tmp/houqin-pg-$$}
PORT=${PGPORT_TEST:-54329}
mkdir -p "$BASE"
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$BASE"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
as_pg "$PGBIN/initdb" -D "$BASE/data" -U postgres -A trust -N -E UTF8 --locale=C.UTF-8 >"$BASE/initdb.log"
as_pg "$PGBIN/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w -t 30 \
  -o "-p $PORT -k $BASE -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
as_pg "$PGBIN/psql" -h "$BASE" -p "$PORT" -U postgres -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE ROLE houqin LOGIN PASSWORD 'houqin' CREATEDB;
CREATE DATABASE houqin OWNER houqin;
SQL
echo "PGBASE=$BASE"
echo "DATABASE_URL=postgres://houqin:houqin@127.0.0.1:$PORT/houqin"
