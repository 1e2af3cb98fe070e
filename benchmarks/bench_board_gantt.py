"""Server time and queries of /board/ and /gantt/ at 100 and 10,000 tasks, rescheduling a chain, and a board drag.

Usage:
  .venv/bin/python benchmarks/bench_board_gantt.py [--tasks 10000] [--repeat 5]        # throwaway SQLite files
  .venv/bin/python benchmarks/bench_board_gantt.py --postgres postgres://postgres@127.0.0.1:5432/stayops_planning_bench
  .venv/bin/python benchmarks/bench_board_gantt.py --pages-only --repeat 21            # only /board/ and /gantt/
The PostgreSQL database named in the URL, and one beside it named with a suffix _plan<N> for the big plan,
are dropped and created again: never point them at real data.
Times are medians of --repeat requests through Django's test client (no network); the two plans live in two
databases and take turns, request by request, each timed request after an untimed one.
On PostgreSQL each plan is analysed after loading (as autovacuum would), so the planner sees its real size.
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

START = datetime.date(2026, 1, 5)  # a Monday


def clear_work() -> None:
    from wbs.models import Project, Task, TaskDependency, WbsItem

    TaskDependency.objects.all().delete()
    Task.all_objects.all().delete()
    WbsItem.all_objects.all().delete()
    Project.all_objects.all().delete()


def build_plan(task_count: int, *, days: int) -> None:
    """`task_count` tasks in 10 projects of 10 WBS items (a fifth at properties instead), two links per task.

    Dates spread over `days`, so a small plan fills the Gantt's window as a big one does.
    """
    from bookings.models import Property
    from wbs.models import Project, Tag, Task, TaskDependency, TaskStatus, WbsItem

    projects = Project.objects.bulk_create(Project(name=f"Project {number:02d}") for number in range(10))
    items = WbsItem.objects.bulk_create(
        WbsItem(project=project, position=index, code=str(index), sort_key=f"{index:04d}", title=f"Phase {index}")
        for project in projects
        for index in range(1, 11)
    )
    properties = list(Property.objects.all()) or Property.objects.bulk_create(
        Property(name=f"House {number}", code=f"H{number}") for number in range(20)
    )
    tags = list(Tag.objects.all()) or Tag.objects.bulk_create(Tag(name=f"tag{number}") for number in range(8))
    statuses = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.DONE, TaskStatus.TODO]
    tasks = []
    for number in range(task_count):
        start = START + datetime.timedelta(days=(number * days) // task_count)
        at_property = number % 5 == 4
        tasks.append(
            Task(
                title=f"Task {number}",
                status=statuses[number % len(statuses)],
                position=number * 1024.0,
                wbs_item=None if at_property else items[number % len(items)],
                property=properties[number % len(properties)] if at_property else None,
                start_date=start,
                due_date=start + datetime.timedelta(days=number % 3),
                progress=(number * 7) % 100,
            )
        )
    tasks = Task.objects.bulk_create(tasks, batch_size=2000)
    Task.tags.through.objects.bulk_create(
        [
            Task.tags.through(task_id=task.pk, tag_id=tags[index % len(tags)].pk)
            for index, task in enumerate(tasks)
            if index % 3 == 0
        ],
        batch_size=2000,
    )
    # Two forward links per task: to the next and the one after (a DAG, as dependency_add guarantees).
    links = [
        TaskDependency(predecessor=tasks[index], successor=tasks[index + step])
        for index in range(len(tasks))
        for step in (1, 2)
        if index + step < len(tasks)
    ]
    TaskDependency.objects.bulk_create(links, batch_size=2000)


PAGES = {"/board/": "/board/", "/gantt/": f"/gantt/?start={START + datetime.timedelta(days=7)}&zoom=week"}


def use_database(name: str) -> None:
    """Point the default connection at another of the benchmark's databases (it reconnects on the next query)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def measure_pages(plans: dict, repeat: int) -> dict:
    """Median time, queries and size of each page on each plan: {size: {page: (ms, queries, bytes)}}.

    `plans` maps a plan's size to its database and a signed-in client. The sizes take turns request by
    request, each request after an untimed one on the same database (reconnected, critical path cached), so a
    change in the machine's load during the run falls on both sizes alike and not on one of them.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations = {(size, page): [] for size in plans for page in PAGES}
    last = {}
    for _ in range(repeat):
        for size, (database, client) in plans.items():
            for page, url in PAGES.items():
                use_database(database)
                client.get(url)
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    durations[size, page].append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
                last[size, page] = (len(queries), len(response.content))
    return {
        size: {page: (statistics.median(durations[size, page]) * 1000, *last[size, page]) for page in PAGES}
        for size in plans
    }


def measure_reschedule(length: int) -> tuple[float, float, int]:
    from django.core.cache import cache

    from wbs.models import Task, TaskDependency
    from wbs.scheduling import WorkCalendar
    from wbs.services.schedule import schedule_apply, schedule_preview

    clear_work()
    cache.clear()
    calendar = WorkCalendar([0, 1, 2, 3, 4])
    first = calendar.index(START)
    chain = Task.objects.bulk_create(
        [
            Task(title=f"Step {n}", start_date=calendar.date(first + n), due_date=calendar.date(first + n))
            for n in range(length)
        ],
        batch_size=2000,
    )
    TaskDependency.objects.bulk_create(
        [TaskDependency(predecessor=a, successor=b) for a, b in zip(chain, chain[1:], strict=False)], batch_size=2000
    )
    head = Task.objects.get(pk=chain[0].pk)
    new_day = calendar.date(first + 1)
    started = time.perf_counter()
    moves = schedule_preview(task=head, start_date=new_day, due_date=new_day)
    preview = time.perf_counter() - started
    started = time.perf_counter()
    schedule_apply(task=head, start_date=new_day, due_date=new_day, expected=[move.task_id for move in moves])
    apply = time.perf_counter() - started
    return preview * 1000, apply * 1000, len(moves)


def measure_drag(client, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wbs.models import Task

    todo = list(Task.objects.filter(status="todo").order_by("position")[: repeat + 1])
    doing = list(Task.objects.filter(status="in_progress").order_by("position")[:2])
    durations, counts = [], []
    for card in todo[:repeat]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(
                "/board/move/",
                {"task": card.pk, "status": "in_progress", "before": doing[0].pk, "after": doing[1].pk},
                headers={"HX-Request": "true"},
            )
            durations.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        counts.append(len(queries))
    return statistics.median(durations) * 1000, max(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--pages-only", action="store_true", help="only the two pages: no drag, no reschedules")
    args = parser.parse_args()
    configure(args.postgres)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    # One database per plan, so that the two sizes can be measured in turns.
    plans = {}
    for size, days in ((100, 42), (args.tasks, 365)):
        database = extra_database(f"plan{size}") if plans else connection.settings_dict["NAME"]
        use_database(database)
        call_command("migrate", verbosity=0)
        manager = get_user_model().objects.create_user("bench-manager", password="x")
        manager.groups.add(Group.objects.get(name="manager"))
        client = Client()
        client.force_login(manager)
        build_plan(size, days=days)
        analyze()
        plans[size] = (database, client)
    print(f"database: {connection.vendor}; repeat: {args.repeat}")

    results = measure_pages(plans, args.repeat)
    small, big = results[100], results[args.tasks]
    print(f"\n{'page':<10}{'tasks':>8}{'deps':>8}{'ms':>10}{'queries':>9}{'KB':>8}")
    for size in (100, args.tasks):
        for page, (ms, queries, size_bytes) in results[size].items():
            print(f"{page:<10}{size:>8}{2 * size - 3:>8}{ms:>10.1f}{queries:>9}{size_bytes / 1024:>8.0f}")
    for page in ("/board/", "/gantt/"):
        ratio = big[page][0] / small[page][0]
        same = "equal" if big[page][1] == small[page][1] else "DIFFERENT"
        print(f"{page:<10} time at {args.tasks} / time at 100 = {ratio:.2f}x; query counts {same}")

    if args.pages_only:
        return
    database, client = plans[args.tasks]
    use_database(database)
    drag_ms, drag_queries = measure_drag(client, args.repeat)
    print(f"\nboard drag (POST /board/move/ at {args.tasks} tasks): {drag_ms:.1f} ms, {drag_queries} queries")

    print(f"\n{'chain':>8}{'moved':>8}{'preview ms':>12}{'apply ms':>10}")
    chains = {}
    for length in (args.tasks // 10, args.tasks):
        preview_ms, apply_ms, moved = measure_reschedule(length)
        chains[length] = preview_ms + apply_ms
        print(f"{length:>8}{moved:>8}{preview_ms:>12.1f}{apply_ms:>10.1f}")
    print(
        f"reschedule time at {args.tasks} / at {args.tasks // 10} = "
        f"{chains[args.tasks] / chains[args.tasks // 10]:.1f}x"
    )


if __name__ == "__main__":
    main()
