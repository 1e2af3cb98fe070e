"""Server time and queries of the cleaners' /my/ as the cleaner's history grows: 50 and 20,000 of their tasks.

Usage:
  .venv/bin/python benchmarks/bench_field_history.py [--tasks 20000] [--repeat 11]        # throwaway SQLite files
  .venv/bin/python benchmarks/bench_field_history.py --postgres postgres://postgres@127.0.0.1:5432/stayops_field_bench
The PostgreSQL database named in the URL, and one beside it with the suffix _history<N>, are dropped and
created again: never point them at real data.

Each database holds five properties booked back to back (a stay every four days from the cleaner's first task
to two months ahead) and one cleaner whose tasks are spread one a day per property back in time, each with four
checklist items; all but the last week's are done. The cleaner's week is the same in both: the history behind
it is what grows. Times are medians of --repeat requests through Django's test client, the two databases taking
turns request by request (each timed request after an untimed one), so a change of load falls on both alike.
Exits 1 when the big history's time is over --budget times the small one's, or their query counts differ.
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.django_setup import analyze, configure, extra_database  # noqa: E402 - needs the project on sys.path

PROPERTIES = 5
STAY_DAYS = 4
CHECKLIST_ITEMS = 4
OPEN_DAYS = 7  # the cleaner's last week and coming week stay open: what /my/ lists
AHEAD_DAYS = 60
BATCH = 2000


def build_history(cleaner, task_count: int, today: datetime.date) -> None:
    from bookings.models import Booking, Property
    from wbs.models import ChecklistItem, Task, TaskStatus, TaskType

    properties = Property.objects.bulk_create(
        Property(name=f"House {number}", code=f"H{number}") for number in range(PROPERTIES)
    )
    days_back = task_count // PROPERTIES + 1
    first = today - datetime.timedelta(days=days_back)
    stays = (days_back + AHEAD_DAYS) // STAY_DAYS
    Booking.objects.bulk_create(
        (
            Booking(
                property=prop,
                external_code=f"B-{prop.pk}-{number}",
                guest_name=f"Guest {number}",
                adults=2,
                check_in=first + datetime.timedelta(days=number * STAY_DAYS),
                check_out=first + datetime.timedelta(days=(number + 1) * STAY_DAYS),
            )
            for prop in properties
            for number in range(stays)
        ),
        batch_size=BATCH,
    )
    tasks = Task.objects.bulk_create(
        (
            Task(
                title=f"Clean {number}",
                type=TaskType.CLEANING,
                assignee=cleaner,
                property=properties[number % PROPERTIES],
                due_date=due,
                start_date=due,
                status=TaskStatus.DONE if due < today - datetime.timedelta(days=OPEN_DAYS) else TaskStatus.TODO,
            )
            for number in range(task_count)
            for due in [today + datetime.timedelta(days=OPEN_DAYS - number // PROPERTIES)]
        ),
        batch_size=BATCH,
    )
    ChecklistItem.objects.bulk_create(
        (
            ChecklistItem(task=task, text=f"Step {index}", position=index, done=task.status == TaskStatus.DONE)
            for task in tasks
            for index in range(CHECKLIST_ITEMS)
        ),
        batch_size=BATCH,
    )


def use_database(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--budget", type=float, default=1.5, help="the largest acceptable ratio (issue 14: 1.5)")
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument(
        "--no-analyze", action="store_true", help="leave PostgreSQL without statistics, as right after a bulk load"
    )
    args = parser.parse_args()
    configure(args.postgres)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    today = timezone.localdate()
    histories = {}
    for size in (args.small, args.tasks):
        database = extra_database(f"history{size}") if histories else connection.settings_dict["NAME"]
        use_database(database)
        call_command("migrate", verbosity=0)
        cleaner = get_user_model().objects.create_user("bench-cleaner", password="x")
        cleaner.groups.add(Group.objects.get(name="cleaner"))
        build_history(cleaner, size, today)
        if not args.no_analyze:
            analyze()
        client = Client()
        client.force_login(cleaner)
        histories[size] = (database, client)
    print(f"database: {connection.vendor}; repeat: {args.repeat}")

    durations: dict[int, list[float]] = {size: [] for size in histories}
    last = {}
    for _ in range(args.repeat):
        for size, (database, client) in histories.items():
            use_database(database)
            client.get("/my/")
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/my/")
                durations[size].append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            last[size] = (len(queries), len(response.content))

    print(f"\n{'page':<8}{'tasks':>8}{'ms':>10}{'queries':>9}{'KB':>8}")
    for size in histories:
        queries, size_bytes = last[size]
        ms = statistics.median(durations[size]) * 1000
        print(f"{'/my/':<8}{size:>8}{ms:>10.1f}{queries:>9}{size_bytes / 1024:>8.0f}")
    ratio = statistics.median(durations[args.tasks]) / statistics.median(durations[args.small])
    same = last[args.tasks][0] == last[args.small][0]
    print(
        f"/my/ time at {args.tasks} / time at {args.small} of the cleaner's tasks = {ratio:.2f}x "
        f"(budget {args.budget}x); query counts {'equal' if same else 'DIFFERENT'}"
    )
    return 0 if ratio <= args.budget and same else 1


if __name__ == "__main__":
    sys.exit(main())
