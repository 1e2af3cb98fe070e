"""`python manage.py seed_demo [--scale N]`: demo users, properties, bookings, templates, projects, tasks."""

import importlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.audit_context import audit_context
from core.demo import DEMO_PASSWORD, seed_users
from core.models import AuditSource

# Each app that has demo data offers `seed(*, users, scale, stdout)`; core cannot import them directly.
DEMO_MODULES = ["bookings.demo", "wbs.demo"]


class Command(BaseCommand):
    help = "Fill the database with demo data. Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the amount of data (benchmarks).")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already has users (make run)."
        )

    def handle(self, *args, scale: int, force: bool, if_empty: bool, **options):
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("The database already has users: demo data not loaded again.")
            return
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo adds demo users with a known password; with DEBUG off, pass --force.")
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        with audit_context(source=AuditSource.CLI), transaction.atomic():
            users = seed_users()
            for module_name in DEMO_MODULES:
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError as error:
                    if error.name != module_name:
                        raise
                    continue
                module.seed(users=users, scale=scale, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        for username in users:
            self.stdout.write(f"  {username} / {DEMO_PASSWORD}")
