from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wbs", "0005_fingerprint_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["deleted_at", "start_date", "due_date"], name="task_live_dates_idx"),
        ),
    ]
