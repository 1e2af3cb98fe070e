#!/usr/bin/env bash
# The web process, as `make run`, systemd and the container image start it: gunicorn with gunicorn.conf.py.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
exec "$BIN/gunicorn" config.wsgi -c gunicorn.conf.py
