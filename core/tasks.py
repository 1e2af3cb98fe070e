"""Background jobs of core: the operators' alert about a failed job, fresh planner statistics and search indexes after
bulk writes."""

import logging

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
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


@recorded_job(rerun_if_lost=True)
def analyze_tables(tables: list[str]) -> int:
    """PostgreSQL's ANALYZE of these tables (core.bulk.analyze_after_commit queues it after a big bulk write), then
    their GIN indexes' pending lists merged into the indexes: a worker's job, so neither the import's request nor
    its command waits for either. Only the tables of installed models are analysed; returns how many."""
    known = {model._meta.db_table for model in apps.get_models()}
    names = sorted(set(tables) & known)
    if names and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(name) for name in names))
            # The audit's trigram indexes take a big write into their pending list (core migration 0007), which
            # every search reads in full until it is merged; ANALYZE run by hand leaves it (autovacuum's merges).
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
                " WHERE am.amname = 'gin' AND i.indrelid = ANY(%s::text[]::regclass[])",
                [names],
            )
    return len(names)
