"""Background jobs (django-tasks) that send the turnover notifications by email, outside any request."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from bookings.models import Booking
from core.audit_context import audit_context
from core.mail import send_messages
from core.models import AuditSource
from core.roles import MANAGER

logger = logging.getLogger(__name__)


def _send(recipients, subject: str, body: str) -> int:
    """One message per person, so no one sees who else was told."""
    messages = [
        mail.EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])
        for user in recipients
        if user.email
    ]
    if not messages:
        return 0
    sent = send_messages(messages)
    logger.info("sent %s notification(s): %s", sent, subject, extra={"fields": {"sent": sent}})
    return sent


@task()
def send_user_notification(*, user_ids: list[int], subject: str, body: str) -> int:
    recipients = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    return _send(recipients, subject, body)


@task()
def send_manager_notification(*, subject: str, body: str) -> int:
    managers = get_user_model().objects.filter(Q(groups__name=MANAGER) | Q(is_superuser=True), is_active=True)
    return _send(managers.distinct(), subject, body)


@task()
def sync_upcoming_turnovers() -> str:
    """After a template changes: bookings that have not checked out yet get (or keep) their tasks."""
    # Imported here: the sync service queues this module's jobs, so a top-level import would be circular.
    from wbs.services.turnovers import turnovers_sync

    since = timezone.localdate() - datetime.timedelta(days=1)
    booking_ids = list(Booking.objects.filter(check_out__gte=since).values_list("pk", flat=True))
    with audit_context(source=AuditSource.AUTOMATION):
        result = turnovers_sync(booking_ids=booking_ids, source=AuditSource.AUTOMATION)
    return result.summary()
