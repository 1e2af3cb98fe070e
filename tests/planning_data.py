"""Test data for the board, the Gantt, scheduling and the export: tasks, chains and projects, built in bulk."""

import datetime
import itertools

from bookings.models import Booking, Property
from wbs.models import DependencyType, Project, Tag, Task, TaskDependency, TaskStatus, WbsItem

MONDAY = datetime.date(2026, 11, 2)
_codes = itertools.count(1)


def make_property(name: str = "Beach House", code: str | None = None) -> Property:
    return Property.objects.create(name=name, code=code or f"P{next(_codes)}")


def make_task(title: str = "Task", **fields) -> Task:
    return Task.objects.create(title=title, **fields)


def make_tasks(count: int, *, statuses=None, **fields) -> list[Task]:
    """`count` tasks spread over the statuses, positions 1024 apart, in one bulk insert."""
    statuses = statuses or [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.DONE]
    tasks = [
        Task(title=f"Task {number}", status=statuses[number % len(statuses)], position=number * 1024.0, **fields)
        for number in range(count)
    ]
    return Task.objects.bulk_create(tasks, batch_size=2000)


def link(predecessor: Task, successor: Task, type: str = DependencyType.FS, lag: int = 0) -> TaskDependency:
    return TaskDependency.objects.create(predecessor=predecessor, successor=successor, type=type, lag_days=lag)


def make_chain(count: int, *, start: datetime.date = MONDAY, **fields) -> list[Task]:
    """`count` one-day tasks linked finish-to-start, back to back on working days, inserted in bulk."""
    from wbs.scheduling import WorkCalendar

    calendar = WorkCalendar([0, 1, 2, 3, 4])
    first = calendar.index(start)
    tasks = Task.objects.bulk_create(
        [
            Task(
                title=f"Step {number}",
                start_date=calendar.date(first + number),
                due_date=calendar.date(first + number),
                **fields,
            )
            for number in range(count)
        ],
        batch_size=2000,
    )
    TaskDependency.objects.bulk_create(
        [TaskDependency(predecessor=before, successor=after) for before, after in itertools.pairwise(tasks)],
        batch_size=2000,
    )
    return tasks


def make_project(name: str = "Renovate Beach House") -> tuple[Project, WbsItem, WbsItem]:
    project = Project.objects.create(name=name)
    kitchen = WbsItem.objects.create(project=project, position=1, code="1", sort_key="0001", title="Kitchen")
    plumbing = WbsItem.objects.create(
        project=project, parent=kitchen, position=1, code="1.1", sort_key="0001.0001", title="Plumbing"
    )
    return project, kitchen, plumbing


def make_tag(name: str = "kitchen", color: str = "#0ea5e9") -> Tag:
    return Tag.objects.create(name=name, color=color)


def make_booking(prop: Property, check_in: datetime.date, nights: int = 3, guest: str = "Ana Lima") -> Booking:
    return Booking.objects.create(
        property=prop, guest_name=guest, check_in=check_in, check_out=check_in + datetime.timedelta(days=nights)
    )
