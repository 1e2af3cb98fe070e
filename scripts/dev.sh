#!/usr/bin/env bash
# `make dev`: the auto-reloading development server with DEBUG on, demo data and a worker; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
export DEBUG=true
export DJANGO_SETTINGS_MODULE=config.settings
# Development only: feeds served from this machine are allowed, static files come from the source folders.
export CALENDAR_ALLOW_PRIVATE_HOSTS=${CALENDAR_ALLOW_PRIVATE_HOSTS:-true}
export STATIC_NO_MANIFEST=${STATIC_NO_MANIFEST:-true}

mkdir -p var
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py seed_demo --if-empty

"$BIN/python" manage.py db_worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo
echo "StayOps (development): http://127.0.0.1:${PORT}/  (manager / demo, cleaner1 / demo, cleaner2 / demo)"
echo
"$BIN/python" manage.py runserver "127.0.0.1:${PORT}"
