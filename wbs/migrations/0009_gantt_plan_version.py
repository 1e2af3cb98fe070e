"""The plan version row and the triggers that change its token whenever the schedule changes.

Triggers rather than code in the services: a bulk update, the admin, a data migration or a raw UPDATE all
change it, so the Gantt's critical-path cache cannot go stale because a writer forgot to say so.

SQLite: row triggers give the row a new random token in the writing statement itself (writers are serialised by
the database lock, so this costs no waiting). A reader inside a transaction that later rolls back may cache under
its uncommitted token, which is random and never seen again.

PostgreSQL: a row lock taken in the writing statement would be held until commit and make every two writers of
tasks wait for each other, or deadlock (a reschedule batch and a status change on one of its tasks). So the
statement marks the transaction (a transaction-local setting, no lock) and a deferred constraint trigger changes
the token once, at commit. Until then the transaction's own reads see the mark and skip the cache.

Caution (SQLite): a later migration that rebuilds wbs_task or wbs_taskdependency (most AlterField operations)
drops these triggers with the old table; tests/test_plan_version.py fails until they are created again.
On PostgreSQL a migration that changes the type of a watched column must drop the triggers first and create
them again after (drop_triggers and create_triggers here do both).
"""

import secrets

from django.db import migrations, models

TASK_COLUMNS = ("start_date", "due_date", "status", "deleted_at")
DEPENDENCY_COLUMNS = ("predecessor_id", "successor_id", "type", "lag_days")
TABLES = {"task": ("wbs_task", TASK_COLUMNS), "dependency": ("wbs_taskdependency", DEPENDENCY_COLUMNS)}

SQLITE_NEW_TOKEN = "INSERT OR REPLACE INTO wbs_planversion (id, token) VALUES (1, lower(hex(randomblob(16))));"


def _sqlite_triggers() -> list[str]:
    statements = []
    for name, (table, columns) in TABLES.items():
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
        statements += [
            f"CREATE TRIGGER wbs_plan_{name}_insert AFTER INSERT ON {table} BEGIN {SQLITE_NEW_TOKEN} END;",
            f"CREATE TRIGGER wbs_plan_{name}_delete AFTER DELETE ON {table} BEGIN {SQLITE_NEW_TOKEN} END;",
            f"CREATE TRIGGER wbs_plan_{name}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"WHEN {changed} BEGIN {SQLITE_NEW_TOKEN} END;",
        ]
    return statements


POSTGRES_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION wbs_plan_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM set_config('wbs.plan_changed', 'yes', true);
        RETURN NULL;
    END $$;
    """,
    """
    CREATE OR REPLACE FUNCTION wbs_plan_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Deferred: runs at commit, once per transaction that marked a change.
        IF current_setting('wbs.plan_changed', true) = 'yes' THEN
            PERFORM set_config('wbs.plan_changed', 'bumped', true);
            INSERT INTO wbs_planversion (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
        END IF;
        RETURN NULL;
    END $$;
    """,
]


def _postgres_triggers() -> list[str]:
    statements = list(POSTGRES_FUNCTIONS)
    for name, (table, columns) in TABLES.items():
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
        column_list = ", ".join(columns)
        statements += [
            f"CREATE TRIGGER wbs_plan_{name}_mark AFTER INSERT OR DELETE OR UPDATE OF {column_list} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION wbs_plan_mark();",
            f"CREATE CONSTRAINT TRIGGER wbs_plan_{name}_changed AFTER INSERT OR DELETE ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wbs_plan_bump();",
            f"CREATE CONSTRAINT TRIGGER wbs_plan_{name}_updated AFTER UPDATE OF {column_list} ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION wbs_plan_bump();",
        ]
    return statements


def _drop_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS wbs_plan_{name}_{event};"
            for name in TABLES
            for event in ("insert", "delete", "update")
        ]
    return [
        f"DROP TRIGGER IF EXISTS wbs_plan_{name}_{kind} ON {table};"
        for name, (table, _) in TABLES.items()
        for kind in ("mark", "changed", "updated")
    ] + ["DROP FUNCTION IF EXISTS wbs_plan_mark();", "DROP FUNCTION IF EXISTS wbs_plan_bump();"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_triggers()
    elif vendor == "postgresql":
        statements = _postgres_triggers()
    else:
        raise NotImplementedError(f"No plan-version triggers for {vendor}: write them before using it.")
    for statement in statements:
        schema_editor.execute(statement)
    # Random, like every later token: a shared cache may hold keys from another database. A new one also when
    # the triggers are created again (writes made while they were missing changed nothing).
    upsert = "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token"
    schema_editor.execute(f"INSERT INTO wbs_planversion (id, token) VALUES (1, %s) {upsert};", [secrets.token_hex(16)])


def drop_triggers(apps, schema_editor):
    for statement in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("wbs", "0008_field_actions"),
    ]

    operations = [
        migrations.CreateModel(
            name="PlanVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
