"""The user a service is given is the actor of its audit entries, whatever the surrounding context says: one
source of truth for "who did this", from a view, a management command or a job."""

import datetime
import io

import pytest
from django.core.management import call_command

from bookings.models import Booking, Property
from bookings.services.bookings import booking_create
from bookings.services.properties import property_update
from core.audit_context import audit_context
from core.models import AuditEntry, AuditSource
from tests.factories import make_loft
from tests.import_files import airbnb_row, airbnb_xlsx
from wbs.services.tasks import task_create, task_set_status

pytestmark = pytest.mark.django_db


def _last_entry():
    return AuditEntry.objects.order_by("-id").first()


def test_a_service_called_from_a_command_records_the_user_it_was_given(manager):
    prop = Property.objects.create(name="Cli Loft", code="CLI", address="Rua 1", time_zone="Europe/Lisbon")
    with audit_context(source=AuditSource.CLI):
        booking = booking_create(
            user=manager,
            property=prop,
            external_code="HMCLI1",
            guest_name="Ana",
            check_in=datetime.date(2026, 12, 10),
            check_out=datetime.date(2026, 12, 12),
        )
        property_update(property=prop, user=manager, name="Cli Loft 2")
    entries = AuditEntry.objects.filter(source=AuditSource.CLI)
    assert entries.count() >= 2
    assert set(entries.values_list("actor_id", flat=True)) == {manager.pk}
    assert Booking.objects.get(pk=booking.pk).guest_name == "Ana"


def test_the_given_user_wins_over_another_actor_in_the_context(manager, cleaner):
    with audit_context(actor=cleaner, source=AuditSource.CLI):
        task = task_create(user=manager, title="Fix the tap")
        task_set_status(task=task, status="in_progress", user=manager)
    assert _last_entry().actor_id == manager.pk
    assert set(AuditEntry.objects.values_list("actor_id", flat=True)) == {manager.pk}


def test_without_a_user_the_context_actor_stays(cleaner):
    with audit_context(actor=cleaner, source=AuditSource.AUTOMATION):
        task_create(title="Automatic")
    assert _last_entry().actor_id == cleaner.pk


def test_import_bookings_records_the_user_named_on_the_command_line(manager, tmp_path):
    make_loft()
    path = tmp_path / "airbnb.xlsx"
    path.write_bytes(airbnb_xlsx([airbnb_row()]))
    with pytest.raises(SystemExit) as exited:
        call_command("import_bookings", str(path), "--user", manager.username, stdout=io.StringIO())
    assert exited.value.code == 0
    booking_entries = AuditEntry.objects.filter(content_type__model="booking")
    assert booking_entries.exists()
    assert set(booking_entries.values_list("actor_id", flat=True)) == {manager.pk}
    assert set(booking_entries.values_list("source", flat=True)) == {AuditSource.CLI}
