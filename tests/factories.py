"""Test data builders: properties, bookings, tasks, chains, projects, tags and templates, with sensible defaults.

Plain keyword functions: every default is a value a reader can see here, and a test that asserts on a value
passes it explicitly. Users and their roles come from the fixtures in conftest.py (`make_user`).
"""

import datetime
import itertools

from bookings.models import Booking, BookingStatus, Property
from wbs.models import (
    DependencyType,
    Project,
    Tag,
    Task,
    TaskDependency,
    TaskStatus,
    TaskTemplate,
    TaskType,
    TemplateTrigger,
    WbsItem,
)

# A fixed week for planning tests (board, Gantt, scheduling), whose dates the assertions spell out.
MONDAY = datetime.date(2026, 11, 2)
# Dates relative to today for turnover tests: notifications skip work whose day has passed, and CI runs on any day.
SOON = datetime.date.today() + datetime.timedelta(days=10)

_numbers = itertools.count(1)


def make_property(name: str = "Beach House", *, code: str | None = None, **fields) -> Property:
    """A live property, saved directly (no audit entry); the code is generated unless given (codes are unique
    among live properties). Time zone and check-in/out times are the model's defaults: Lisbon, 15:00, 11:00."""
    return Property.objects.create(name=name, code=code or f"AUTO{next(_numbers)}", **fields)


def make_loft(**fields) -> Property:
    """The property the rows of tests/import_files.py name: code LOFT, listed as "Sunny Loft by the Beach"."""
    return make_property("Sunny Loft", **{"code": "LOFT", "aliases": ["Sunny Loft by the Beach"], **fields})


def make_booking(prop: Property, check_in: datetime.date, nights: int = 3, **fields) -> Booking:
    """A confirmed stay of `nights` nights, saved directly (no service, no audit entry, no signal)."""
    number = next(_numbers)
    defaults = {
        "guest_name": f"Guest {number}",
        "external_code": f"HM{number:05d}",
        "adults": 2,
        "status": BookingStatus.CONFIRMED,
    }
    return Booking.objects.create(
        property=prop, check_in=check_in, check_out=check_in + datetime.timedelta(days=nights), **{**defaults, **fields}
    )


def make_task(title: str = "Task", **fields) -> Task:
    """A bare task row (no checklist, audit entry or notification): for the board, the Gantt and scheduling."""
    return Task.objects.create(title=title, **fields)


def make_cleaning_task(
    *, assignee, property: Property | None = None, title: str = "Clean Beach House", **fields
) -> Task:
    """A cleaning task made as a manager makes one (`task_create`): a two-step checklist, audit, assignment."""
    from wbs.services.tasks import task_create

    return task_create(
        title=title,
        property=property or make_property(),
        assignee=assignee,
        type=fields.pop("type", TaskType.CLEANING),
        due_date=fields.pop("due_date", datetime.date.today()),
        start_date=fields.pop("start_date", datetime.date.today()),
        checklist=fields.pop(
            "checklist", ["Change the bed linen", {"text": "Photo of the kitchen", "requires_photo": True}]
        ),
        **fields,
    )


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
    """A project with a Kitchen item (1) and its Plumbing child (1.1)."""
    project = Project.objects.create(name=name)
    kitchen = WbsItem.objects.create(project=project, position=1, code="1", sort_key="0001", title="Kitchen")
    plumbing = WbsItem.objects.create(
        project=project, parent=kitchen, position=1, code="1.1", sort_key="0001.0001", title="Plumbing"
    )
    return project, kitchen, plumbing


def make_tag(name: str = "kitchen", color: str = "#0ea5e9") -> Tag:
    return Tag.objects.create(name=name, color=color)


def make_template(title: str = "Clean {property} after {guest}", **fields) -> TaskTemplate:
    """An active cleaning template run after check-out, two checklist steps; `properties=[…]` limits it."""
    defaults = {
        "type": TaskType.CLEANING,
        "trigger": TemplateTrigger.AFTER_CHECK_OUT,
        "duration_minutes": 120,
        "checklist": [
            {"text": "Change the bed linen", "requires_photo": False},
            {"text": "Photo of the kitchen", "requires_photo": True},
        ],
    }
    properties = fields.pop("properties", [])
    template = TaskTemplate.objects.create(title_pattern=title, **{**defaults, **fields})
    if properties:
        template.properties.set(properties)
    return template
