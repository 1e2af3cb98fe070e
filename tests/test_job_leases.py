"""A job whose worker died is taken over after JOB_LEASE_SECONDS: failed with a JobFailure, and queued again
when it is safe to run twice; a job whose worker still beats is left alone."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.job_leases import jobs_reclaim_lost
from core.models import JobFailure, JobHeartbeat

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60


def _running(task_path: str, *, started_minutes_ago: int, args=()) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status="RUNNING",
        started_at=now - datetime.timedelta(minutes=started_minutes_ago),
        args_kwargs={"args": list(args), "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        queue_name="default",
        run_after=now,
        worker_ids=["lost-worker"],
        exception_class_path="",
        traceback="",
    )


@pytest.mark.django_db
def test_a_silent_job_is_failed_recorded_and_run_again_when_safe(settings, tmp_path):
    settings.JOB_LEASE_SECONDS = 60
    marker = tmp_path / "marker"
    marker.write_text("started")
    lost = _running("tests.jobs_for_tests.mark_then_sleep", started_minutes_ago=5, args=[str(marker), 0])

    assert jobs_reclaim_lost() == [str(lost.pk)]

    lost.refresh_from_db()
    assert lost.status == "FAILED"
    assert lost.exception_class_path == "core.job_leases.WorkerLost"
    failure = JobFailure.objects.get()
    assert failure.job_name == "tests.jobs_for_tests.mark_then_sleep"
    assert "worker running this job stopped" in failure.message
    # Tests run jobs at once: the rerun found the first run's mark.
    assert marker.read_text() == "rerun"
    assert jobs_reclaim_lost() == []


@pytest.mark.django_db
def test_a_job_that_is_not_safe_to_rerun_is_only_failed(settings):
    settings.JOB_LEASE_SECONDS = 60
    lost = _running("wbs.tasks.send_user_notification", started_minutes_ago=5)
    assert jobs_reclaim_lost() == [str(lost.pk)]
    assert DBTaskResult.objects.filter(task_path="wbs.tasks.send_user_notification").count() == 1


@pytest.mark.django_db
def test_a_job_whose_worker_still_beats_is_left_running(settings):
    settings.JOB_LEASE_SECONDS = 60
    busy = _running("tests.jobs_for_tests.mark_then_sleep", started_minutes_ago=30)
    JobHeartbeat.objects.create(job_id=str(busy.pk), beat_at=timezone.now())
    young = _running("tests.jobs_for_tests.mark_then_sleep", started_minutes_ago=0)

    assert jobs_reclaim_lost() == []
    assert {row.status for row in DBTaskResult.objects.filter(pk__in=[busy.pk, young.pk])} == {"RUNNING"}


def _worker_env() -> dict:
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    return {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "database", "JOB_LEASE_SECONDS": "30", "DEBUG": "true"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_is_taken_over(settings, tmp_path):
    settings.JOB_LEASE_SECONDS = 30
    marker = tmp_path / "marker"
    # Queued in the database, as the app does in production (tests otherwise run jobs at once).
    result = DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [str(marker), 600], "kwargs": {}},
        task_path="tests.jobs_for_tests.mark_then_sleep",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=_worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (marker.exists() and JobHeartbeat.objects.filter(job_id=str(result.pk)).exists()):
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    result.refresh_from_db()
    assert result.status == "RUNNING"  # what django-tasks alone would leave for ever
    assert jobs_reclaim_lost() == []  # still within its lease

    later = timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    assert jobs_reclaim_lost(now=later) == [str(result.pk)]
    result.refresh_from_db()
    assert result.status == "FAILED"
    assert JobFailure.objects.filter(job_name="tests.jobs_for_tests.mark_then_sleep").count() == 1
    assert marker.read_text() == "rerun"
