"""Reads behind the project pages: trees with rolled-up progress, in a fixed number of queries.

The tree never reads its tasks row by row: each item's own tasks arrive summed by one GROUP BY query
(item_task_totals), so the page costs the same with 60 tasks or 60,000. An item's tasks are listed on demand
(item_task_page), a page at a time.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, FloatField, Func, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from wbs.models import Project, Task, TaskStatus, WbsItem
from wbs.rollups import Rollup, TaskTotals, rollup_tree


@dataclass
class TreeRow:
    item: WbsItem
    rollup: Rollup
    depth: int
    # Live tasks directly under the item (cancelled too): what expanding the row lists.
    own_tasks: int = 0
    is_first: bool = False
    is_last: bool = False


@dataclass
class ProjectTree:
    project: Project
    rows: list[TreeRow]
    rollup: Rollup
    task_count: int = 0

    @property
    def items(self) -> list[WbsItem]:
        return [row.item for row in self.rows]


@dataclass
class TaskPage:
    """One page of an item's tasks for the tree, and where the next one starts (None at the end)."""

    item: WbsItem
    tasks: list[Task]
    next_offset: int | None


class DaysBetween(Func):
    """Whole days from the second date to the first: `date - date` on PostgreSQL, julianday() on SQLite."""

    output_field = FloatField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(", **extra_context
        )


def item_task_totals(project_ids: list[int]) -> dict[int, TaskTotals]:
    """Each live item's own tasks summed, one row per item (GROUP BY wbs_item): what rollup_tree needs.

    The same sums as wbs.rollups.totals_from_tasks, computed by the database: a task's days run from start
    to due, both counted (1 without both dates); its share done is 1 when done, else its progress (0 to 100 %).
    """
    live = ~Q(status=TaskStatus.CANCELLED)
    days = Case(
        When(
            start_date__isnull=False,
            due_date__gte=F("start_date"),
            then=Cast(DaysBetween(F("due_date"), F("start_date")), FloatField()) + Value(1.0),
        ),
        default=Value(1.0),
        output_field=FloatField(),
    )
    fraction = Case(
        When(status=TaskStatus.DONE, then=Value(1.0)),
        When(progress__gte=100, then=Value(1.0)),
        default=Cast(F("progress"), FloatField()) / Value(100.0),
        output_field=FloatField(),
    )
    started_early = Q(live, progress__gt=0)
    rows = (
        Task.objects.filter(wbs_item__project_id__in=project_ids, wbs_item__deleted_at__isnull=True)
        .order_by()
        .values("wbs_item_id")
        .annotate(
            listed=Count("id"),
            count=Count("id", filter=live),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            started=Count("id", filter=Q(status__in=[TaskStatus.IN_PROGRESS, TaskStatus.DONE]) | started_early),
            late=Count("id", filter=Q(live, due_date__lt=timezone.localdate()) & ~Q(status=TaskStatus.DONE)),
            blocked=Count("id", filter=Q(status=TaskStatus.BLOCKED)),
            days_total=Sum(days, filter=live),
            days_done=Sum(days * fraction, filter=live, output_field=FloatField()),
            fraction_done=Sum(fraction, filter=live),
            first_start=Min("start_date", filter=live),
            first_due=Min("due_date", filter=live),
            last_start=Max("start_date", filter=live),
            last_due=Max("due_date", filter=live),
        )
    )
    totals = {}
    for row in rows:
        firsts = [day for day in (row["first_start"], row["first_due"]) if day]
        lasts = [day for day in (row["last_start"], row["last_due"]) if day]
        totals[row["wbs_item_id"]] = TaskTotals(
            listed=row["listed"],
            count=row["count"],
            done=row["done"],
            started=row["started"],
            late=row["late"],
            blocked=row["blocked"],
            days_total=row["days_total"] or 0.0,
            days_done=row["days_done"] or 0.0,
            fraction_done=row["fraction_done"] or 0.0,
            first=min(firsts, default=None),
            last=max(lasts, default=None),
        )
    return totals


def project_tree(project: Project) -> ProjectTree:
    """The project's items in tree order with their rollups: two queries, whatever the number of tasks."""
    items = list(WbsItem.objects.filter(project=project).in_tree_order())
    totals = item_task_totals([project.pk])
    rollups, project_rollup = rollup_tree(method=project.rollup_method, items=items, totals=totals)
    last_child: dict[int | None, int] = {}
    for item in items:
        last_child[item.parent_id] = item.pk
    rows = []
    seen_parents: set[int | None] = set()
    for item in items:
        rows.append(
            TreeRow(
                item=item,
                rollup=rollups[item.pk],
                depth=item.code.count(".") + 1,
                own_tasks=totals[item.pk].listed if item.pk in totals else 0,
                is_first=item.parent_id not in seen_parents,
                is_last=last_child[item.parent_id] == item.pk,
            )
        )
        seen_parents.add(item.parent_id)
    return ProjectTree(project=project, rows=rows, rollup=project_rollup, task_count=project_rollup.task_count)


def item_task_page(item: WbsItem, *, offset: int, size: int) -> TaskPage:
    """`size` of the item's tasks from `offset`, in date order with their assignees: one query (one more row
    than shown tells whether a next page exists, without counting)."""
    tasks = list(item_tasks(item)[offset : offset + size + 1])
    next_offset = offset + size if len(tasks) > size else None
    return TaskPage(item=item, tasks=tasks[:size], next_offset=next_offset)


def item_tasks(item: WbsItem) -> QuerySet[Task]:
    """The live tasks directly under one item, with their assignees, in date order: one query."""
    return item.tasks.select_related("assignee").order_by("start_date", "id")


def project_rollups(projects: list[Project]) -> dict[int, Rollup]:
    """Each project's overall rollup, for the list page: two queries for all the projects together."""
    project_ids = [project.pk for project in projects]
    items_by_project: dict[int, list[WbsItem]] = {pk: [] for pk in project_ids}
    for item in WbsItem.objects.filter(project_id__in=project_ids).in_tree_order():
        items_by_project[item.project_id].append(item)
    totals = item_task_totals(project_ids)
    return {
        project.pk: rollup_tree(method=project.rollup_method, items=items_by_project[project.pk], totals=totals)[1]
        for project in projects
    }
