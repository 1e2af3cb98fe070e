"""Demo projects for `seed_demo`: two WBS trees with about 60 tasks, dependencies, a critical path and tags."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from bookings.models import Property
from core import audit
from core.models import AuditAction
from wbs.models import (
    DependencyType,
    Priority,
    Project,
    RollupMethod,
    Tag,
    Task,
    TaskDependency,
    TaskStatus,
    TaskType,
    WbsItem,
)
from wbs.services.projects import project_create
from wbs.services.tasks import TASK_AUDIT_FIELDS
from wbs.services.wbs_tree import wbs_renumber

TAGS = {
    "plumbing": "#0ea5e9",
    "electrical": "#f59e0b",
    "finishing": "#8b5cf6",
    "outdoor": "#16a34a",
    "safety": "#dc2626",
    "supplier": "#64748b",
}


@dataclass
class DemoTask:
    """One task of a demo project: `after` names its predecessors as (key, type, lag in working days)."""

    key: str
    title: str
    item: str
    start: int  # working days from the project's first day
    days: int
    after: list[tuple[str, str, int]] = field(default_factory=list)
    assignee: str = "manager"
    tags: tuple[str, ...] = ()
    type: str = TaskType.PROJECT_WORK
    priority: int = Priority.NORMAL
    milestone: bool = False


FS, SS, FF = DependencyType.FS, DependencyType.SS, DependencyType.FF

# The critical path runs strip-out → plumbing → electrics → plaster → tile floor → grout → seal → units →
# final clean → handover; the painting and the bathroom run beside it with slack.
BEACH_HOUSE_ITEMS = [
    ("K", None, "Kitchen"),
    ("K1", "K", "Strip-out"),
    ("K2", "K", "Plumbing and electrics"),
    ("K3", "K", "Tiling"),
    ("K4", "K", "Units and appliances"),
    ("B", None, "Bathroom"),
    ("B1", "B", "Plumbing"),
    ("B2", "B", "Tiling and fittings"),
    ("L", None, "Living room"),
    ("L1", "L", "Walls"),
    ("L2", "L", "Floor"),
    ("H", None, "Handover"),
]
BEACH_HOUSE_TASKS = [
    DemoTask("strip", "Strip out old kitchen", "K1", 0, 2, assignee="cleaner2", priority=Priority.HIGH),
    DemoTask("skip", "Order a skip for rubble", "K1", 0, 1, tags=("supplier",)),
    DemoTask("walls", "Check walls for damp", "K1", 2, 1, [("strip", FS, 0)], tags=("safety",)),
    DemoTask("pipes", "Move water pipes", "K2", 2, 2, [("strip", FS, 0)], tags=("plumbing",), priority=Priority.HIGH),
    DemoTask("drain", "New waste drain", "K2", 3, 1, [("pipes", SS, 1)], tags=("plumbing",)),
    DemoTask("sockets", "Rewire sockets", "K2", 4, 2, [("pipes", FS, 0)], tags=("electrical",)),
    DemoTask("cert", "Electrical certificate", "K2", 6, 1, [("sockets", FS, 0)], tags=("electrical", "safety")),
    DemoTask("plaster", "Plaster kitchen walls", "K2", 6, 2, [("sockets", FS, 0), ("walls", FS, 0)]),
    DemoTask("tiles", "Order floor tiles", "K3", 1, 1, tags=("supplier",)),
    DemoTask("floor", "Tile floor", "K3", 8, 2, [("plaster", FS, 0), ("tiles", FS, 3)], "cleaner2", ("finishing",)),
    DemoTask("grout", "Grout", "K3", 10, 1, [("floor", FS, 1)], "cleaner2", ("finishing",)),
    DemoTask("seal", "Seal", "K3", 11, 1, [("grout", FS, 1)], "cleaner2", ("finishing",)),
    DemoTask("splash", "Tile splashback", "K3", 10, 1, [("floor", SS, 1)], "cleaner2", ("finishing",)),
    DemoTask("units", "Fit kitchen units", "K4", 12, 2, [("seal", FS, 0)], priority=Priority.HIGH),
    DemoTask("worktop", "Fit worktop", "K4", 14, 1, [("units", FS, 0)]),
    DemoTask("sink", "Connect sink and dishwasher", "K4", 15, 1, [("worktop", FS, 0)], tags=("plumbing",)),
    DemoTask("oven", "Install oven and hob", "K4", 15, 1, [("worktop", FS, 0)], tags=("electrical",)),
    DemoTask("bath_out", "Remove old bath", "B1", 3, 1, [("strip", SS, 1)], "cleaner2"),
    DemoTask("shower", "Plumb walk-in shower", "B1", 4, 2, [("bath_out", FS, 0)], tags=("plumbing",)),
    DemoTask("fan", "Fit extractor fan", "B1", 6, 1, [("shower", SS, 1)], tags=("electrical",)),
    DemoTask("b_tiles", "Tile bathroom walls", "B2", 7, 2, [("shower", FS, 0)], "cleaner2", ("finishing",)),
    DemoTask("b_fit", "Fit basin, toilet and mirror", "B2", 9, 1, [("b_tiles", FS, 0)], tags=("plumbing",)),
    DemoTask("b_silicone", "Silicone and snagging", "B2", 10, 1, [("b_fit", FS, 0)], "cleaner2"),
    DemoTask("prep", "Fill and sand walls", "L1", 5, 2, assignee="cleaner1"),
    DemoTask("paint", "Paint walls and ceiling", "L1", 7, 3, [("prep", FS, 0)], "cleaner1", ("finishing",)),
    DemoTask("skirting", "Paint skirting boards", "L1", 9, 1, [("paint", FF, 0)], "cleaner1", ("finishing",)),
    DemoTask("sanding", "Sand wooden floor", "L2", 10, 2, [("paint", FS, 0)], "cleaner2"),
    DemoTask("varnish", "Varnish floor", "L2", 12, 2, [("sanding", FS, 0)], "cleaner2", ("finishing",)),
    DemoTask("lights", "Fit new light fittings", "L1", 10, 1, [("paint", FS, 0)], tags=("electrical",)),
    DemoTask("curtains", "Hang curtains", "L1", 11, 1, [("lights", FS, 0)], "cleaner1"),
    DemoTask("handles", "Replace door handles", "L1", 8, 1, [("prep", SS, 1)], type=TaskType.MAINTENANCE),
    DemoTask("rug", "Order a new rug", "L2", 6, 1, tags=("supplier",)),
    DemoTask(
        "clean", "Final deep clean", "H", 16, 1, [("sink", FS, 0), ("oven", FS, 0), ("varnish", FS, 0)], "cleaner1"
    ),
    DemoTask("photos", "New listing photos", "H", 17, 1, [("clean", FS, 0)], type=TaskType.OTHER),
    DemoTask(
        "handover",
        "Handover inspection",
        "H",
        17,
        0,
        [("clean", FS, 0), ("b_silicone", FS, 0), ("cert", FS, 0), ("curtains", FS, 0)],
        type=TaskType.INSPECTION,
        milestone=True,
        priority=Priority.URGENT,
    ),
]

WINTER_ITEMS = [
    ("E", None, "Exterior"),
    ("E1", "E", "Roof and gutters"),
    ("E2", "E", "Garden and terrace"),
    ("HT", None, "Heating"),
    ("HT1", "HT", "Boiler"),
    ("HT2", "HT", "Fireplace"),
    ("P", None, "Pool"),
    ("S", None, "Safety"),
]
WINTER_TASKS = [
    DemoTask("gutters", "Clear gutters", "E1", 0, 1, assignee="cleaner1", tags=("outdoor",)),
    DemoTask("roof", "Inspect roof tiles", "E1", 1, 1, [("gutters", FS, 0)], type=TaskType.INSPECTION),
    DemoTask("roof_fix", "Replace broken tiles", "E1", 2, 2, [("roof", FS, 0)], type=TaskType.MAINTENANCE),
    DemoTask("furniture", "Store terrace furniture", "E2", 0, 1, assignee="cleaner2", tags=("outdoor",)),
    DemoTask("hedges", "Cut back hedges", "E2", 1, 2, [("furniture", SS, 0)], "cleaner2", ("outdoor",)),
    DemoTask("taps", "Lag outside taps", "E2", 3, 1, [("hedges", FS, 0)], "cleaner2", ("outdoor", "plumbing")),
    DemoTask("boiler", "Boiler service", "HT1", 2, 1, type=TaskType.MAINTENANCE, tags=("plumbing",)),
    DemoTask("radiators", "Bleed radiators", "HT1", 3, 1, [("boiler", FS, 0)], "cleaner1", ("plumbing",)),
    DemoTask("thermostat", "Set frost thermostat", "HT1", 4, 1, [("radiators", FS, 0)], tags=("electrical",)),
    DemoTask("sweep", "Sweep chimney", "HT2", 1, 1, type=TaskType.MAINTENANCE, tags=("safety",)),
    DemoTask("logs", "Order firewood", "HT2", 2, 1, [("sweep", SS, 1)], tags=("supplier",)),
    DemoTask("guard", "Check fireguard", "HT2", 2, 1, [("sweep", FS, 0)], type=TaskType.INSPECTION),
    DemoTask("pool_chem", "Winterise pool water", "P", 0, 1, assignee="cleaner1", tags=("outdoor",)),
    DemoTask("pool_pump", "Drain pump and filter", "P", 1, 1, [("pool_chem", FS, 0)], tags=("plumbing",)),
    DemoTask("pool_cover", "Fit pool cover", "P", 2, 1, [("pool_pump", FS, 0)], "cleaner1", ("outdoor",)),
    DemoTask("smoke", "Test smoke alarms", "S", 3, 1, type=TaskType.INSPECTION, tags=("safety",)),
    DemoTask("co", "Test CO alarm near boiler", "S", 4, 1, [("boiler", FS, 1)], tags=("safety",)),
    DemoTask("extinguisher", "Check fire extinguisher", "S", 4, 1, [("smoke", SS, 1)], tags=("safety",)),
    DemoTask("kit", "Restock first-aid kit", "S", 5, 1, type=TaskType.RESTOCK, assignee="cleaner2"),
    DemoTask("windows", "Check window seals", "E1", 3, 1, [("roof", SS, 0)], type=TaskType.INSPECTION),
    DemoTask("drains", "Clear terrace drains", "E2", 2, 1, [("furniture", FS, 0)], "cleaner1", ("outdoor",)),
    DemoTask("garage", "Service garage door", "E2", 4, 1, type=TaskType.MAINTENANCE),
    DemoTask("heating_on", "Heating test run", "HT1", 5, 1, [("thermostat", FS, 0), ("co", FS, 0)]),
    DemoTask("photos", "Photo report for owner", "S", 6, 1, [("heating_on", FS, 0), ("pool_cover", FS, 0)]),
    DemoTask(
        "ready",
        "House ready for winter",
        "S",
        7,
        0,
        [
            ("photos", FS, 0),
            ("roof_fix", FS, 0),
            ("taps", FS, 0),
            ("guard", FS, 0),
            ("extinguisher", FS, 0),
            ("windows", FS, 0),
            ("drains", FS, 0),
        ],
        type=TaskType.INSPECTION,
        milestone=True,
        priority=Priority.HIGH,
    ),
]

PROJECTS = [
    (
        "Renovate Beach House",
        "Kitchen and bathroom renovation before the summer season; the living room gets a refresh.",
        "beach",
        RollupMethod.DURATION,
        -8,
        BEACH_HOUSE_ITEMS,
        BEACH_HOUSE_TASKS,
    ),
    (
        "Winter maintenance",
        "Close the outdoor areas and check heating and safety before the winter lets.",
        "villa",
        RollupMethod.COUNT,
        -3,
        WINTER_ITEMS,
        WINTER_TASKS,
    ),
]


def seed_projects(*, users: dict, scale: int, stdout) -> None:
    """Two projects; with scale N every project's task list (and its dependencies) is repeated N times.

    Rows are written in bulk with their audit entries: at scale 170 this is 10,000 tasks.
    """
    today = timezone.localdate()
    tags = _seed_tags()
    for name, description, property_hint, method, offset, item_specs, task_specs in PROJECTS:
        # The bookings demo has a beach house and a villa with a pool; without it, projects have no property.
        demo_property = Property.objects.filter(name__icontains=property_hint).first() or Property.objects.first()
        if Project.objects.filter(name=name).exists():
            stdout.write(f"Project “{name}” exists already; left as it is.")
            continue
        with transaction.atomic():
            project = project_create(
                name=name, description=description, property=demo_property, rollup_method=method, user=users["manager"]
            )
            first_day = _add_working_days(today, offset)
            tasks, links = 0, 0
            for copy in range(1, scale + 1):
                suffix = "" if copy == 1 else f" (phase {copy})"
                items = _seed_items(project, item_specs, suffix)
                created, linked = _seed_tasks(
                    task_specs, items, users, tags, demo_property, first_day, today, suffix=suffix
                )
                tasks += created
                links += linked
                first_day = _add_working_days(first_day, 5)
            wbs_renumber(project=project)
        stdout.write(f"Project “{name}”: {tasks} tasks, {links} dependencies.")


def _seed_tags() -> dict[str, Tag]:
    tags = {}
    for name, color in TAGS.items():
        tag, created = Tag.objects.get_or_create(name=name, defaults={"color": color})
        if created:
            audit.record_created(tag, ["name", "color"])
        tags[name] = tag
    return tags


def _seed_items(project: Project, specs, suffix: str) -> dict[str, WbsItem]:
    items: dict[str, WbsItem] = {}
    base = WbsItem.objects.filter(project=project).count()
    for position, (key, parent_key, title) in enumerate(specs, start=base + 1):
        item = WbsItem.objects.create(
            project=project,
            parent=items.get(parent_key),
            title=f"{title}{suffix}" if parent_key is None else title,
            position=position,
        )
        items[key] = item
    audit.record_many(
        [audit.build_entry(item, AuditAction.CREATE, {"title": [None, item.title]}) for item in items.values()]
    )
    return items


def _seed_tasks(specs, items, users, tags, demo_property, first_day, today, *, suffix: str) -> tuple[int, int]:
    rows = []
    for spec in specs:
        start = _add_working_days(first_day, spec.start)
        due = _add_working_days(start, max(spec.days - 1, 0))
        status, progress = _status_for(start, due, today)
        rows.append(
            Task(
                title=f"{spec.title}{suffix}",
                wbs_item=items[spec.item],
                property=demo_property,
                type=spec.type,
                status=status,
                priority=spec.priority,
                assignee=users[spec.assignee],
                start_date=start,
                due_date=due,
                estimate_hours=max(spec.days, 1) * 6,
                progress=progress,
                is_milestone=spec.milestone,
                position=float(len(rows) + 1),
                created_by=users["manager"],
                started_at=timezone.now() if status != TaskStatus.TODO else None,
                completed_at=timezone.now() if status == TaskStatus.DONE else None,
            )
        )
    tasks = Task.objects.bulk_create(rows)
    by_key = {spec.key: task for spec, task in zip(specs, tasks, strict=True)}
    # Predecessors always come earlier in the lists above, so these edges cannot close a loop.
    links = [
        TaskDependency(predecessor=by_key[key], successor=by_key[spec.key], type=kind, lag_days=lag)
        for spec in specs
        for key, kind, lag in spec.after
    ]
    TaskDependency.objects.bulk_create(links)
    Task.tags.through.objects.bulk_create(
        [Task.tags.through(task_id=by_key[spec.key].pk, tag_id=tags[name].pk) for spec in specs for name in spec.tags]
    )
    audit.record_many(
        [
            audit.build_entry(task, AuditAction.CREATE, audit.diff({}, audit.snapshot(task, TASK_AUDIT_FIELDS)))
            for task in tasks
        ]
    )
    return len(tasks), len(links)


def _status_for(start: datetime.date, due: datetime.date, today: datetime.date) -> tuple[str, int]:
    """Work before today is done, work spanning today is under way, later work waits."""
    if due < today:
        return TaskStatus.DONE, 100
    if start <= today:
        return TaskStatus.IN_PROGRESS, 50
    return TaskStatus.TODO, 0


def _add_working_days(day: datetime.date, count: int) -> datetime.date:
    """Monday to Friday; a negative count goes back. Holidays are the scheduler's concern, not the demo's."""
    step = 1 if count >= 0 else -1
    while day.weekday() >= 5:
        day += datetime.timedelta(days=step)
    remaining = abs(count)
    while remaining:
        day += datetime.timedelta(days=step)
        if day.weekday() < 5:
            remaining -= 1
    return day
