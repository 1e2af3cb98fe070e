"""Booking write services: validation, overlaps, edited-by-hand, audit entries, the bookings_changed signal."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from bookings.models import Booking, BookingConflict, BookingStatus, ConflictKind, ConflictState
from bookings.services.bookings import (
    OverlapRefused,
    booking_cancel,
    booking_create,
    booking_delete,
    booking_restore,
    booking_update,
)
from bookings.services.properties import property_archive, property_create
from bookings.signals import bookings_changed
from core.audit_context import audit_context
from core.errors import InvalidInput
from core.models import AuditAction, AuditEntry, AuditSource

pytestmark = pytest.mark.django_db

DAY = datetime.date(2030, 6, 1)


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def stay(manager, beach):
    return booking_create(
        user=manager, property=beach, guest_name="Ann Smith", check_in=days(0), check_out=days(3),
        source="airbnb", external_code="HMAAA111",
    )  # fmt: skip


@pytest.fixture
def announcements():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    bookings_changed.connect(receiver)
    yield received
    bookings_changed.disconnect(receiver)


def entries(obj, action=None):
    found = AuditEntry.objects.for_object(obj)
    return found.filter(action=action) if action else found


def test_it_creates_a_booking_marked_as_edited_by_hand_with_an_audit_entry(manager, beach, announcements):
    with audit_context(actor=manager, source=AuditSource.WEB):
        booking = booking_create(user=manager, property=beach, guest_name="Ann", check_in=days(0), check_out=days(2))
    assert booking.edited_by_hand is True
    entry = entries(booking, AuditAction.CREATE).get()
    assert entry.actor == manager
    assert entry.source == "web"
    assert entry.changes["guest_name"] == [None, "Ann"]
    assert entry.changes["check_in"] == [None, "2030-06-01"]
    assert announcements == [{"signal": bookings_changed, "booking_ids": [booking.pk], "source": "web",
                              "changes": {booking.pk: {}}}]  # fmt: skip


def test_it_refuses_a_check_out_before_check_in_and_writes_nothing(manager, beach, announcements):
    with pytest.raises(ValidationError) as error:
        booking_create(user=manager, property=beach, guest_name="Ann", check_in=days(3), check_out=days(1))
    assert error.value.message_dict == {"check_out": ["Check-out must be after check-in."]}
    assert Booking.all_objects.count() == 0
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_repr__startswith="Ann").count() == 0
    assert announcements == []


def test_it_refuses_a_booking_without_guest_name(manager, beach):
    with pytest.raises(ValidationError) as error:
        booking_create(user=manager, property=beach, guest_name="", check_in=days(0), check_out=days(1))
    assert "guest_name" in error.value.message_dict
    assert Booking.all_objects.count() == 0


def test_it_refuses_a_code_already_used_by_a_live_booking_of_the_same_source(manager, beach, stay):
    with pytest.raises(ValidationError) as error:
        booking_create(
            user=manager, property=beach, guest_name="Bob", check_in=days(10), check_out=days(12),
            source="airbnb", external_code="hmaaa111",
        )  # fmt: skip
    assert "already used by Ann Smith" in error.value.message_dict["external_code"][0]
    assert Booking.objects.count() == 1


def test_the_same_code_on_another_source_is_fine(manager, beach, stay):
    other = booking_create(
        user=manager, property=beach, guest_name="Bob", check_in=days(10), check_out=days(12),
        source="bookingcom", external_code="HMAAA111",
    )  # fmt: skip
    assert other.pk


def test_it_refuses_an_overlap_naming_the_other_booking(manager, beach, stay, announcements):
    with pytest.raises(OverlapRefused) as refusal:
        booking_create(user=manager, property=beach, guest_name="Bob", check_in=days(2), check_out=days(5))
    assert "Ann Smith (HMAAA111, 2030-06-01 to 2030-06-04)" in refusal.value.message
    assert refusal.value.status == 409
    assert refusal.value.overlapping == [stay]
    assert Booking.objects.count() == 1
    assert BookingConflict.objects.count() == 0
    assert announcements == []


def test_a_confirmed_overlap_is_saved_and_recorded_as_an_open_conflict(manager, beach, stay):
    booking = booking_create(
        user=manager, property=beach, guest_name="Bob", check_in=days(2), check_out=days(5), confirm_overlap=True
    )
    conflict = BookingConflict.objects.get()
    assert (conflict.kind, conflict.state) == (ConflictKind.OVERLAP, ConflictState.OPEN)
    assert (conflict.booking, conflict.other_booking) == (booking, stay)


def test_check_out_and_check_in_on_the_same_day_is_not_an_overlap(manager, beach, stay):
    booking_create(user=manager, property=beach, guest_name="Bob", check_in=days(3), check_out=days(5))
    assert Booking.objects.count() == 2
    assert BookingConflict.objects.count() == 0


def test_cancelled_deleted_and_other_property_bookings_do_not_overlap(manager, beach, stay):
    booking_cancel(booking=stay, user=manager)
    cancelled_clash = booking_create(user=manager, property=beach, guest_name="B", check_in=days(1), check_out=days(2))
    booking_delete(booking=cancelled_clash, user=manager)
    booking_create(user=manager, property=beach, guest_name="C", check_in=days(1), check_out=days(2))
    other = property_create(user=manager, name="Loft", code="LOFT")
    booking_create(user=manager, property=other, guest_name="D", check_in=days(1), check_out=days(2))
    assert BookingConflict.objects.count() == 0


def test_update_returns_the_diff_marks_edited_by_hand_and_audits(manager, beach, announcements):
    booking = booking_create(
        user=manager, property=beach, guest_name="Ann", check_in=days(0), check_out=days(2), edited_by_hand=False
    )
    announcements.clear()
    changes = booking_update(booking=booking, user=manager, guest_name="Ann Lee", check_out=days(4))
    assert changes == {
        "guest_name": ["Ann", "Ann Lee"],
        "check_out": ["2030-06-03", "2030-06-05"],
        "edited_by_hand": [False, True],
    }
    booking.refresh_from_db()
    assert booking.edited_by_hand is True
    assert entries(booking, AuditAction.UPDATE).get().changes == changes
    assert announcements[0]["booking_ids"] == [booking.pk]
    assert announcements[0]["changes"] == {booking.pk: changes}


def test_update_without_changes_writes_nothing(manager, stay, announcements):
    announcements.clear()
    assert booking_update(booking=stay, user=manager, guest_name="Ann Smith") == {}
    assert entries(stay, AuditAction.UPDATE).count() == 0
    assert announcements == []


def test_an_import_may_update_without_marking_edited_by_hand(manager, stay):
    changes = booking_update(booking=stay, user=manager, guest_name="Ann S.", edited_by_hand=False)
    assert changes["edited_by_hand"] == [True, False]


def test_update_into_an_overlap_is_refused_and_leaves_the_row_unchanged(manager, beach, stay):
    later = booking_create(user=manager, property=beach, guest_name="Bob", check_in=days(5), check_out=days(7))
    with pytest.raises(OverlapRefused):
        booking_update(booking=later, user=manager, check_in=days(2))
    later.refresh_from_db()
    assert later.check_in == days(5)
    assert entries(later, AuditAction.UPDATE).count() == 0


def test_update_into_an_overlap_with_confirmation_records_the_conflict_once(manager, beach, stay):
    later = booking_create(user=manager, property=beach, guest_name="Bob", check_in=days(5), check_out=days(7))
    booking_update(booking=later, user=manager, confirm_overlap=True, check_in=days(2))
    booking_update(booking=later, user=manager, confirm_overlap=True, notes="Late arrival")
    assert BookingConflict.objects.filter(booking=later, other_booking=stay).count() == 1


def test_update_refuses_unknown_fields(manager, stay):
    with pytest.raises(ValueError, match="deleted_at"):
        booking_update(booking=stay, user=manager, deleted_at=None)


def test_cancel_keeps_the_booking_and_the_reason(manager, stay, announcements):
    announcements.clear()
    changes = booking_cancel(booking=stay, user=manager, reason="Guest called")
    stay.refresh_from_db()
    assert stay.status == BookingStatus.CANCELLED
    assert changes["status"] == ["confirmed", "cancelled"]
    entry = entries(stay, AuditAction.CANCEL).get()
    assert entry.message == "Guest called"
    assert announcements[0]["booking_ids"] == [stay.pk]
    assert booking_cancel(booking=stay, user=manager) == {}
    assert entries(stay, AuditAction.CANCEL).count() == 1


def test_delete_is_soft_audited_and_announced(manager, stay, announcements):
    announcements.clear()
    booking_delete(booking=stay, user=manager)
    assert not Booking.objects.filter(pk=stay.pk).exists()
    deleted = Booking.all_objects.get(pk=stay.pk)
    assert deleted.deleted_by == manager
    assert entries(stay, AuditAction.DELETE).count() == 1
    assert announcements[0]["booking_ids"] == [stay.pk]
    assert "deleted_at" in announcements[0]["changes"][stay.pk]


def test_restore_brings_the_booking_back(manager, stay, announcements):
    booking_delete(booking=stay, user=manager)
    announcements.clear()
    booking_restore(booking=Booking.all_objects.get(pk=stay.pk), user=manager)
    assert Booking.objects.filter(pk=stay.pk).exists()
    assert entries(stay, AuditAction.RESTORE).count() == 1
    assert announcements[0]["booking_ids"] == [stay.pk]


def test_the_code_of_a_deleted_booking_can_be_reused_and_then_restore_is_refused(manager, beach, stay):
    booking_delete(booking=stay, user=manager)
    booking_create(
        user=manager, property=beach, guest_name="New guest", check_in=days(20), check_out=days(22),
        source="airbnb", external_code="HMAAA111",
    )  # fmt: skip
    deleted = Booking.all_objects.get(pk=stay.pk)
    with pytest.raises(InvalidInput, match="now belongs to New guest"):
        booking_restore(booking=deleted, user=manager)
    assert Booking.all_objects.get(pk=stay.pk).is_deleted
    assert entries(stay, AuditAction.RESTORE).count() == 0


def test_restore_is_refused_while_the_property_is_archived(manager, beach):
    past = booking_create(
        user=manager, property=beach, guest_name="Old", check_in=datetime.date(2020, 1, 1),
        check_out=datetime.date(2020, 1, 3),
    )  # fmt: skip
    booking_delete(booking=past, user=manager)
    property_archive(property=beach, user=manager)
    with pytest.raises(InvalidInput, match="archived"):
        booking_restore(booking=Booking.all_objects.get(pk=past.pk), user=manager)


def test_a_booking_cannot_be_created_on_an_archived_property(manager, beach):
    property_archive(property=beach, user=manager)
    with pytest.raises(ValidationError) as error:
        booking_create(user=manager, property=beach, guest_name="Ann", check_in=days(0), check_out=days(1))
    assert "archived" in error.value.message_dict["property"][0]
