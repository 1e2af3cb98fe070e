"""Exactly once under load: eight threads, each with its own PostgreSQL connection, sync the same bookings."""

import datetime
import threading

import pytest
from django.db import connections
from django.db.models import Count

from tests.factories import SOON, make_booking, make_property, make_template
from wbs.models import ChecklistItem, Task
from wbs.services.turnovers import turnovers_sync

WORKERS = 8


def run_at_once(work, count: int = WORKERS) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:  # noqa: BLE001 - collected and asserted on by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_syncs_of_the_same_bookings_leave_one_task_per_booking_and_template():
    make_template()
    make_template("Inspect {property} before {guest}", trigger="before_check_in")
    prop = make_property()
    booking_ids = [make_booking(prop, SOON + datetime.timedelta(days=3 * n)).pk for n in range(20)]

    errors = run_at_once(lambda: turnovers_sync(booking_ids=booking_ids))

    assert errors == []
    assert Task.objects.count() == 40
    assert not Task.objects.values("booking", "template").annotate(n=Count("id")).filter(n__gt=1).exists()
    # Each task got its two checklist items once: a sync that lost the race must not add a second copy.
    assert ChecklistItem.objects.count() == 20 * 2 + 20 * 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_syncs_in_different_orders_neither_deadlock_nor_duplicate():
    make_template()
    prop = make_property()
    booking_ids = [make_booking(prop, SOON + datetime.timedelta(days=3 * n)).pk for n in range(12)]
    halves = [booking_ids[:8], booking_ids[4:], list(reversed(booking_ids))]
    turn = iter(halves * 3)
    lock = threading.Lock()

    def work() -> None:
        with lock:
            ids = next(turn)
        turnovers_sync(booking_ids=ids)

    errors = run_at_once(work)

    assert errors == []
    assert Task.objects.count() == 12


def test_the_database_refuses_a_second_live_task_for_a_booking_and_template(db):
    from django.db import IntegrityError, transaction

    template = make_template()
    booking = make_booking(make_property(), SOON)
    turnovers_sync(booking_ids=[booking.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(title="Duplicate", booking=booking, template=template, property=booking.property)


def test_a_lost_race_insert_is_skipped_quietly_by_the_partial_unique_index(db):
    """What the sync relies on when a writer slips past the booking lock: ON CONFLICT DO NOTHING honours
    the partial unique index on SQLite and on PostgreSQL alike."""
    template = make_template()
    booking = make_booking(make_property(), SOON)
    turnovers_sync(booking_ids=[booking.pk])
    duplicate = Task(title="Duplicate", booking=booking, template=template, property=booking.property)

    Task.objects.bulk_create([duplicate], ignore_conflicts=True)

    assert Task.objects.filter(booking=booking, template=template).count() == 1


def test_the_sync_insert_skips_a_lost_race_and_returns_only_its_own_tasks_with_ids(db):
    """core.bulk.insert_skipping_conflicts, as the sync calls it: COPY + ON CONFLICT on PostgreSQL,
    bulk_create + read-back on SQLite; the row that lost is left out, the others come back with their ids."""
    from core.bulk import insert_skipping_conflicts

    template = make_template()
    prop = make_property()
    taken = make_booking(prop, SOON)
    free = make_booking(prop, SOON + datetime.timedelta(days=5))
    turnovers_sync(booking_ids=[taken.pk])
    attempts = [
        Task(title=f"Attempt {booking.pk}", booking=booking, template=template, property=prop)
        for booking in (taken, free)
    ]

    inserted = insert_skipping_conflicts(Task, attempts, key=("booking_id", "template_id"))

    assert [task.booking_id for task in inserted] == [free.pk]
    assert inserted[0].pk == Task.objects.get(booking=free).pk and not inserted[0]._state.adding
    assert Task.objects.filter(booking=taken).exclude(title__startswith="Attempt").count() == 1
