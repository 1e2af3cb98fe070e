#!/usr/bin/env bash
# `make run`: the app with demo data and a background worker; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-true}
export DJANGO_SETTINGS_MODULE=config.settings

mkdir -p var
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py seed_demo --if-empty

"$BIN/python" manage.py db_worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo
echo "StayOps: http://127.0.0.1:${PORT}/  (manager / demo, cleaner1 / demo, cleaner2 / demo)"
echo "Health:  http://127.0.0.1:${PORT}/health/"
echo
"$BIN/python" manage.py runserver "127.0.0.1:${PORT}"
