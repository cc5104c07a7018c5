#!/usr/bin/env bash
# Stops and removes the throwaway cluster started by pg-up.sh (PGBASE names it).
set -uo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BASE=${PGBASE:?PGBASE is not set}
if [ -f "$BASE/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null
  else
    "$PGBIN/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null
  fi
fi
rm -rf "$BASE"
