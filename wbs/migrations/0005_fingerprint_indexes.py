from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wbs", "0004_task_due_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["updated_at"], name="task_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="taskdependency",
            index=models.Index(fields=["lag_days"], name="dependency_lag_idx"),
        ),
    ]
