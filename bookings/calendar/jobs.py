"""Background jobs of the calendar sync (django-tasks), run by `manage.py db_worker`; no cron needed.

django-tasks has no scheduler, so the periodic sync is a job that queues its own next run (`run_after`)
before it does anything else: a tick that crashes has already scheduled the next one. A PostgreSQL advisory
lock (SQLite's IMMEDIATE transactions serialise anyway) makes the "is one pending?" check and the enqueue one
step, so however many workers, deploys and new feeds ask, exactly one tick waits in the queue.
The tick queues one job per due feed, so several workers share the feeds; each feed's lease keeps two of them
from syncing the same feed at once.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bookings.calendar.sync import calendar_feed_sync
from bookings.importing.batches import import_batches_check_jobs
from bookings.models import CalendarFeed
from core.job_leases import jobs_reclaim_lost
from core.jobs import recorded_job

logger = logging.getLogger(__name__)

# An arbitrary constant naming this lock among PostgreSQL advisory locks ("CALS" in ASCII).
SCHEDULE_LOCK_ID = 0x43414C53


@recorded_job(rerun_if_lost=True)
def sync_calendar_feed(feed_id: int, only_if_due: bool = False) -> str:
    """Sync one feed; with only_if_due, a feed synced since this job was queued (by "sync now") is left alone."""
    if only_if_due and not CalendarFeed.objects.due(timezone.now()).filter(pk=feed_id).exists():
        return f'feed={feed_id} status=skipped reason="synced recently"'
    outcome = calendar_feed_sync(feed_id=feed_id)
    logger.info("calendar sync: %s", outcome.line())
    return outcome.line()


@recorded_job()
def sync_due_calendars() -> int:
    """The periodic tick: schedule the next tick, then queue a sync for every feed that is due."""
    calendar_schedule_ensure(delay=datetime.timedelta(minutes=settings.CALENDAR_SYNC_MINUTES))
    feed_ids = list(CalendarFeed.objects.due(timezone.now()).order_by("pk").values_list("pk", flat=True))
    for feed_id in feed_ids:
        sync_calendar_feed.enqueue(feed_id, only_if_due=True)
    # The worker's one periodic tick also takes over jobs whose worker died and finds imports whose job died,
    # so nothing waits for a cron job.
    jobs_reclaim_lost()
    import_batches_check_jobs()
    return len(feed_ids)


def _tick_is_pending() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=sync_due_calendars.module_path, status="READY").exists()


def calendar_schedule_ensure(*, delay: datetime.timedelta = datetime.timedelta(0)) -> bool:
    """Queue the periodic tick unless one is already waiting. True when this call queued it.

    Only the database backend can run a job later; with any other (tests run jobs at once) this does nothing.
    """
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(sync_due_calendars.get_backend(), DatabaseBackend):
        return False
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULE_LOCK_ID])
        if _tick_is_pending():
            return False
        sync_due_calendars.using(run_after=timezone.now() + delay).enqueue()
    return True


def calendar_feed_sync_later(*, feed_id: int) -> None:
    """ "Sync now" from a page: queued after the transaction commits, so the request never waits for a platform."""
    transaction.on_commit(lambda: sync_calendar_feed.enqueue(feed_id))


def ensure_schedule_after_migrate(sender, **kwargs) -> None:
    """Every deploy runs migrate: that (re)starts the periodic sync if its chain was ever broken."""
    try:
        calendar_schedule_ensure()
    except Exception:
        logger.exception("could not schedule the periodic calendar sync")
