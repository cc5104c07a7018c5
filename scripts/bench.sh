#!/usr/bin/env bash
# make bench: the demo district served by gunicorn with production settings, loaded with wrk.
#
# A throwaway data folder (SQLite database, secret key) under /tmp; migrate, seed_demo,
# collectstatic; `gunicorn -w 2 -k sync` on a free loopback port (always stopped on exit, by PID);
# then scripts/bench.py signs in as the demo principal and runs wrk against each page, and prints
# req/s, p50, p95 and the ratio to the bare /healthz. It is a benchmark: it prints figures and
# fails only when something does not run at all.
#
# Environment:
#   BENCH_DURATION  seconds of each wrk run (default 10)
#   BENCH_WARMUP    seconds of the discarded warm-up run before each URL (default 2)
#   BENCH_CONNECTIONS / BENCH_THREADS  wrk -c / -t (default 16 / 2)
#   BENCH_QUIET_WAIT  wait up to this many seconds for the machine to go quiet before a run (default 15)
#   BENCH_ATTEMPTS  runs per URL at most, redone while other processes used > 0.15 core (default 3)
#   DATABASE_URL    use this (throwaway) database instead of SQLite in the temporary folder
#   BENCH_OUT       folder for a copy of the report (default bench-results/, git-ignored)
#   BENCH_KEEP_DEMO FILE: keep a copy of the SQLite demo database built here in FILE (for
#                   scripts/profile_pages.py, or a later run with BENCH_DEMO)
#   BENCH_DEMO      FILE: start from this copy of a demo database (SQLite, built today by the same code)
#                   instead of building the demo again (minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}

command -v wrk >/dev/null || { echo "wrk is missing: run make system-deps (or apt-get install wrk)"; exit 1; }
[ -x "$GUNICORN" ] || { echo "$GUNICORN is missing: run make dev-setup"; exit 1; }

export HOUQIN_DATA_DIR
HOUQIN_DATA_DIR=$(mktemp -d /tmp/houqin-bench.XXXXXX)
export DJANGO_SETTINGS_MODULE=config.settings HOUQIN_DEBUG=0 HOUQIN_HTTPS=0 HOUQIN_LOG_LEVEL=${HOUQIN_LOG_LEVEL:-WARNING}
# Two-step sign-in off for the bench users (set but empty: off for everyone), as `make demo` serves it:
# bench.py signs in through the password form, and the pages it measures are the same with it on.
export HOUQIN_2FA_ROLES=
export HOUQIN_SECRET_KEY
HOUQIN_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
PORT=${BENCH_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
GUNICORN_PID=""

cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  rm -rf "$HOUQIN_DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${DATABASE_URL:-}" ]; then
  echo "== database: DATABASE_URL (${DATABASE_URL%%://*})"
else
  echo "== database: SQLite in $HOUQIN_DATA_DIR"
fi
echo "== migrate, seed_demo, collectstatic"
"$PY" manage.py migrate_fresh -v0  # an empty database: tables from the models (as make demo), quicker than replaying migrations
# The migrated, empty database: each area's bench command later gets a copy of its own.
EMPTY_DB="$HOUQIN_DATA_DIR/empty.sqlite3"
[ -z "${DATABASE_URL:-}" ] && cp "$HOUQIN_DATA_DIR/houqin.sqlite3" "$EMPTY_DB"
if [ -n "${BENCH_DEMO:-}" ] && [ -z "${DATABASE_URL:-}" ]; then
  echo "   (the demo: a copy of $BENCH_DEMO)"
  cp "$BENCH_DEMO" "$HOUQIN_DATA_DIR/houqin.sqlite3"
  "$PY" manage.py migrate --noinput -v0
else
  "$PY" manage.py seed_demo | sed -n '1,3p'
fi
if [ -n "${BENCH_KEEP_DEMO:-}" ] && [ -z "${DATABASE_URL:-}" ]; then  # SQLite's backup API: a consistent copy
  "$PY" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
    "$HOUQIN_DATA_DIR/houqin.sqlite3" "$BENCH_KEEP_DEMO"
fi
"$PY" manage.py collectstatic --noinput -v0

echo "== gunicorn config.wsgi -w 2 -k sync on 127.0.0.1:$PORT"
"$GUNICORN" config.wsgi -w 2 -k sync -b "127.0.0.1:$PORT" --log-level warning \
  >"$HOUQIN_DATA_DIR/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

for _ in $(seq 100); do
  if "$PY" -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1).status != 200)" 2>/dev/null; then
    break
  fi
  kill -0 "$GUNICORN_PID" 2>/dev/null || { echo "gunicorn did not start:"; cat "$HOUQIN_DATA_DIR/gunicorn.log"; exit 1; }
  sleep 0.2
done

OUT_DIR=${BENCH_OUT:-bench-results}
mkdir -p "$OUT_DIR"
REPORT="$OUT_DIR/bench-$(date +%Y%m%d-%H%M%S).txt"
"$PY" scripts/bench.py --base "http://127.0.0.1:$PORT" --server-pid "$GUNICORN_PID" | tee "$REPORT"
echo "(report saved to $REPORT)"

# Each area's computation benchmarks: management commands named bench_<area>. They build their own
# data, so each runs on a throwaway database of its own: a copy of the migrated, empty SQLite
# database in a folder of its own (with DATABASE_URL, the bench commands still run on such SQLite
# copies: they measure the computation, not the server).
cleanup_server() { [ -n "$GUNICORN_PID" ] && kill -TERM "$GUNICORN_PID" 2>/dev/null; wait "$GUNICORN_PID" 2>/dev/null || true; GUNICORN_PID=""; }
cleanup_server
if [ ! -f "$EMPTY_DB" ]; then
  ( unset DATABASE_URL; export HOUQIN_DATA_DIR="$HOUQIN_DATA_DIR/empty"; mkdir -p "$HOUQIN_DATA_DIR"
    "$PY" manage.py migrate_fresh -v0 && cp "$HOUQIN_DATA_DIR/houqin.sqlite3" "$EMPTY_DB" )
fi
bench_rc=0
for cmd in $("$PY" manage.py help --commands | grep -E '^bench_' | sort); do
  echo "== manage.py $cmd (on a database of its own)"
  dir="$HOUQIN_DATA_DIR/$cmd"
  mkdir -p "$dir"
  cp "$EMPTY_DB" "$dir/houqin.sqlite3"
  if ! ( unset DATABASE_URL; HOUQIN_DATA_DIR="$dir" "$PY" manage.py "$cmd" ) 2>&1 | tee -a "$REPORT"; then
    echo "manage.py $cmd failed"; bench_rc=1
  fi
  rm -rf "$dir"
done
if grep -qiE "error|exception|traceback" "$HOUQIN_DATA_DIR/gunicorn.log"; then
  echo "== gunicorn log (errors):"
  grep -iE -A3 "error|exception|traceback" "$HOUQIN_DATA_DIR/gunicorn.log" | head -40
fi
exit $bench_rc
