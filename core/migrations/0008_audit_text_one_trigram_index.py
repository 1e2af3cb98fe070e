"""One trigram index for the audit trail's text search instead of two, filled through GIN's pending list (issue 14).

The search matches the object's name and the message as one text (`core.models.AUDIT_SEARCH_TEXT`), so each entry
adds its trigrams to one index, not two. New entries go to the index's pending list (up to GIN_PENDING_LIST_KB)
rather than into its tree one by one: an import's tens of thousands of entries cost a third less to write. The
worker's `core.tasks.analyze_tables`, queued after every big write, merges the list into the tree
(gin_clean_pending_list), as autovacuum would later; until then a search also reads the list.

Built CONCURRENTLY, as migration 0006 built the two it replaces, so a big audit table keeps taking writes.
"""

from django.db import migrations

GIN_PENDING_LIST_KB = 65536
# Must stay the expression Django writes for `AUDIT_SEARCH_TEXT` under `__icontains` (UPPER(text::text) LIKE ...).
INDEX = "audit_text_trgm_idx"
EXPRESSION = "UPPER((object_repr || ' ' || message)::text)"
REPLACED = {
    "audit_repr_trgm_idx": "UPPER(object_repr)",
    "audit_message_trgm_idx": "UPPER(message)",
}


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON core_auditentry USING gin ({EXPRESSION} gin_trgm_ops)"
        f" WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KB})"
    )
    for name in REPLACED:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def restore_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in REPLACED.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON core_auditentry USING gin ({expression} gin_trgm_ops)"
        )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("core", "0007_audit_indexes_trimmed"),
    ]

    operations = [
        migrations.RunPython(create_index, restore_indexes, elidable=False),
    ]
