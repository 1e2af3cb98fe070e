"""A sweep's quick check against the full planning: the same bookings out of step, over a varied dataset."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from tests.factories import make_booking, make_property, make_template
from wbs.models import Priority, Task, TaskStatus, TaskTemplate, TemplateTrigger
from wbs.services import turnovers
from wbs.services.turnovers import AUTO_CANCEL_PREFIX, turnovers_sync_all

pytestmark = pytest.mark.django_db
# Stays across both daylight-saving changes of 2031: New York's on 9 March, Lisbon's on 30 March.
FIRST_DAY = datetime.date(2031, 3, 1)
NIGHTS = [4, 2, 8, 3, 1, 5, 2, 7]
C, BOOKED, DONE = BookingStatus.CONFIRMED, BookingStatus.BOOKED, BookingStatus.COMPLETED
STATUSES = [C, BOOKED, DONE, C, BOOKED, DONE, C, BookingStatus.OWNER_STAYING]
# The full planning, as the module has it (the `unsure` fixture replaces it with a spy).
PLANNED_OUT_OF_STEP = turnovers._planned_out_of_step


def stays(prop, count: int = 20) -> list[Booking]:
    """Stays one after the other, every third one a day after the previous check-out (the others the same day)."""
    bookings, day = [], FIRST_DAY
    for n in range(count):
        nights = NIGHTS[n % len(NIGHTS)]
        bookings.append(make_booking(prop, day, nights=nights, status=STATUSES[n % len(STATUSES)], adults=1 + n % 3))
        day += datetime.timedelta(days=nights + (1 if n % 3 == 2 else 0))
    return bookings


def out_of_step(ids: list[int]) -> list[int]:
    return turnovers._bookings_out_of_step(ids)


def planned_out_of_step(ids: list[int]) -> list[int]:
    """What the planning of a locked chunk would change, booking by booking, without the quick check."""
    return sorted(PLANNED_OUT_OF_STEP(ids, *turnovers._sweep_inputs()))


@pytest.fixture
def unsure(monkeypatch) -> list[int]:
    """The bookings the quick check leaves to the full planning; checked in ranges of 7 ids."""
    monkeypatch.setattr(turnovers, "TURNOVER_CHECK_RANGE", 7)
    left: list[int] = []

    def spy(ids, *args):
        left.extend(ids)
        return PLANNED_OUT_OF_STEP(ids, *args)

    monkeypatch.setattr(turnovers, "_planned_out_of_step", spy)
    return left


def task(booking: Booking, template: TaskTemplate):
    return Task.objects.filter(booking=booking, template=template)


def test_the_quick_check_finds_what_the_planning_finds(beach, unsure, settings):
    settings.TURNOVER_SYNC_CHUNK_SIZE = 3
    york = make_property("York Loft", time_zone="America/New_York", check_in_time=datetime.time(16))
    twin = make_property("Twin House", check_out_time=datetime.time(10, 30))
    # Two more with the beach's clock and stays: the quick check shares its work between them.
    annex, dune = make_property("Beach Annex"), make_property("Dune House")
    clean = make_template("Clean {property} after {guest}")
    make_template("Inspect {property} before {guest} ({guests})", trigger=TemplateTrigger.BEFORE_CHECK_IN,
                  offset_hours=1, properties=[beach, york])  # fmt: skip
    make_template("Welcome {guest} on {check_in}", trigger=TemplateTrigger.ON_CHECK_IN, duration_minutes=20)
    visit = make_template(
        "Visit {property}", trigger=TemplateTrigger.EVERY_N_NIGHTS, every_n_nights=3, priority=Priority.LOW
    )
    make_template("Check {guest} ({nights} nights)", booking_statuses=[BookingStatus.CONFIRMED], offset_hours=2)
    retired = make_template("Old round at {property}", properties=[york])
    beach_stays, york_stays, twin_stays, annex_stays = stays(beach), stays(york), stays(twin), stays(annex)
    everyone = [*beach_stays, *york_stays, *twin_stays, *annex_stays, *stays(dune)]
    turnovers_sync_all()
    TaskTemplate.objects.filter(pk=retired.pk).update(active=False)
    ids = sorted(booking.pk for booking in everyone)
    assert out_of_step(ids) == planned_out_of_step(ids) == []
    assert unsure == []

    # Changed behind the sync's back (no announcement), at the beach:
    b = beach_stays
    Booking.objects.filter(pk=b[1].pk).update(check_out=b[1].check_out + datetime.timedelta(days=1))
    Booking.objects.filter(pk=b[2].pk).update(status=BookingStatus.CANCELLED)  # its successor's flag clears too
    Booking.objects.filter(pk=b[4].pk).update(deleted_at=timezone.now())
    Booking.objects.filter(pk=b[6].pk).update(guest_name="Rui  Lopes\n")
    make_booking(beach, b[8].check_out, nights=1)  # a same-day turnover where there was a free day
    make_booking(twin, twin_stays[5].check_out, nights=1, status=BookingStatus.BLOCKED)  # a block is no arrival
    Booking.objects.filter(pk=b[9].pk).update(status=BookingStatus.OWNER_STAYING)
    Booking.objects.filter(pk=b[16].pk).update(check_in=b[16].check_in + datetime.timedelta(days=1))
    Booking.objects.filter(pk=b[7].pk).update(status=BookingStatus.CONFIRMED)  # was the owner's stay
    # and to the tasks:
    started = task(b[13], clean)
    started.update(status=TaskStatus.IN_PROGRESS, started_at=timezone.now())
    Booking.objects.filter(pk=b[13].pk).update(check_out=b[13].check_out + datetime.timedelta(days=1))
    Task.objects.filter(booking=b[14]).update(status=TaskStatus.DONE)
    Booking.objects.filter(pk=b[14].pk).update(guest_name="Renamed after the clean")
    task(b[0], clean).update(priority=Priority.LOW)  # a manager's choice stands
    task(b[3], clean).update(due_at=timezone.now())
    task(b[5], clean).update(estimate_hours=Decimal("2.5"))
    task(b[10], clean).update(status=TaskStatus.CANCELLED, cancel_reason="Not needed")  # cancelled by hand stays
    task(b[11], clean).update(status=TaskStatus.CANCELLED, cancel_reason=f"{AUTO_CANCEL_PREFIX}booking gone")
    task(b[12], clean).update(deleted_at=timezone.now())
    # elsewhere:
    task(york_stays[3], clean).update(estimate_hours=None, start_date=None)
    TaskTemplate.objects.filter(pk=retired.pk).update(duration_minutes=90)  # the tasks of an inactive one move too
    Task.objects.filter(template=visit, booking__property=twin).update(title="Visit, renamed")
    TaskTemplate.objects.get(title_pattern__startswith="Inspect").properties.set([beach])  # York's tasks stay
    # Where the beach's twins differ from it: no longer a same-day turnover, a long stay's visits, the clock.
    a = annex_stays
    Booking.objects.filter(pk=a[19].pk).update(status=BookingStatus.CANCELLED)
    Task.objects.filter(booking=a[10]).exclude(template=visit).update(status=TaskStatus.CANCELLED)
    Booking.objects.filter(pk=a[10].pk).update(check_out=a[10].check_out - datetime.timedelta(days=2))
    dune.check_out_time = datetime.time(10)
    dune.save()

    everyone = list(Booking.all_objects.order_by("pk"))
    ids = [booking.pk for booking in everyone]
    changed = out_of_step(ids)
    assert changed == planned_out_of_step(ids)
    assert {b[n].pk for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16)} <= set(changed)
    assert not {b[n].pk for n in (0, 10, 14, 15)} & set(changed)
    assert {a[10].pk, a[18].pk, a[19].pk} <= set(changed)

    # Once synced, the quick check vouches for every booking but the few the planning must look at: a started
    # task the booking moved away from (its conflict stays), one whose title no longer matches, one whose
    # priority a manager changed.
    turnovers_sync_all()
    unsure.clear()
    assert out_of_step(ids) == planned_out_of_step(ids) == [b[13].pk]
    assert sorted(unsure) == sorted([b[0].pk, b[13].pk, b[14].pk])
