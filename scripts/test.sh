#!/usr/bin/env bash
# The whole suite twice: on SQLite, then on a throwaway PostgreSQL 15 cluster started here and
# stopped afterwards (even on failure). Extra arguments go to pytest. Exit 5 (no tests) fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export HOUQIN_DATA_DIR
HOUQIN_DATA_DIR=$(mktemp -d /tmp/houqin-test-data.XXXXXX)
rc=0

"$PY" manage.py makemigrations --check --dry-run >/dev/null || { echo "Missing migrations: run manage.py makemigrations"; rc=1; }

run_pytest() {
  local label=$1; shift
  echo "== pytest on $label"
  "$PY" -m pytest "$@"
  local r=$?
  [ $r -eq 5 ] && echo "pytest ($label): no tests collected"
  [ $r -ne 0 ] && rc=$r
  return 0
}

unset DATABASE_URL
run_pytest sqlite "$@"

PG_ENV=$(bash scripts/pg-up.sh) || { echo "Could not start PostgreSQL"; exit 1; }
eval "export $(echo "$PG_ENV" | tr '\n' ' ')"
trap 'bash scripts/pg-down.sh; rm -rf "$HOUQIN_DATA_DIR"' EXIT
run_pytest postgresql "$@"

echo "== overall exit: $rc"
exit $rc
