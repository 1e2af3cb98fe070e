"""Leases on running jobs: a worker beats for the job in hand; a job with no beat for JOB_LEASE_SECONDS is lost.

django-tasks-db marks a job RUNNING when a worker claims it and only its worker ever finishes it, so a worker
killed mid-job (OOM, a lost machine, SIGKILL after the grace period) leaves it "running" for ever. Here the
wrapper (`core.jobs.recorded_job`) keeps a heartbeat row fresh while the job runs; `jobs_reclaim_lost()`
(run by the worker's periodic tick and `manage.py reclaim_jobs`) marks a job whose heartbeat went stale
FAILED, records a JobFailure (which alerts the operators) and queues a fresh run of jobs declared safe to run
again (`recorded_job(rerun_if_lost=True)`).
"""

import contextlib
import datetime
import logging
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.job_failures import FailedRun, job_failure_record
from core.models import JobHeartbeat

logger = logging.getLogger(__name__)

# Jobs (by module path) that `recorded_job(rerun_if_lost=True)` declared safe to run again after a lost worker.
RERUNNABLE: set[str] = set()


class WorkerLost(Exception):
    """The worker running a job stopped before the job finished."""


def _beat(job_id: str) -> None:
    JobHeartbeat.objects.update_or_create(job_id=job_id, defaults={"beat_at": timezone.now()})


@contextlib.contextmanager
def heartbeat(job_id: str) -> Iterator[None]:
    """Keep `job_id`'s heartbeat fresh from a thread while the block runs (database queue only)."""
    if settings.TASKS_BACKEND != "database" or not job_id:
        yield
        return
    _beat(job_id)
    stop = threading.Event()

    def keep_beating() -> None:
        try:
            while not stop.wait(settings.JOB_LEASE_SECONDS / 3):
                try:
                    _beat(job_id)
                except DatabaseError:
                    # A database outage shorter than the lease must not cost a running job its lease: try again.
                    logger.warning("job %s: heartbeat not written", job_id, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()

    beater = threading.Thread(target=keep_beating, name=f"heartbeat-{job_id}", daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join()
        JobHeartbeat.objects.filter(job_id=job_id).delete()


def jobs_reclaim_lost(*, now: datetime.datetime | None = None) -> list[str]:
    """Mark FAILED every running job whose heartbeat is older than the lease; returns their ids."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    # Compared as text in Python: the queue stores its UUIDs differently per database (hex on SQLite).
    alive = set(JobHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("job_id", flat=True))
    candidates = DBTaskResult.objects.running().filter(started_at__lt=cutoff).values_list("id", flat=True)
    reclaimed = []
    for candidate_id in candidates:
        if str(candidate_id) in alive:
            continue
        with transaction.atomic():
            # Locked and re-read: two reclaimers (two workers' ticks) never fail and re-run one job twice.
            result = DBTaskResult.objects.select_for_update(skip_locked=True).filter(id=candidate_id).first()
            if result is None or result.status != "RUNNING":
                continue
            _fail_lost(result, now=now)
        reclaimed.append(str(candidate_id))
    JobHeartbeat.objects.filter(beat_at__lt=cutoff).delete()
    return reclaimed


def _fail_lost(result, *, now: datetime.datetime) -> None:
    silent_for = int((now - result.started_at).total_seconds())
    error = WorkerLost(
        f"The worker running this job stopped: no sign of life for over {settings.JOB_LEASE_SECONDS} s "
        f"(started {silent_for} s ago)."
    )
    result.set_failed(error)
    args = result.args_kwargs.get("args", [])
    kwargs = result.args_kwargs.get("kwargs", {})
    job_failure_record(
        run=FailedRun(job_name=result.task_path, job_id=str(result.id), args=tuple(args), kwargs=kwargs, error=error)
    )
    logger.warning("job %s lost its worker", result.task_path, extra={"fields": {"job_id": str(result.id)}})
    try:
        # Resolving the job imports its module, which is what declares it rerunnable.
        job = import_string(result.task_path)
    except ImportError:
        logger.warning("job %s no longer exists; not run again", result.task_path)
        return
    if result.task_path in RERUNNABLE:
        rerun = job.enqueue(*args, **kwargs)
        logger.info("job %s queued again as %s", result.task_path, rerun.id)
