"""`manage.py import_bookings PATH`: import an Airbnb, Booking.com or StayOps-template file from the terminal."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bookings.importing import FileRejected, import_file
from bookings.importing.formats import SOURCE_CHOICES
from bookings.models import ImportRowAction
from core.errors import AppError
from core.models import AuditSource

EXIT_OK = 0
EXIT_FILE_REJECTED = 1
EXIT_ROWS_REJECTED = 3
SUMMARY_KEYS = ("created", "updated", "unchanged", "cancelled", "conflicts", "errors")


class Command(BaseCommand):
    # Django's system checks import every URL, view and admin module to inspect them: a third of this command's
    # start-up, repeated on every import from a script. Deploys run `manage.py check` (and migrate checks too).
    requires_system_checks: list[str] = []
    help = (
        "Import bookings from an .xlsx or .csv export. Prints one summary line, then one line per problem. "
        "Exit status: 0 every row accepted, 3 some rows rejected (the rest applied), 1 the file was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .xlsx or .csv file.")
        parser.add_argument("--dry-run", action="store_true", help="Preview only: show what would change, write none.")
        parser.add_argument(
            "--source", choices=SOURCE_CHOICES, default="auto", help="The file's format (default: auto)."
        )
        parser.add_argument("--user", help="Username recorded as the actor in the audit trail.")

    def handle(self, *args, path, dry_run, source, user, verbosity, **options):
        actor = self._user(user)
        if not Path(path).is_file():
            raise CommandError(f"No file at {path}.", returncode=EXIT_FILE_REJECTED)
        try:
            batch = import_file(path=path, user=actor, source=source, dry_run=dry_run, audit_source=AuditSource.CLI)
        except FileRejected as exc:
            self.stdout.write(" ".join(f"{key}=0" for key in SUMMARY_KEYS))
            self.stderr.write(f"file rejected: {exc.message}")
            sys.exit(EXIT_FILE_REJECTED)
        except AppError as exc:
            self.stderr.write(f"not imported: {exc.message}")
            sys.exit(EXIT_FILE_REJECTED)

        counts = batch.counts
        self.stdout.write(" ".join(f"{key}={counts.get(key, 0)}" for key in SUMMARY_KEYS))
        problems = batch.rows.filter(action__in=[ImportRowAction.ERROR, ImportRowAction.CONFLICT]).order_by(
            "row_number"
        )
        for row in problems.values_list("row_number", "action", "errors").iterator(chunk_size=2000):
            self.stdout.write(problem_line(*row))
        if dry_run:
            self.stderr.write("dry run: nothing was written.")
        sys.exit(EXIT_ROWS_REJECTED if counts.get("errors") else EXIT_OK)

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.", returncode=EXIT_FILE_REJECTED) from None


def problem_line(row_number: int, action: str, errors: list[dict]) -> str:
    """`row 7, column Start date, value '31/02/2026': is not a real date (…)`; conflicts say so."""
    parts = []
    for error in errors:
        if action == ImportRowAction.CONFLICT:
            parts.append(f"row {row_number}: conflict ({error.get('conflict', '')}): {error['reason']}")
        else:
            parts.append(
                f"row {row_number}, column {error.get('column') or '-'}, value {error.get('value', '')!r}: "
                f"{error['reason']}"
            )
    return "\n".join(parts)
