#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database and media folder this environment names.
# Usage: scripts/restore.sh BACKUP_FOLDER
# PostgreSQL: restore into a new, empty database (create it first; point DATABASE_URL at it), then switch the
# app over. SQLite: the database file is replaced; stop the app first. Migrations newer than the backup run after.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
source_dir=${1:?usage: scripts/restore.sh BACKUP_FOLDER}
[ -f "$source_dir/manifest.txt" ] || { echo "No manifest.txt in $source_dir: not a StayOps backup." >&2; exit 1; }

setting() {
  SECRET_KEY=${SECRET_KEY:-restore-only} "$BIN/python" - "$1" <<'PY'
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.conf import settings
name = sys.argv[1]
value = settings.DATABASES["default"]["NAME"] if name == "SQLITE_PATH" else getattr(settings, name, "")
print(value or "")
PY
}

if [ -f "$source_dir/database.dump" ]; then
  [ -n "${DATABASE_URL:-}" ] || { echo "This backup is of PostgreSQL: set DATABASE_URL to the target database." >&2; exit 1; }
  pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$source_dir/database.dump"
elif [ -f "$source_dir/database.sqlite3" ]; then
  [ -z "${DATABASE_URL:-}" ] || { echo "This backup is of SQLite: unset DATABASE_URL." >&2; exit 1; }
  sqlite_path=$(setting SQLITE_PATH)
  mkdir -p "$(dirname "$sqlite_path")"
  rm -f "$sqlite_path-wal" "$sqlite_path-shm"
  cp "$source_dir/database.sqlite3" "$sqlite_path"
else
  echo "No database in $source_dir." >&2
  exit 1
fi

if [ -f "$source_dir/media.tar.gz" ]; then
  media_root=$(setting MEDIA_ROOT)
  mkdir -p "$media_root"
  tar -xzf "$source_dir/media.tar.gz" -C "$media_root"
fi
"$BIN/python" manage.py migrate --noinput --verbosity 0
echo "Restored $source_dir"
