#!/usr/bin/env bash
# Back up StayOps: the database (PostgreSQL custom-format dump, or a consistent SQLite copy) and the local media.
# Usage: scripts/backup.sh [DESTINATION]   (default var/backups); prints the new backup's folder.
# Reads the same environment as the app (DATABASE_URL, STAYOPS_DATA_DIR, MEDIA_ROOT). With MEDIA_STORAGE=s3 the
# photos live in the bucket: keep them with the bucket's versioning or replication (docs/deployment.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
destination=${1:-var/backups}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$destination/stayops-$stamp"
mkdir -p "$target"

setting() {
  SECRET_KEY=${SECRET_KEY:-backup-only} "$BIN/python" - "$1" <<'PY'
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

if [ -n "${DATABASE_URL:-}" ]; then
  # Custom format: compressed, and pg_restore can restore it into an empty database with --no-owner.
  pg_dump --format=custom --no-owner --no-privileges --file "$target/database.dump" "$DATABASE_URL"
else
  sqlite_path=$(setting SQLITE_PATH)
  # SQLite's online backup copies a consistent snapshot even while the app writes (WAL).
  "$BIN/python" - "$sqlite_path" "$target/database.sqlite3" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
with sqlite3.connect(sys.argv[2]) as copy:
    source.backup(copy)
source.close()
PY
fi

media_root=$(setting MEDIA_ROOT)
if [ -d "$media_root" ]; then
  tar -czf "$target/media.tar.gz" -C "$media_root" .
fi
{
  echo "created=$stamp"
  echo "database=$([ -n "${DATABASE_URL:-}" ] && echo postgresql || echo sqlite)"
  echo "media=$([ -f "$target/media.tar.gz" ] && echo yes || echo no)"
} > "$target/manifest.txt"
echo "$target"
