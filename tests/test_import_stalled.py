"""An import whose job died shows a failed batch with a message and a retry, never an endless "Queued"."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bookings.models import Booking, ImportBatch, ImportState
from tests.factories import make_loft
from tests.import_files import AIRBNB_HEADERS, airbnb_row, csv_bytes, upload

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def loft():
    return make_loft()


def rows(count: int):
    start = datetime.date(2026, 3, 1)
    return [
        airbnb_row(
            f"HMS{n}",
            guest=f"Guest {n}",
            check_in=start + datetime.timedelta(days=3 * n),
            check_out=start + datetime.timedelta(days=3 * n + 2),
        )
        for n in range(count)
    ]


def queued_batch(manager_client, settings, django_capture_on_commit_callbacks, *, execute: bool) -> ImportBatch:
    settings.IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=execute):
        manager_client.post(
            reverse("bookings:import"),
            {"file": upload("big.csv", csv_bytes(AIRBNB_HEADERS, rows(3))), "source": "auto"},
        )
    return ImportBatch.objects.get()


def test_a_batch_whose_job_failed_in_the_queue_turns_failed_when_its_page_is_looked_at(
    manager_client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    batch = queued_batch(manager_client, settings, django_capture_on_commit_callbacks, execute=True)
    result = DBTaskResult.objects.get()
    assert batch.state == ImportState.QUEUED and batch.job_id == str(result.id)
    DBTaskResult.objects.update(status="FAILED", exception_class_path="builtins.MemoryError", traceback="…")

    html = manager_client.get(batch.get_absolute_url()).content.decode()
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED and "stopped with an error" in batch.message
    assert "Try again" in html and "stopped with an error" in html


def test_a_batch_whose_job_vanished_turns_failed_on_the_next_progress_poll(
    manager_client, settings, django_capture_on_commit_callbacks, htmx_headers
):
    settings.TASKS = DB_TASKS
    batch = queued_batch(manager_client, settings, django_capture_on_commit_callbacks, execute=True)
    DBTaskResult.objects.all().delete()
    response = manager_client.get(reverse("bookings:import_progress", args=[batch.pk]), headers=htmx_headers)
    assert response.headers.get("HX-Refresh") == "true"
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED and "disappeared" in batch.message


def test_a_batch_without_progress_for_longer_than_the_setting_turns_failed_by_the_periodic_check(
    manager_client, settings, django_capture_on_commit_callbacks
):
    batch = queued_batch(manager_client, settings, django_capture_on_commit_callbacks, execute=False)
    ImportBatch.objects.filter(pk=batch.pk).update(progressed_at=timezone.now() - datetime.timedelta(minutes=29))
    out = io.StringIO()
    call_command("check_import_jobs", stdout=out)
    assert "failed=0" in out.getvalue()

    ImportBatch.objects.filter(pk=batch.pk).update(progressed_at=timezone.now() - datetime.timedelta(minutes=31))
    call_command("check_import_jobs", stdout=out)
    batch.refresh_from_db()
    assert f"batch={batch.pk} status=failed" in out.getvalue()
    assert batch.state == ImportState.FAILED and "No background worker started this import" in batch.message


def test_retry_requeues_a_failed_batch_and_a_late_old_job_does_nothing(
    manager_client, settings, django_capture_on_commit_callbacks
):
    batch = queued_batch(manager_client, settings, django_capture_on_commit_callbacks, execute=False)
    ImportBatch.objects.filter(pk=batch.pk).update(
        job_id="old-job", progressed_at=timezone.now() - datetime.timedelta(hours=2)
    )
    manager_client.get(batch.get_absolute_url())
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED

    with django_capture_on_commit_callbacks(execute=False) as queued:
        manager_client.post(reverse("bookings:import_preview_again", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.QUEUED and batch.job_id == "" and len(queued) == 1
    queued[0]()  # the new job runs (immediately, in tests) and previews the file
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED and batch.counts["created"] == 3
    assert Booking.objects.count() == 0
