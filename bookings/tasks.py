"""Background jobs for imports: big files are previewed and applied by the django-tasks worker (db_worker).

The views call `import_batch_start_preview` and `import_batch_start_apply`, which run small batches at once
and queue big ones; the batch page then polls the batch's state and progress until the job is done.
"""

import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django_tasks import task

from bookings.importing import (
    FileRejected,
    import_batch_apply,
    import_batch_create,
    import_batch_estimate_rows,
    import_batch_preview,
)
from bookings.models import ImportBatch, ImportState
from core.audit_context import audit_context
from core.errors import Conflict
from core.models import AuditSource

logger = logging.getLogger(__name__)

# Long enough for the slowest apply; a finished job deletes its figures anyway.
PROGRESS_CACHE_SECONDS = 3600
FAILED_MESSAGE = "The import stopped because of an error on our side; nothing was written. Try again, or tell support."


def progress_key(batch_id: int) -> str:
    return f"import-progress:{batch_id}"


def progress_recorder(batch_id: int) -> Callable[[int, int], None]:
    """The `progress(done, total)` callback the engine calls: stores the figures the progress bar shows.

    An apply runs in one transaction, so its row updates stay invisible to the page until it commits; the
    cache (Redis in production) carries the figures meanwhile.
    """

    def progress(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(rows_done=done, rows_total=total)
        cache.set(progress_key(batch_id), (done, total), PROGRESS_CACHE_SECONDS)

    return progress


def current_progress(batch: ImportBatch) -> tuple[int, int]:
    """(done, total) for the progress bar: the cached figures while a job runs, else the batch's own."""
    return cache.get(progress_key(batch.pk)) or (batch.rows_done, batch.rows_total)


def runs_in_background(rows: int) -> bool:
    return rows > settings.IMPORT_BACKGROUND_ROWS


def import_batch_upload(*, file, file_name: str, user, source: str = "auto") -> ImportBatch:
    """An upload from the import page: kept as a new batch and previewed (in the background when big).

    Raises FileRejected with the engine's message when the file is refused; a file refused while reading
    stays in the history as rejected.
    """
    batch = import_batch_create(file=file, file_name=file_name, user=user, source=source)
    return import_batch_start_preview(batch=batch)


PREVIEWABLE_AGAIN = (ImportState.PREVIEWED, ImportState.STALE, ImportState.FAILED)


def import_batch_preview_again(*, batch: ImportBatch) -> ImportBatch:
    """Read a stale (or failed) batch's stored file again against today's bookings."""
    if batch.state not in PREVIEWABLE_AGAIN:
        raise Conflict(f"This import is {batch.get_state_display().lower()}; it cannot be previewed again.")
    return import_batch_start_preview(batch=batch)


def import_batch_start_preview(*, batch: ImportBatch) -> ImportBatch:
    """Preview a batch now, or queue it when the file is big. Raises FileRejected for a file refused at once."""
    estimate = import_batch_estimate_rows(batch)
    if not runs_in_background(estimate):
        return import_batch_preview(batch=batch)
    # The estimate is the progress bar's total until the job counts the real rows.
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.QUEUED, rows_total=estimate, rows_done=0)
    transaction.on_commit(partial(preview_import_batch.enqueue, batch.pk))
    batch.refresh_from_db()
    return batch


def import_batch_start_apply(*, batch: ImportBatch, user) -> ImportBatch:
    """Apply a previewed batch now, or queue it when it is big. Raises Conflict when it cannot be applied."""
    if batch.state != ImportState.PREVIEWED:
        raise Conflict(not_applicable_message(batch))
    if not runs_in_background(batch.rows_total):
        return import_batch_apply(batch=batch, user=user)
    # Only one click wins: the state moves from previewed to queued once.
    claimed = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.PREVIEWED).update(
        state=ImportState.QUEUED, rows_done=0
    )
    batch.refresh_from_db()
    if not claimed:
        raise Conflict(not_applicable_message(batch))
    transaction.on_commit(partial(apply_import_batch.enqueue, batch.pk, user.pk))
    return batch


def not_applicable_message(batch: ImportBatch) -> str:
    if batch.state == ImportState.APPLIED:
        return "This import was already applied; applying it again would change nothing."
    if batch.state == ImportState.STALE:
        return "The bookings changed since this preview. Preview the file again, then confirm."
    if batch.state in (ImportState.QUEUED, ImportState.RUNNING):
        return "This import is already running; wait for it to finish."
    return f"This import is {batch.get_state_display().lower()} and cannot be applied."


@task()
def preview_import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch_id, state=ImportState.QUEUED).update(state=ImportState.RUNNING)
    with audit_context(actor=batch.created_by, source=AuditSource.IMPORT, batch_id=batch_id):
        try:
            batch = import_batch_preview(batch=batch, progress=progress_recorder(batch_id))
        except FileRejected:
            # The engine stored the rejection and its message on the batch; the page shows them.
            batch.refresh_from_db()
        except Exception:
            _mark_failed(batch_id)
            raise
        finally:
            cache.delete(progress_key(batch_id))
    return batch.state


@task()
def apply_import_batch(batch_id: int, user_id: int) -> str:
    user = get_user_model().objects.get(pk=user_id)
    ImportBatch.objects.filter(pk=batch_id, state=ImportState.QUEUED).update(state=ImportState.RUNNING)
    with audit_context(actor=user, source=AuditSource.IMPORT, batch_id=batch_id):
        try:
            with transaction.atomic():
                # The engine applies previewed batches only. Handing it back as "previewed" inside this
                # transaction keeps the page showing "running" until the result commits.
                if not ImportBatch.objects.filter(pk=batch_id, state=ImportState.RUNNING).update(
                    state=ImportState.PREVIEWED
                ):
                    return ImportBatch.objects.get(pk=batch_id).state
                batch = ImportBatch.objects.get(pk=batch_id)
                try:
                    batch = import_batch_apply(batch=batch, user=user, progress=progress_recorder(batch_id))
                except Conflict as refused:
                    # Stale: the engine saved state=stale with its message (inside this transaction, kept).
                    logger.info("import %s not applied: %s", batch_id, refused.message)
                    batch.refresh_from_db()
        except Exception:
            _mark_failed(batch_id)
            raise
        finally:
            cache.delete(progress_key(batch_id))
    return batch.state


def _mark_failed(batch_id: int) -> None:
    logger.exception("import job for batch %s failed", batch_id)
    ImportBatch.objects.filter(pk=batch_id, state__in=[ImportState.QUEUED, ImportState.RUNNING]).update(
        state=ImportState.FAILED, message=FAILED_MESSAGE
    )
