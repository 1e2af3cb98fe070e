"""`@recorded_job`: the one way to declare a background job, so that no job fails without a JobFailure.

Use it instead of django-tasks' `@task`:

    @recorded_job()
    def preview_import_batch(batch_id: int) -> str:
        current_job().concerns(batch, user=batch.created_by)
        ...

The wrapper runs the job with the audit context's request id set to `job-<id>` (every audit entry the job
writes points back to its run) and logs the run's start and failure with the job id. A failure is recorded
(`core.job_failures.job_failure_record`) and re-raised, so django-tasks marks the result FAILED as usual.
"""

import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django_tasks import TaskContext, task
from django_tasks.base import Task

from core.audit_context import audit_context
from core.job_failures import FailedRun, job_failure_record
from core.job_leases import RERUNNABLE, heartbeat

logger = logging.getLogger(__name__)


@dataclass
class JobRun:
    """The run in progress: its id and name, and what the job says it is about (for the failure record)."""

    id: str
    name: str
    started_by_id: int | None = None
    subject: models.Model | None = None
    label: str = ""
    fields: dict = field(default_factory=dict)

    def concerns(self, subject: models.Model | None = None, *, user=None, label: str = "") -> None:
        """Say which object this run works on and who started it: a failure record shows both."""
        if subject is not None:
            self.subject = subject
        if label:
            self.label = label
        if user is not None and getattr(user, "pk", None) is not None:
            self.started_by_id = user.pk


_current_run: contextvars.ContextVar[JobRun | None] = contextvars.ContextVar("stayops_job_run", default=None)


def current_job() -> JobRun:
    """The job run in progress; outside a job, a throwaway run, so jobs' code also works when called directly."""
    return _current_run.get() or JobRun(id="", name="")


def recorded_job(*, alert: bool = True, rerun_if_lost: bool = False, **task_options: Any) -> Callable[[Callable], Task]:
    """Decorate a module-level function as a django-tasks job whose failures are recorded (and alerted).

    `alert=False`: failures are recorded but never emailed (the alert job itself uses it, so a broken mail
    server cannot make alerts about alerts). `rerun_if_lost=True`: the job is safe to run twice, so when its
    worker dies mid-run it is queued again (core.job_leases). Other options go to `@task` (priority, queue_name,
    backend).
    """

    def decorate(func: Callable) -> Task:
        def run(context: TaskContext, *args, **kwargs):
            result = context.task_result
            job = JobRun(id=str(result.id), name=result.task.module_path)
            token = _current_run.set(job)
            started = time.monotonic()
            log_fields = {"job": job.name, "job_id": job.id, "attempt": context.attempt}
            logger.info("job %s started", job.name, extra={"fields": log_fields})
            try:
                with audit_context(request_id=f"job-{job.id}"[:128]), heartbeat(job.id):
                    return func(*args, **kwargs)
            except Exception as error:
                elapsed = round((time.monotonic() - started) * 1000)
                logger.exception("job %s failed", job.name, extra={"fields": {**log_fields, "duration_ms": elapsed}})
                _record(job, args, kwargs, error, alert=alert)
                raise
            finally:
                _current_run.reset(token)

        # django-tasks finds a job again by its module path, so the wrapper takes the job's names. Not
        # functools.wraps: its __wrapped__ would make django-tasks read the job's signature, not run()'s.
        run.__module__ = func.__module__
        run.__name__ = func.__name__
        run.__qualname__ = func.__qualname__
        run.__doc__ = func.__doc__
        declared = task(takes_context=True, **task_options)(run)
        if rerun_if_lost:
            RERUNNABLE.add(declared.module_path)
        return declared

    return decorate


def _record(job: JobRun, args: tuple, kwargs: dict, error: Exception, *, alert: bool) -> None:
    # Recording must never hide the job's own error: if it fails too (the database is down), the log keeps both.
    try:
        job_failure_record(
            run=FailedRun(
                job_name=job.name,
                job_id=job.id,
                args=args,
                kwargs=kwargs,
                error=error,
                started_by_id=job.started_by_id,
                subject=job.subject,
                label=job.label,
            ),
            alert=alert,
        )
    except Exception:
        logger.exception("could not record the failure of job %s", job.name, extra={"fields": {"job_id": job.id}})
