"""The admin for bookings: saving and deleting go through the services, so each change is audited as "admin"."""

import datetime

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingConflict, Property, StatusAlias
from bookings.services.bookings import booking_create
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, manager):
    manager.is_staff = True
    manager.is_superuser = True
    manager.save()
    client.force_login(manager)
    return client


def booking_data(beach, **overrides) -> dict:
    data = {
        "property": beach.pk, "source": "direct", "external_code": "", "guest_name": "Ann Smith", "guest_contact": "",
        "adults": 2, "children": 0, "infants": 0, "check_in": "2030-06-01", "check_out": "2030-06-04",
        "status": "confirmed", "source_status": "", "amount": "", "currency": "", "notes": "", "booked_on": "",
    }  # fmt: skip
    return {**data, **overrides}


def test_adding_a_booking_in_the_admin_is_audited_as_admin(admin_client, manager, beach):
    response = admin_client.post(reverse("admin:bookings_booking_add"), booking_data(beach))
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    entry = AuditEntry.objects.for_object(booking).get()
    assert (entry.action, entry.source, entry.actor) == ("create", "admin", manager)


def test_changing_a_booking_in_the_admin_audits_the_diff(admin_client, manager, beach):
    booking = booking_create(
        user=manager, property=beach, guest_name="Ann Smith", check_in=datetime.date(2030, 6, 1),
        check_out=datetime.date(2030, 6, 4), edited_by_hand=False, adults=2,
    )  # fmt: skip
    url = reverse("admin:bookings_booking_change", args=[booking.pk])
    response = admin_client.post(url, booking_data(beach, guest_name="Ann Lee", edited_by_hand=""))
    assert response.status_code == 302
    entry = AuditEntry.objects.for_object(booking).get(action="update")
    assert entry.source == "admin"
    assert entry.changes == {"guest_name": ["Ann Smith", "Ann Lee"], "edited_by_hand": [False, True]}


def test_an_overlap_saved_in_the_admin_is_recorded_as_a_conflict(admin_client, manager, beach):
    booking_create(
        user=manager, property=beach, guest_name="Bob", check_in=datetime.date(2030, 6, 2),
        check_out=datetime.date(2030, 6, 5),
    )  # fmt: skip
    admin_client.post(reverse("admin:bookings_booking_add"), booking_data(beach))
    assert BookingConflict.objects.filter(kind="overlap", state="open").count() == 1


def test_deleting_in_the_admin_is_a_soft_delete(admin_client, manager, beach):
    booking = booking_create(
        user=manager, property=beach, guest_name="Ann", check_in=datetime.date(2030, 6, 1),
        check_out=datetime.date(2030, 6, 4),
    )  # fmt: skip
    admin_client.post(reverse("admin:bookings_booking_delete", args=[booking.pk]), {"post": "yes"})
    assert Booking.all_objects.get(pk=booking.pk).is_deleted
    assert AuditEntry.objects.for_object(booking).get(action="delete").source == "admin"


def test_properties_are_edited_with_aliases_one_per_line_and_audited(admin_client, beach):
    url = reverse("admin:bookings_property_change", args=[beach.pk])
    data = {
        "name": "Beach House",
        "code": "beach",
        "address": "",
        "time_zone": "Europe/Lisbon",
        "check_in_time": "15:00",
        "check_out_time": "11:00",
        "aliases": "Sea view\nEriceira",
        "active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    beach.refresh_from_db()
    assert beach.aliases == ["Sea view", "Ericeira"]
    entry = AuditEntry.objects.for_object(beach).get(action="update")
    assert (entry.source, entry.changes) == ("admin", {"aliases": [[], ["Sea view", "Ericeira"]]})


def test_a_duplicate_property_code_gets_a_clear_message_in_the_admin(admin_client, beach):
    data = {
        "name": "Other",
        "code": "BEACH",
        "address": "",
        "time_zone": "Europe/Lisbon",
        "check_in_time": "15:00",
        "check_out_time": "11:00",
        "aliases": "",
        "active": "on",
    }
    response = admin_client.post(reverse("admin:bookings_property_add"), data)
    assert response.status_code == 200
    assert "The code BEACH is already used by Beach House" in response.content.decode()
    assert Property.all_objects.count() == 1


def test_status_aliases_are_audited(admin_client):
    url = reverse("admin:bookings_statusalias_add")
    response = admin_client.post(url, {"source": "airbnb", "value": "Awaiting payment", "status": "booked"})
    assert response.status_code == 302
    alias = StatusAlias.objects.get()
    assert AuditEntry.objects.for_object(alias).get().source == "admin"


def test_import_history_and_conflicts_are_read_only(admin_client):
    for model in ("importbatch", "importrow", "bookingconflict"):
        assert admin_client.get(reverse(f"admin:bookings_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:bookings_{model}_add")).status_code == 403
