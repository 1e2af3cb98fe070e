"""Demo bookings for `seed_demo`: properties with aliases, a spread around today, a turnover and an overlap."""

import io

import pytest
from django.utils import timezone

from bookings import demo
from bookings.models import Booking, BookingConflict, BookingStatus, Property
from bookings.services.bookings import overlapping_bookings
from core.audit_context import audit_context
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def seed(scale: int = 1) -> str:
    out = io.StringIO()
    with audit_context(source="cli"):
        demo.seed(users={}, scale=scale, stdout=out)
    return out.getvalue()


def test_it_seeds_properties_with_aliases_and_a_realistic_spread():
    message = seed()
    assert Property.objects.count() == 5
    assert all(prop.aliases for prop in Property.objects.all())
    today = timezone.localdate()
    bookings = list(Booking.objects.all())
    assert len(bookings) > 50
    assert {b.source for b in bookings} >= {"airbnb", "bookingcom", "direct", "vrbo"}
    assert {b.status for b in bookings} >= {"confirmed", "completed", "cancelled", "currently_hosting"}
    assert any(b.check_out < today for b in bookings) and any(b.check_in > today for b in bookings)
    assert f"{len(bookings)} bookings" in message
    assert AuditEntry.objects.filter(source="cli", action="create").count() == len(bookings) + 5


def test_it_has_a_same_day_turnover_and_a_recorded_overlap():
    seed()
    live = Booking.objects.not_cancelled()
    check_outs = set(live.values_list("property_id", "check_out"))
    assert any((b.property_id, b.check_in) in check_outs for b in live)
    conflict = BookingConflict.objects.get()
    assert (conflict.kind, conflict.state) == ("overlap", "open")
    assert conflict.other_booking in overlapping_bookings(conflict.booking)
    assert conflict.booking.status != BookingStatus.CANCELLED


def test_scale_multiplies_and_a_second_run_changes_nothing():
    seed(scale=3)
    assert Property.objects.count() == 15
    count = Booking.objects.count()
    assert "exist already" in seed()
    assert Booking.objects.count() == count
