"""Fewer index entries per task (issue 14): a first import writes tens of thousands of turnover tasks at once.

Gone: task_status_idx (task_status_type_idx and task_status_position_idx lead with status), the assignee's index
(task_assignee_due_idx leads with it), and the indexes of created_by, deleted_by and a checklist item's done_by,
which nothing searches by (deleting a user reads them once). The WBS item's index keeps only the tasks that have
one: a booking's turnover tasks have none.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

plan_version = importlib.import_module("wbs.migrations.0009_gantt_plan_version")


def recreate_plan_version_triggers(apps, schema_editor):
    """SQLite rebuilt wbs_task for the changes above, and its plan-version triggers went with the old table (see
    migration 0009); PostgreSQL keeps them."""
    if schema_editor.connection.vendor == "sqlite":
        plan_version.drop_triggers(apps, schema_editor)
        plan_version.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0009_indexes_led_by_composites"),
        ("wbs", "0010_task_positions_spaced"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="task",
            name="task_status_idx",
        ),
        migrations.AlterField(
            model_name="checklistitem",
            name="done_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="deleted_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="tasks",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="deleted_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="wbs_item",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="tasks",
                to="wbs.wbsitem",
            ),
        ),
        migrations.AlterField(
            model_name="wbsitem",
            name="deleted_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("wbs_item__isnull", False)), fields=["wbs_item"], name="task_wbs_item_idx"
            ),
        ),
        migrations.RunPython(recreate_plan_version_triggers, recreate_plan_version_triggers, elidable=False),
    ]
