"""`python manage.py worker`: django-tasks-db's db_worker, made to outlive a database restart (scripts/worker.sh).

Upstream's loop re-raises every database error but SQLite's "locked", so a PostgreSQL restart or failover
stopped every worker until something restarted it (found by benchmarks/load_faults.py). Here the loop is
entered again after a pause, on fresh connections; a job that was running when the database went away is failed,
or queued again, by its lease (core.job_leases). Options and signals are db_worker's own.
"""

import logging
import time
from unittest import mock

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)

# The pause doubles while the database stays away, up to this; a failure long after the last starts again at 1 s.
RETRY_MAX_SECONDS = 10
RETRY_RESET_SECONDS = 60


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        pause, last_failure = 1.0, float("-inf")
        while True:
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    raise
                now = time.monotonic()
                pause = 1.0 if now - last_failure > RETRY_RESET_SECONDS else min(pause * 2, RETRY_MAX_SECONDS)
                last_failure = now
                logger.warning("database unavailable, the worker tries again in %.0f s: %s", pause, error)
                connections.close_all()
                time.sleep(pause)


class Command(db_worker.Command):
    help = "Run queued jobs (django-tasks-db's db_worker), waiting out database restarts instead of stopping."

    def handle(self, *args, **options) -> None:
        # Upstream's handle() builds its worker by this module-level name: ours stands in while it runs.
        with mock.patch.object(db_worker, "Worker", ResilientWorker):
            super().handle(*args, **options)
