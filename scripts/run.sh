#!/usr/bin/env bash
# `make run`: the app as production runs it (gunicorn, DEBUG off, hashed and compressed static files) on the
# embedded defaults (SQLite, local memory cache, local media), with demo data and a worker; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-false}
export DJANGO_SETTINGS_MODULE=config.settings
export STAYOPS_DATA_DIR=${STAYOPS_DATA_DIR:-$PWD/var}

mkdir -p "$STAYOPS_DATA_DIR"
# A secret key made once for this data directory: sessions survive restarts, and no key is ever committed.
key_file="$STAYOPS_DATA_DIR/secret_key"
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s "$key_file" ]; then
    (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$key_file")
  fi
  SECRET_KEY=$(cat "$key_file")
  export SECRET_KEY
fi

BIN=$BIN scripts/migrate.sh
# Demo users have a known password; on an empty database only (the data directory is this checkout's own).
"$BIN/python" manage.py seed_demo --if-empty --force

# The web workers and the background worker share one directory of Prometheus figures (read by /metrics).
export PROMETHEUS_MULTIPROC_DIR="$STAYOPS_DATA_DIR/prometheus"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

BIN=$BIN scripts/worker.sh &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo
echo "StayOps: http://127.0.0.1:${PORT}/  (manager / demo, cleaner1 / demo, cleaner2 / demo)"
echo "Health:  http://127.0.0.1:${PORT}/health/"
echo
PORT=$PORT BIN=$BIN scripts/web.sh
