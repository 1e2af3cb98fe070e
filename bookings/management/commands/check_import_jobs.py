"""`manage.py check_import_jobs`: mark failed every queued or running import whose background job died."""

from django.core.management.base import BaseCommand

from bookings.importing.batches import import_batches_check_jobs
from core.audit_context import audit_context
from core.models import AuditSource


class Command(BaseCommand):
    help = "Mark failed (with a retry) the imports whose background job died or stopped making progress."

    def handle(self, *args, **options) -> None:
        with audit_context(source=AuditSource.CLI):
            failed = import_batches_check_jobs()
        for batch in failed:
            self.stdout.write(f"batch={batch.pk} status=failed")
        self.stdout.write(f"checked; failed={len(failed)}")
