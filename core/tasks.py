"""Background jobs of core: the operators' alert about a failed job."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from core.jobs import recorded_job
from core.mail import send_messages
from core.models import JobFailure

logger = logging.getLogger(__name__)


# alert=False: if mail is broken this job's failure is recorded, but an alert about it would fail the same way.
@recorded_job(alert=False)
def send_job_failure_alert(failure_id: int) -> int:
    failure = JobFailure.objects.select_related("started_by", "content_type").filter(pk=failure_id).first()
    recipients = settings.OPS_ALERT_EMAILS
    if failure is None or not recipients:
        return 0
    context = {"failure": failure, "url": settings.SITE_URL.rstrip("/") + failure.get_absolute_url()}
    # A header must be one line: an error message may hold several.
    subject = " ".join(f"[StayOps] Job failed: {failure.short_job_name}: {failure.error_type}".split())[:200]
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("core/email/job_failure.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(render_to_string("core/email/job_failure.html", context), "text/html")
    sent = send_messages([message])
    logger.info("alerted operators about job failure %s", failure.pk, extra={"fields": {"failure_id": failure.pk}})
    return sent
