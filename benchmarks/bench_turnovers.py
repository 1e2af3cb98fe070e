"""Time of `sync_turnovers` over N bookings (default 10,000) with two templates: first run, then the idempotent rerun.

Usage:
  .venv/bin/python benchmarks/bench_turnovers.py [--bookings 10000]              # a throwaway SQLite file
  .venv/bin/python benchmarks/bench_turnovers.py --postgres postgres://postgres@127.0.0.1:5432/stayops_bench
The PostgreSQL database named in the URL is dropped and created again: never point it at real data.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.django_setup import configure  # noqa: E402 - needs the project on sys.path


def build_data(booking_count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from bookings.models import Booking, BookingStatus, Property
    from wbs.models import TaskTemplate, TaskType, TemplateTrigger

    cleaner = get_user_model().objects.create_user("bench-cleaner", password="x")
    cleaner.groups.add(Group.objects.get(name="cleaner"))
    properties = Property.objects.bulk_create(
        Property(name=f"Bench {number}", code=f"B{number}", address=f"Street {number}") for number in range(100)
    )
    # Back-to-back three-night stays per property, so a third of the checkouts are same-day turnovers.
    start = datetime.date(2026, 1, 1)
    bookings = []
    for number in range(booking_count):
        prop = properties[number % len(properties)]
        slot = number // len(properties)
        check_in = start + datetime.timedelta(days=slot * 3 + (1 if slot % 3 else 0))
        bookings.append(
            Booking(
                property=prop,
                guest_name=f"Guest {number}",
                external_code=f"BENCH{number:06d}",
                check_in=check_in,
                check_out=check_in + datetime.timedelta(days=3),
                status=BookingStatus.CONFIRMED,
            )
        )
    Booking.objects.bulk_create(bookings, batch_size=1000)
    checklist = [{"text": "Beds"}, {"text": "Bathroom"}, {"text": "Photo of the living room", "requires_photo": True}]
    TaskTemplate.objects.create(
        title_pattern="Clean {property} after {guest}",
        type=TaskType.CLEANING,
        default_assignee=cleaner,
        checklist=checklist,
    )
    TaskTemplate.objects.create(
        title_pattern="Inspect {property} before {guest}",
        type=TaskType.INSPECTION,
        trigger=TemplateTrigger.BEFORE_CHECK_IN,
        offset_hours=1,
        duration_minutes=30,
        checklist=checklist[:1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--postgres", help="URL of a throwaway PostgreSQL database (dropped and recreated)")
    arguments = parser.parse_args()
    configure(arguments.postgres)

    from django.core.management import call_command
    from django.db import connection

    from wbs.models import ChecklistItem, Task
    from wbs.services.turnovers import turnovers_sync_all

    call_command("migrate", verbosity=0)
    build_data(arguments.bookings)
    print(f"database: {connection.vendor}; bookings: {arguments.bookings}; templates: 2")
    for label in ("first run", "second run (idempotent)"):
        started = time.perf_counter()
        result = turnovers_sync_all()
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.2f} s  {result.summary()}")
    print(f"tasks: {Task.objects.count()}  checklist items: {ChecklistItem.objects.count()}")


if __name__ == "__main__":
    main()
