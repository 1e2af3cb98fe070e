"""Indexes for the audit trail's text search (issue 14): trigram GIN indexes on PostgreSQL, plain ones everywhere.

The search is `object_repr ILIKE %q% OR message ILIKE %q% OR request_id = q OR object_id = q`; PostgreSQL answers it
from four indexes combined (a BitmapOr), so its cost follows the matches, not the table. The trigram indexes need
the pg_trgm extension (shipped with PostgreSQL's contrib package; "trusted" since PostgreSQL 13, so the database's
owner may create it; otherwise a superuser runs `CREATE EXTENSION pg_trgm;` once before migrating). They are built
CONCURRENTLY, so a big audit table keeps taking writes meanwhile. SQLite has no trigram index and searches by scan.
"""

from django.db import migrations, models

# The expressions must be the ones Django writes for `__icontains` (UPPER(column::text) LIKE UPPER(pattern)).
TRIGRAM_INDEXES = {
    "audit_repr_trgm_idx": "UPPER(object_repr)",
    "audit_message_trgm_idx": "UPPER(message)",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON core_auditentry USING gin ({expression} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("core", "0005_user_preference"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["request_id"], name="audit_request_idx"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["object_id"], name="audit_object_id_idx"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
