"""Background jobs for imports (django-tasks, run by `manage.py db_worker`); the services that queue them are in
`bookings/importing/batches.py`.

Each job claims its batch (queued -> running, with the job's id) before working, so a job that lost its batch
to a retry, or ran twice, does nothing. A job that breaks leaves the batch failed with a message and a retry;
`core.jobs.recorded_job` records the failure for the operators.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings.importing import FileRejected, import_batch_apply, import_batch_preview
from bookings.importing.progress import clear_progress, mark_failed, progress_recorder
from bookings.models import ImportBatch, ImportState
from core.audit_context import audit_context
from core.errors import Conflict
from core.jobs import current_job, recorded_job
from core.models import AuditSource

logger = logging.getLogger(__name__)


@recorded_job()
def preview_import_batch(batch_id: int) -> str:
    job = current_job()
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    job.concerns(batch, user=batch.created_by, label=f"Import #{batch.pk}: {batch.file_name}")
    if not _claim(batch_id, job.id):
        return ImportBatch.objects.get(pk=batch_id).state
    with audit_context(actor=batch.created_by, source=AuditSource.IMPORT, batch_id=batch_id):
        try:
            batch = import_batch_preview(batch=batch, progress=progress_recorder(batch_id))
        except FileRejected:
            # The engine stored the rejection and its message on the batch; the page shows them.
            batch.refresh_from_db()
        except Exception:
            mark_failed(batch_id)
            raise
        finally:
            clear_progress(batch_id)
    return batch.state


@recorded_job()
def apply_import_batch(batch_id: int, user_id: int) -> str:
    job = current_job()
    user = get_user_model().objects.get(pk=user_id)
    batch = ImportBatch.objects.get(pk=batch_id)
    job.concerns(batch, user=user, label=f"Import #{batch.pk}: {batch.file_name}")
    if not _claim(batch_id, job.id):
        return ImportBatch.objects.get(pk=batch_id).state
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
            mark_failed(batch_id)
            raise
        finally:
            clear_progress(batch_id)
    return batch.state


def _claim(batch_id: int, job_id: str) -> bool:
    """Queued -> running for this job only: not a batch retried under another job, nor one already running."""
    return bool(
        ImportBatch.objects.filter(pk=batch_id, state=ImportState.QUEUED)
        .filter(Q(job_id="") | Q(job_id=job_id))
        .update(state=ImportState.RUNNING, job_id=job_id[:64], progressed_at=timezone.now())
    )
