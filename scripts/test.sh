#!/usr/bin/env bash
# The whole suite twice: on SQLite, then on PostgreSQL. With CI=true an unreachable PostgreSQL fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/stayops}
# Two workers: the suite is dominated by browser tests and waits, and CI machines have 2 cores.
PYTEST=("$BIN/python" -m pytest -q -n "${PYTEST_WORKERS:-2}" "$@")

run_suite() {
  local label=$1
  echo "=== pytest on $label ==="
  set +e
  "${PYTEST[@]}"
  local status=$?
  set -e
  # Exit 5 is "no tests ran": a suite that runs nothing has failed.
  if [ "$status" -ne 0 ]; then
    echo "pytest on $label failed (exit $status)" >&2
    exit "$status"
  fi
}

DATABASE_URL= run_suite "SQLite"

if "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
url = urlparse(sys.argv[1])
try:
    psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres", connect_timeout=3).close()
except psycopg.OperationalError:
    sys.exit(1)
PY
then
  DATABASE_URL=$PG_URL run_suite "PostgreSQL"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true and PostgreSQL is unreachable at $PG_URL: failing." >&2
  exit 1
else
  echo
  echo "!!! PostgreSQL is unreachable at $PG_URL: ran on SQLite ONLY. CI runs both." >&2
fi
