"""What wbs answers bookings through bookings.hooks: which bookings have started work, the booking's task panel."""

import pytest
from django.test import RequestFactory

from bookings.hooks import booking_panels, bookings_with_started_work
from tests.factories import SOON, make_booking, make_property, make_template
from wbs.models import Task, TaskStatus
from wbs.services.turnovers import turnovers_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced_bookings():
    make_template()
    bookings = [make_booking(make_property(), SOON), make_booking(make_property("Town Flat"), SOON)]
    turnovers_sync(booking_ids=[booking.pk for booking in bookings])
    return bookings


def test_it_names_the_bookings_whose_tasks_started_or_are_done(synced_bookings):
    started, untouched = synced_bookings
    Task.objects.filter(booking=started).update(status=TaskStatus.DONE)

    assert bookings_with_started_work([started.pk, untouched.pk]) == {started.pk}


def test_it_shows_a_bookings_tasks_on_its_page(synced_bookings, manager):
    booking = synced_bookings[0]
    request = RequestFactory().get("/")
    request.user = manager

    (panel,) = booking_panels(request, booking)

    assert "Turnover tasks" in panel
    assert f"Clean Beach House after {booking.guest_name}" in panel
    assert "Unassigned" in panel


def test_a_cleaner_sees_only_their_own_tasks_in_the_panel(synced_bookings, cleaner):
    request = RequestFactory().get("/")
    request.user = cleaner

    (panel,) = booking_panels(request, synced_bookings[0])

    assert "No turnover tasks" in panel
