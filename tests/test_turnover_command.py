"""`manage.py sync_turnovers` and the demo templates: idempotent, and says what it did."""

import datetime
import io

import pytest
from django.core.management import call_command

from bookings.models import BookingStatus
from core.models import AuditEntry
from tests.factories import SOON, make_booking, make_property, make_template
from wbs.demo_turnovers import seed_turnovers
from wbs.models import Task, TaskTemplate

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("sync_turnovers", stdout=out)
    return out.getvalue()


def test_it_creates_two_tasks_the_first_time_and_none_the_second():
    make_template()
    make_template("Inspect {property} before {guest}", trigger="before_check_in")
    make_booking(make_property(), SOON)

    first, second = run(), run()

    assert first.startswith("bookings=1 created=2 moved=0 cancelled=0")
    assert second.startswith("bookings=1 created=0 moved=0 cancelled=0")
    assert Task.objects.count() == 2


def test_it_reports_moves_and_cancellations_with_the_cli_source():
    make_template()
    moved = make_booking(make_property(), SOON)
    cancelled = make_booking(make_property(), SOON)
    run()
    moved.check_out = moved.check_out + datetime.timedelta(days=1)
    moved.save()
    cancelled.status = BookingStatus.CANCELLED
    cancelled.save()

    output = run()

    assert "moved=1 cancelled=1" in output
    entries = AuditEntry.objects.filter(action__in=["move", "cancel"])
    assert {entry.source for entry in entries} == {"automation"}
    assert all("(cli)" in entry.message for entry in entries)


def test_the_demo_ships_two_active_templates_and_one_inactive(cleaner, other_cleaner):
    make_booking(make_property(), SOON)
    out = io.StringIO()

    seed_turnovers(users={"cleaner1": cleaner, "cleaner2": other_cleaner}, scale=1, stdout=out)
    seed_turnovers(users={"cleaner1": cleaner, "cleaner2": other_cleaner}, scale=1, stdout=out)

    assert TaskTemplate.objects.filter(active=True).count() == 2
    assert TaskTemplate.objects.filter(active=False).count() == 1
    clean = TaskTemplate.objects.get(title_pattern="Clean {property} after {guest}")
    assert clean.default_assignee == cleaner and clean.backup_assignee == other_cleaner
    assert any(item["requires_photo"] for item in clean.checklist)
    assert Task.objects.count() == 2


def test_it_lists_every_change_at_verbosity_two():
    make_template()
    make_booking(make_property("Casa Azul"), SOON, guest_name="Ana Reis")
    out = io.StringIO()

    call_command("sync_turnovers", verbosity=2, stdout=out)

    first_line, summary = out.getvalue().splitlines()
    assert "created task" in first_line and "“Clean Casa Azul after Ana Reis”" in first_line
    assert summary.startswith("bookings=1 created=1")
