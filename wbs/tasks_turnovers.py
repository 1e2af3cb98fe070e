"""Background jobs (django-tasks) that bring turnover tasks in step with bookings and templates."""

import datetime

from django.utils import timezone

from bookings.models import Booking
from core.audit_context import audit_context
from core.jobs import recorded_job
from core.models import AuditSource
from wbs.services.turnovers import turnovers_sync


@recorded_job(rerun_if_lost=True)
def sync_upcoming_turnovers() -> str:
    """After a template changes: bookings that have not checked out yet get (or keep) their tasks."""
    since = timezone.localdate() - datetime.timedelta(days=1)
    booking_ids = list(Booking.objects.filter(check_out__gte=since).values_list("pk", flat=True))
    with audit_context(source=AuditSource.AUTOMATION):
        result = turnovers_sync(booking_ids=booking_ids, source=AuditSource.AUTOMATION)
    return result.summary()
