"""Import batches from the web: upload, preview now or in the background, apply, retry; spotting dead jobs.

Small files are previewed and applied inside the request; big ones are queued for the django-tasks worker
(`bookings/tasks.py`) and the batch page polls their progress. "Big" is decided by the rows actually read
(up to IMPORT_BACKGROUND_ROWS), never by the size a workbook declares.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from bookings import tasks as jobs
from bookings.importing.files import FileRejected, count_rows, file_kind
from bookings.importing.progress import last_sign_of_life, mark_failed
from bookings.importing.service import (
    import_batch_apply,
    import_batch_create,
    import_batch_estimate_rows,
    import_batch_preview,
)
from bookings.models import ImportBatch, ImportState
from core.audit_context import acting_user
from core.errors import Conflict

logger = logging.getLogger(__name__)

RUNNING_STATES = (ImportState.QUEUED, ImportState.RUNNING)
PREVIEWABLE_AGAIN = (ImportState.PREVIEWED, ImportState.STALE, ImportState.FAILED)


def runs_in_background(rows: int) -> bool:
    return rows > settings.IMPORT_BACKGROUND_ROWS


@acting_user
def import_batch_upload(*, file, file_name: str, user, source: str = "auto") -> ImportBatch:
    """An upload from the import page: kept as a new batch and previewed (in the background when big).

    Raises FileRejected with the engine's message when the file is refused; a file refused while reading
    stays in the history as rejected.
    """
    batch = import_batch_create(file=file, file_name=file_name, user=user, source=source)
    return import_batch_start_preview(batch=batch)


def import_batch_preview_again(*, batch: ImportBatch) -> ImportBatch:
    """Read a stale (or failed) batch's stored file again against today's bookings."""
    if batch.state not in PREVIEWABLE_AGAIN:
        raise Conflict(f"This import is {batch.get_state_display().lower()}; it cannot be previewed again.")
    return import_batch_start_preview(batch=batch)


def import_batch_start_preview(*, batch: ImportBatch) -> ImportBatch:
    """Preview a batch now, or queue it when the file is big. Raises FileRejected for a file refused at once.

    The rows are counted by reading them (stopping past IMPORT_BACKGROUND_ROWS): a workbook that declares two
    rows and holds 100,000 goes to the background like any big file.
    """
    limit = settings.IMPORT_BACKGROUND_ROWS
    try:
        with batch.file.open("rb") as handle:
            counted = count_rows(handle, file_kind(batch.file_name), batch.file_name, limit=limit)
    except FileRejected as rejected:
        ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.REJECTED, message=rejected.message)
        raise
    if not runs_in_background(counted):
        return _preview_now(batch)
    # The progress bar's total until the job counts the real rows: the declared size when it is bigger.
    estimate = max(counted, import_batch_estimate_rows(batch))
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportState.QUEUED, rows_total=estimate, rows_done=0, job_id="", progressed_at=timezone.now()
    )
    transaction.on_commit(partial(_enqueue, jobs.preview_import_batch, batch.pk))
    batch.refresh_from_db()
    return batch


@acting_user
def import_batch_start_apply(*, batch: ImportBatch, user) -> ImportBatch:
    """Apply a previewed batch now, or queue it when it is big. Raises Conflict when it cannot be applied."""
    if batch.state != ImportState.PREVIEWED:
        raise Conflict(not_applicable_message(batch))
    if not runs_in_background(batch.rows_total):
        return import_batch_apply(batch=batch, user=user)
    # Only one click wins: the state moves from previewed to queued once.
    claimed = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.PREVIEWED).update(
        state=ImportState.QUEUED, rows_done=0, job_id="", progressed_at=timezone.now()
    )
    batch.refresh_from_db()
    if not claimed:
        raise Conflict(not_applicable_message(batch))
    transaction.on_commit(partial(_enqueue, jobs.apply_import_batch, batch.pk, user.pk))
    return batch


def not_applicable_message(batch: ImportBatch) -> str:
    if batch.state == ImportState.APPLIED:
        return "This import was already applied; applying it again would change nothing."
    if batch.state == ImportState.STALE:
        return "The bookings changed since this preview. Preview the file again, then confirm."
    if batch.state in RUNNING_STATES:
        return "This import is already running; wait for it to finish."
    return f"This import is {batch.get_state_display().lower()} and cannot be applied."


# --- Jobs that died ----------------------------------------------------------------------------------------


def import_batch_check_job(*, batch: ImportBatch) -> ImportBatch:
    """A queued or running batch whose job is gone becomes failed, with why, so the page offers a retry.

    Gone: its django-tasks result failed (or ended while the batch still waits), the result vanished from
    the queue, or no progress for IMPORT_STALLED_MINUTES (a worker killed mid-job leaves its result
    "running" forever). Called when the batch page is looked at, and by `manage.py check_import_jobs`.
    """
    if batch.state not in RUNNING_STATES:
        return batch
    reason = dead_job_reason(batch)
    if reason and mark_failed(batch.pk, reason, job_id=batch.job_id):
        logger.warning("import %s marked failed: %s", batch.pk, reason, extra={"fields": {"job_id": batch.job_id}})
        batch.refresh_from_db()
    return batch


def import_batches_check_jobs() -> list[ImportBatch]:
    """The periodic check: every queued or running batch; returns those marked failed."""
    failed = []
    for batch in ImportBatch.objects.filter(state__in=RUNNING_STATES).defer("scope", "fingerprint"):
        if import_batch_check_job(batch=batch).state == ImportState.FAILED:
            failed.append(batch)
    return failed


def dead_job_reason(batch: ImportBatch) -> str:
    """Why the batch's job is dead, for the manager; "" while it may still be working."""
    status = job_status(batch.job_id)
    if status == TaskResultStatus.FAILED:
        return "The background job for this import stopped with an error; nothing was written. Try again."
    if status == TaskResultStatus.SUCCESSFUL:
        return "The background job for this import ended without finishing it; nothing was written. Try again."
    if status == "missing":
        return "The background job for this import disappeared from the queue; nothing was written. Try again."
    minutes = settings.IMPORT_STALLED_MINUTES
    if timezone.now() - last_sign_of_life(batch) > datetime.timedelta(minutes=minutes):
        if batch.state == ImportState.QUEUED:
            return (
                f"No background worker started this import within {minutes} minutes; nothing was written. "
                "Check that the worker (manage.py db_worker) runs, then try again."
            )
        return (
            f"This import made no progress for {minutes} minutes (its worker stopped); nothing was written. Try again."
        )
    return ""


def job_status(job_id: str) -> str | None:
    """The django-tasks status of a job, "missing" when the queue no longer knows it, None when unknown."""
    if not job_id:
        return None
    try:
        return task_backends["default"].get_result(job_id).status
    except TaskResultDoesNotExist:
        return "missing"
    except (NotImplementedError, ValueError, ImportError):
        # The immediate backend (tests) keeps no results; a malformed id is not worth failing a batch for.
        return None


# --- helpers ---------------------------------------------------------------------------------------------


def _preview_now(batch: ImportBatch) -> ImportBatch:
    try:
        return import_batch_preview(batch=batch)
    except FileRejected:
        raise  # the engine stored the rejection on the batch
    except Exception:
        # A bug must not leave the batch "queued" forever: it fails, with a retry, and the log has the details.
        logger.exception("import %s failed while previewing in the request", batch.pk)
        mark_failed(batch.pk)
        batch.refresh_from_db()
        return batch


def _enqueue(job, batch_id: int, *args) -> None:
    result = job.enqueue(batch_id, *args)
    # Only while still queued: a worker that already claimed the batch stored its own id.
    ImportBatch.objects.filter(pk=batch_id, state=ImportState.QUEUED, job_id="").update(job_id=str(result.id)[:64])
