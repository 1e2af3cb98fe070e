#!/usr/bin/env bash
# A background worker (imports, emails, calendar syncs). Any number may run, on any machine sharing the database.
# SIGTERM lets the job in hand finish, then the worker stops; a database restart is waited out (core worker command).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
exec "$BIN/python" manage.py worker "$@"
