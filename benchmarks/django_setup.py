"""Shared set-up for benchmark scripts: Django on a throwaway SQLite file or a freshly created PostgreSQL database."""

import os
import tempfile
from pathlib import Path


def fresh_database_environment(postgres_url: str | None) -> None:
    """Point this process and its children at a new, empty database (set up and migrated by the caller)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["STATIC_NO_MANIFEST"] = "true"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if postgres_url:
        recreate_postgres_database(postgres_url)
        os.environ["DATABASE_URL"] = postgres_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="stayops-bench-")) / "bench.sqlite3")


def configure(postgres_url: str | None) -> None:
    """Point Django at a new, empty database and set it up; the caller migrates."""
    fresh_database_environment(postgres_url)
    import django

    django.setup()


def extra_database(suffix: str) -> str:
    """The NAME of a second, empty database beside the one configure() set up (a new file, or a new PostgreSQL
    database dropped and created again); the caller points the connection at it and migrates."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        url = os.environ["DATABASE_URL"]
        recreate_postgres_database(f"{url}_{suffix}")
        return f"{name}_{suffix}"
    return str(Path(name).with_name(f"{Path(name).stem}-{suffix}.sqlite3"))


def recreate_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def analyze() -> None:
    """Fresh planner statistics after a bulk load on PostgreSQL, as autovacuum gives a real database in time.

    Without them the planner's choices for a freshly loaded table change when autovacuum happens to run,
    halfway through a measurement or not at all. GIN indexes' pending lists are merged too, as the worker's
    `core.tasks.analyze_tables` merges them after a big write. SQLite keeps no statistics unless asked, so it is
    left as is.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'gin' AND pg_table_is_visible(i.indrelid)"
            )
