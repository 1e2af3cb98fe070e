"""scripts/backup.sh and scripts/restore.sh: a backup restored into a fresh database has every booking, task,
audit entry and photo file."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from bookings.models import Booking, Property
from core import audit
from core.models import AuditAction, AuditEntry
from wbs.models import Task

ROOT = Path(__file__).resolve().parent.parent
BIN = str(Path(sys.executable).parent)


def _run(script: str, *args: str, env: dict) -> str:
    result = subprocess.run(
        ["bash", f"scripts/{script}", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def _environment(**extra: str) -> dict:
    keep = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SQLITE_PATH"}}
    return keep | {"BIN": BIN} | extra


def _some_data() -> None:
    prop = Property.objects.create(name="Backup Loft", code="BKP", address="Rua 1", time_zone="Europe/Lisbon")
    check_in = datetime.date(2026, 12, 1)
    for number in range(3):
        booking = Booking.objects.create(
            property=prop,
            external_code=f"HMBACKUP{number}",
            guest_name=f"Guest {number}",
            check_in=check_in + datetime.timedelta(days=number * 4),
            check_out=check_in + datetime.timedelta(days=number * 4 + 2),
        )
        audit.record(booking, AuditAction.CREATE, {"guest_name": [None, booking.guest_name]})
    Task.objects.create(title="Paint the hallway", property=prop)


def _pg_url(database: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{database}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_restores_a_postgresql_backup_into_a_fresh_database(tmp_path):
    _some_data()
    expected = {
        "bookings_booking": Booking.all_objects.count(),
        "wbs_task": Task.all_objects.count(),
        "core_auditentry": AuditEntry.objects.count(),
    }
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "kitchen.jpg").write_bytes(b"\xff\xd8photo")

    backup = _run(
        "backup.sh",
        str(tmp_path / "backups"),
        env=_environment(DATABASE_URL=_pg_url(connection.settings_dict["NAME"]), MEDIA_ROOT=str(media)),
    )

    fresh = f"restore_{uuid.uuid4().hex[:10]}"
    admin_url = _pg_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored_media = tmp_path / "restored-media"
        _run("restore.sh", backup, env=_environment(DATABASE_URL=_pg_url(fresh), MEDIA_ROOT=str(restored_media)))
        with psycopg.connect(_pg_url(fresh)) as restored:
            for table, count in expected.items():
                assert restored.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count, table
            codes = {row[0] for row in restored.execute("SELECT external_code FROM bookings_booking")}
        assert codes == {"HMBACKUP0", "HMBACKUP1", "HMBACKUP2"}
        assert (restored_media / "photos" / "kitchen.jpg").read_bytes() == b"\xff\xd8photo"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_it_restores_a_sqlite_backup(tmp_path):
    database = tmp_path / "live.sqlite3"
    env = _environment(SQLITE_PATH=str(database), MEDIA_ROOT=str(tmp_path / "media"), DEBUG="true")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    create = (
        "from bookings.models import Property, Booking; import datetime;"
        "p = Property.objects.create(name='Backup Loft', code='BKP', address='x', time_zone='Europe/Lisbon');"
        "Booking.objects.create(property=p, external_code='HMSQLITE', check_in=datetime.date(2026, 12, 1),"
        " check_out=datetime.date(2026, 12, 3))"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", create], cwd=ROOT, env=env, check=True)

    backup = _run("backup.sh", str(tmp_path / "backups"), env=env)
    database.unlink()
    restored_env = env | {"SQLITE_PATH": str(tmp_path / "restored.sqlite3")}
    _run("restore.sh", backup, env=restored_env)

    import sqlite3

    with sqlite3.connect(tmp_path / "restored.sqlite3") as restored:
        codes = [row[0] for row in restored.execute("SELECT external_code FROM bookings_booking")]
    assert codes == ["HMSQLITE"]
