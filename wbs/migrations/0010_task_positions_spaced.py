"""Space every board column's positions POSITION_GAP apart, in the order the board shows them.

Tasks created from bookings all had position 0, so a drag between two of them found no gap and renumbered the
whole column inside the request. One UPDATE per database, ranked by a window function: the database renumbers
60,000 rows itself rather than Django saving them one by one. Soft-deleted rows are numbered too (they keep
their place should they be restored). Order, ties included (by id), is unchanged, so there is nothing to undo.
"""

from django.db import migrations

# 1024.0: wbs.services.positions.POSITION_GAP when this was written (a migration keeps its own copy).
SPACE_POSITIONS = """
UPDATE wbs_task SET position = ranked.number * 1024.0
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY status ORDER BY position, id) AS number FROM wbs_task
) AS ranked
WHERE wbs_task.id = ranked.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("wbs", "0009_gantt_plan_version"),
    ]

    operations = [
        migrations.RunSQL(SPACE_POSITIONS, reverse_sql=migrations.RunSQL.noop, elidable=True),
    ]
