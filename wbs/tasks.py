"""Background jobs (django-tasks) that send notifications by email, outside any request.

Only jobs, importing no service: services queue these, so a service import here would be circular.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db.models import Q

from core.jobs import recorded_job
from core.mail import send_messages
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


@recorded_job()
def send_user_notification(*, user_ids: list[int], subject: str, body: str) -> int:
    recipients = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    return _send(recipients, subject, body)


@recorded_job()
def send_manager_notification(*, subject: str, body: str) -> int:
    managers = get_user_model().objects.filter(Q(groups__name=MANAGER) | Q(is_superuser=True), is_active=True)
    return _send(managers.distinct(), subject, body)


@recorded_job(rerun_if_lost=True)
def respace_board_column(*, status: str) -> int:
    """Re-space a board column whose cards a move could not make room among (wbs.services.positions)."""
    # Imported here, against this module's rule: positions queues nothing, so the import is not circular, and
    # the job is the one caller that needs a service.
    from wbs.services.positions import board_column_respace

    return board_column_respace(status=status)
