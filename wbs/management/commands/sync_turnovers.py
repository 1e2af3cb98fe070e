"""`python manage.py sync_turnovers`: bring every booking's turnover tasks in step; safe to run again."""

import time

from django.core.management.base import BaseCommand

from core.audit_context import audit_context
from core.models import AuditSource
from wbs.services.turnovers import turnovers_sync, turnovers_sync_all


class Command(BaseCommand):
    # Django's system checks import every URL, view and admin module: a large share of this command's start-up,
    # repeated on every scheduled run. Deploys run `manage.py check`.
    requires_system_checks: list[str] = []
    help = (
        "Create missing turnover tasks, move and cancel the ones bookings no longer match. Idempotent. "
        "-v 2 lists every change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--booking", type=int, action="append", help="Only this booking id (repeatable).")

    def handle(self, *args, **options):
        started = time.perf_counter()
        with audit_context(source=AuditSource.CLI):
            if options["booking"]:
                result = turnovers_sync(booking_ids=options["booking"], source=AuditSource.CLI)
            else:
                result = turnovers_sync_all(source=AuditSource.CLI)
        seconds = time.perf_counter() - started
        if options["verbosity"] >= 2:
            for line in result.lines:
                self.stdout.write(line)
        self.stdout.write(f"{result.summary()} seconds={seconds:.2f}")
