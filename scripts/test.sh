#!/usr/bin/env bash
# The whole suite twice: on SQLite and on a throwaway PostgreSQL 15 cluster started here and
# stopped afterwards (even on failure), and the real migrations checked against the models on that
# cluster (manage.py check_migrations). The three go side by side (each its own log, printed
# when all are done; TEST_SERIAL=1: SQLite's run first). Extra arguments go to pytest. Exit 5 (no tests) fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export HOUQIN_DATA_DIR
HOUQIN_DATA_DIR=$(mktemp -d /tmp/houqin-test-data.XXXXXX)
LOGS=$(mktemp -d /tmp/houqin-test-logs.XXXXXX)
rc=0

"$PY" manage.py makemigrations --check --dry-run >/dev/null || { echo "Missing migrations: run manage.py makemigrations"; rc=1; }

# run_pytest LABEL [pytest args]: one run, its output in $LOGS/LABEL.log, its exit code in $LOGS/LABEL.rc
run_pytest() {
  local label=$1; shift
  local start=$SECONDS
  "$PY" -m pytest --durations=25 "$@" >"$LOGS/$label.log" 2>&1
  local r=$?
  [ $r -eq 5 ] && echo "pytest ($label): no tests collected" >>"$LOGS/$label.log"
  echo "(pytest on $label: exit $r after $((SECONDS - start)) s)" >>"$LOGS/$label.log"
  echo $r >"$LOGS/$label.rc"
}

PG_ENV=$(bash scripts/pg-up.sh) || { echo "Could not start PostgreSQL"; exit 1; }
trap 'bash scripts/pg-down.sh; rm -rf "$HOUQIN_DATA_DIR" "$LOGS"' EXIT
PG_BASE=$(echo "$PG_ENV" | sed -n 's/^PGBASE=//p')
PG_URL=$(echo "$PG_ENV" | sed -n 's/^DATABASE_URL=//p')
export PGBASE=$PG_BASE

echo "== pytest on sqlite and on postgresql, the migrations checked beside them"
# Both test databases are built straight from the models (--no-migrations: replaying the ~45
# migrations renders the project state at every step, ~3 minutes of CPU). The real migrations, the path
# a production database takes, are checked beside the tests instead: `manage.py check_migrations`
# builds one scratch PostgreSQL database by them and one from the models and compares the two
# (columns, keys, indexes, checks, package data).
( unset DATABASE_URL; run_pytest sqlite --no-migrations "$@" ) &
sqlite_pid=$!
[ "${TEST_SERIAL:-0}" = 1 ] && wait $sqlite_pid
( export DATABASE_URL=$PG_URL; run_pytest postgresql --no-migrations "$@" ) &
pg_pid=$!
( export DATABASE_URL=$PG_URL; start=$SECONDS
  "$PY" manage.py check_migrations >"$LOGS/migrations.log" 2>&1; r=$?
  echo "(check_migrations: exit $r after $((SECONDS - start)) s)" >>"$LOGS/migrations.log"
  echo $r >"$LOGS/migrations.rc" ) &
migrations_pid=$!
wait $sqlite_pid $pg_pid $migrations_pid

for label in sqlite postgresql migrations; do
  case $label in
    migrations) echo "== the migrations on postgresql (manage.py check_migrations)" ;;
    *) echo "== pytest on $label" ;;
  esac
  cat "$LOGS/$label.log"
  r=$(cat "$LOGS/$label.rc" 2>/dev/null || echo 1)
  [ "$r" -ne 0 ] && rc=$r
done

echo "== overall exit: $rc"
exit $rc
