from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wbs", "0006_task_live_dates_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="taskdependency", name="dependency_lag_idx"),
        migrations.AddIndex(
            model_name="taskdependency",
            index=models.Index(
                fields=["lag_days"], condition=models.Q(("lag_days", 0), _negated=True), name="dependency_lagged_idx"
            ),
        ),
    ]
