"""`manage.py worker` (scripts/worker.sh): db_worker that waits out a database restart instead of stopping."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker

from core.management.commands.worker import ResilientWorker

UPSTREAM = ResilientWorker.__mro__[1]


def make_worker() -> ResilientWorker:
    return ResilientWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip


def test_it_enters_the_loop_again_after_the_database_went_away(caplog):
    worker = make_worker()
    lost = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch.object(UPSTREAM, "run", side_effect=[lost, lost, None]) as upstream,
        mock.patch("core.management.commands.worker.time.sleep") as sleep,
    ):
        worker.run()
    assert upstream.call_count == 3
    assert [call.args[0] for call in sleep.call_args_list] == [1.0, 2.0]
    assert "database unavailable" in caplog.text


def test_it_stops_when_asked_to_even_if_the_database_is_away():
    worker = make_worker()
    worker.running = False
    with (
        mock.patch.object(UPSTREAM, "run", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        worker.run()


@pytest.mark.django_db(transaction=True)
def test_the_command_runs_queued_jobs_with_db_workers_options(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with mock.patch.object(ResilientWorker, "run", autospec=True) as run:
        call_command("worker", "--batch", "--worker-id", "w1", "--no-startup-delay")
    worker = run.call_args.args[0]
    assert isinstance(worker, ResilientWorker)
    assert worker.worker_id == "w1"
    assert db_worker.Worker is UPSTREAM
