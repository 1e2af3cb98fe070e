#!/usr/bin/env bash
# One release step before new app servers start: apply migrations, collect static files. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 0
