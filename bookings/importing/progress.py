"""Bookkeeping of import jobs: progress for the bar, a heartbeat to tell a dead job from a slow one, failure."""

import datetime
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone

from bookings.models import ImportBatch, ImportState

# Long enough for the slowest apply; a finished job deletes its figures anyway.
PROGRESS_CACHE_SECONDS = 3600


def progress_key(batch_id: int) -> str:
    return f"import-progress:{batch_id}"


def progress_recorder(batch_id: int) -> Callable[[int, int], None]:
    """The `progress(done, total)` callback the engine calls: stores the figures the progress bar shows.

    An apply runs in one transaction, so its row updates stay invisible to the page until it commits; the
    cache (Redis in production) carries the figures, and the time as a heartbeat, meanwhile.
    """

    def progress(done: int, total: int) -> None:
        now = timezone.now()
        ImportBatch.objects.filter(pk=batch_id).update(rows_done=done, rows_total=total, progressed_at=now)
        cache.set(progress_key(batch_id), (done, total, now.timestamp()), PROGRESS_CACHE_SECONDS)

    return progress


def clear_progress(batch_id: int) -> None:
    cache.delete(progress_key(batch_id))


def current_progress(batch: ImportBatch) -> tuple[int, int]:
    """(done, total) for the progress bar: the cached figures while a job runs, else the batch's own."""
    cached = cache.get(progress_key(batch.pk))
    return (cached[0], cached[1]) if cached else (batch.rows_done, batch.rows_total)


def last_sign_of_life(batch: ImportBatch) -> datetime.datetime:
    """When the batch's job last showed progress (or was queued or started)."""
    moments = [batch.progressed_at or batch.created_at]
    cached = cache.get(progress_key(batch.pk))
    if cached and len(cached) > 2:
        moments.append(datetime.datetime.fromtimestamp(cached[2], tz=datetime.UTC))
    return max(moments)


FAILED_MESSAGE = "The import stopped because of an error on our side; nothing was written. Try again, or tell support."


def mark_failed(batch_id: int, message: str = FAILED_MESSAGE, *, job_id: str | None = None) -> bool:
    """A queued or running batch becomes failed with `message` (only while its job `job_id`, if given, owns it)."""
    batches = ImportBatch.objects.filter(pk=batch_id, state__in=[ImportState.QUEUED, ImportState.RUNNING])
    if job_id is not None:
        batches = batches.filter(job_id=job_id)
    return bool(batches.update(state=ImportState.FAILED, message=message))
