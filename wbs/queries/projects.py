"""Reads behind the project pages: trees with rolled-up progress, in a fixed number of queries.

The tree page never reads its tasks row by row, nor every item: it shows a page of top-level items (and the
items the manager opened), each with figures summed over its whole subtree by one GROUP BY over tasks and one
over items (tree_page), so it costs about the same with 12 items and 60 tasks or 360 items and 2,000 tasks.
(The weighted rollup is a mean of means and reads one light row per item instead; still no task rows.)
Sub-items (tree_page with a parent) and an item's tasks (item_task_page) are listed on demand, a page at a time.
project_tree reads the whole tree at once: the reference the paged reads are tested against.
"""

import re
from collections import Counter
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Case, Count, F, FloatField, Func, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from wbs.models import Project, RollupMethod, Task, TaskStatus, WbsItem
from wbs.rollups import Rollup, TaskTotals, rollup_tree, subtree_rollup

# Sort keys are zero-padded codes joined by "." ("0002.0013"); "/" sorts right after ".", before every digit, so
# the keys of an item and everything under it run from its own key up to (not including) key + "/".
PAST_SUBTREE = "/"
# Items the tree opens from the URL (?open=…) at most: each costs a page of rows and its three queries.
MAX_OPEN_ITEMS = 20
# An item's code as typed or picked: "1", "1.2.3".
CODE_PATTERN = re.compile(r"^\d+(\.\d+)*$")
# Between a project's name and an item's code where items of several projects are offered ("Renovation › 1.2").
PROJECT_SEPARATOR = " › "
SEPARATOR_BEFORE_CODE = re.compile(r"\s*›\s*(?=\d+(\.\d+)*\.?(\s|$))")


@dataclass
class TreeRow:
    kind: ClassVar[str] = "row"
    item: WbsItem
    rollup: Rollup
    depth: int
    # Live tasks directly under the item (cancelled too): what expanding the row lists.
    own_tasks: int = 0
    is_first: bool = False
    is_last: bool = False
    # Live sub-items directly under the item, and whether this page shows them (the manager opened it).
    child_count: int = 0
    expanded: bool = False


@dataclass
class MoreRows:
    """The "Show more" control after a page of rows: the next page of `parent`'s children (None: top level)."""

    kind: ClassVar[str] = "more"
    parent: WbsItem | None
    next_offset: int
    remaining: int
    depth: int


@dataclass
class ChildrenEnd:
    """Where an item's sub-items end: expanding the item inserts them before it."""

    kind: ClassVar[str] = "end"
    item: WbsItem


@dataclass
class RowPage:
    """Rows of a tree page in display order: rows, the "Show more" controls, and the ends of open items."""

    entries: list = field(default_factory=list)

    @property
    def rows(self) -> list[TreeRow]:
        return [entry for entry in self.entries if entry.kind == "row"]


@dataclass
class TreePage:
    """The tree page: the project's figures and the rows shown (top-level items, and the opened items' children)."""

    project: Project
    rollup: Rollup
    top_count: int
    item_count: int
    page: RowPage

    @property
    def task_count(self) -> int:
        return self.rollup.task_count


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


def _task_sums() -> dict:
    """The aggregates behind TaskTotals, for a GROUP BY over tasks (see item_task_totals)."""
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
    return {
        "listed": Count("id"),
        "count": Count("id", filter=live),
        "done": Count("id", filter=Q(status=TaskStatus.DONE)),
        "started": Count("id", filter=Q(status__in=[TaskStatus.IN_PROGRESS, TaskStatus.DONE]) | started_early),
        "late": Count("id", filter=Q(live, due_date__lt=timezone.localdate()) & ~Q(status=TaskStatus.DONE)),
        "blocked": Count("id", filter=Q(status=TaskStatus.BLOCKED)),
        "days_total": Sum(days, filter=live),
        "days_done": Sum(days * fraction, filter=live, output_field=FloatField()),
        "fraction_done": Sum(fraction, filter=live),
        "first_start": Min("start_date", filter=live),
        "first_due": Min("due_date", filter=live),
        "last_start": Max("start_date", filter=live),
        "last_due": Max("due_date", filter=live),
    }


def _totals(row: Mapping[str, Any]) -> TaskTotals:
    firsts = [day for day in (row["first_start"], row["first_due"]) if day]
    lasts = [day for day in (row["last_start"], row["last_due"]) if day]
    return TaskTotals(
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


def _live_tasks_of(project_ids: list[int]) -> QuerySet[Task]:
    return Task.objects.filter(wbs_item__project_id__in=project_ids, wbs_item__deleted_at__isnull=True).order_by()


def item_task_totals(project_ids: list[int]) -> dict[int, TaskTotals]:
    """Each live item's own tasks summed, one row per item (GROUP BY wbs_item): what rollup_tree needs.

    The same sums as wbs.rollups.totals_from_tasks, computed by the database: a task's days run from start
    to due, both counted (1 without both dates); its share done is 1 when done, else its progress (0 to 100 %).
    """
    rows = _live_tasks_of(project_ids).values("wbs_item_id").annotate(**_task_sums())
    return {row["wbs_item_id"]: _totals(row) for row in rows}


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


# --- The paged tree -----------------------------------------------------------------------------------------


def tree_page(
    project: Project,
    *,
    size: int,
    open_ids: Set[int] | None = None,
    path_ids: Set[int] = frozenset(),
    reach: dict[int | None, int] | None = None,
) -> TreePage:
    """The project's figures and its first `size` top-level items, with the items in `open_ids` expanded.

    Three queries, plus three for each open item shown. Without `open_ids` (the manager opened or closed
    nothing yet) a tree of at most `size` items opens in full, for two more queries. `path_ids` (the path to an
    item a link or a write points at) are opened too, and `reach` maps a parent's id (None: the top level) to
    the position of a child on that path, which lengthens that page so the child shows.
    """
    reach = reach or {}
    limit = max(size, reach.get(None, 0))
    top_items = list(WbsItem.objects.filter(project=project, parent=None).order_by("sort_key", "id")[:limit])
    # The top level's sums cover the whole project: the project's own figures come with them.
    figures, summary = _subtree_figures(project, top_items, whole_project=True)
    rollup, top_count, item_count = summary or (rollup_tree(method=project.rollup_method, items=[], totals={})[1], 0, 0)
    page = RowPage()
    if open_ids is None and 0 < item_count <= size:
        page.entries = _whole_tree(project)
    else:
        _add_rows(
            project,
            page,
            parent=None,
            total=top_count,
            size=size,
            open_ids=set(open_ids or ()) | set(path_ids),
            reach=reach,
            budget=[MAX_OPEN_ITEMS],
            loaded=(top_items, figures),
        )
    return TreePage(project=project, rollup=rollup, top_count=top_count, item_count=item_count, page=page)


def _whole_tree(project: Project) -> list:
    """Every item of a small project, open, with rollups from its tasks summed per item: two queries."""
    items = list(WbsItem.objects.filter(project=project).in_tree_order())
    totals = item_task_totals([project.pk])
    rollups, _ = rollup_tree(method=project.rollup_method, items=items, totals=totals)
    children: dict[int | None, list[WbsItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    entries: list = []

    def walk(parent_id: int | None, depth: int) -> None:
        siblings = children.get(parent_id, [])
        for index, item in enumerate(siblings):
            below = children.get(item.pk, [])
            row = TreeRow(
                item=item,
                rollup=rollups[item.pk],
                depth=depth,
                own_tasks=totals[item.pk].listed if item.pk in totals else 0,
                is_first=index == 0,
                is_last=index == len(siblings) - 1,
                child_count=len(below),
                expanded=bool(below),
            )
            entries.append(row)
            if below:
                walk(item.pk, depth + 1)
                entries.append(ChildrenEnd(item=item))

    walk(None, 1)
    return entries


def tree_rows(project: Project, *, parent: WbsItem | None, offset: int, size: int) -> RowPage:
    """`size` children of `parent` (the top level when None) from `offset`, each with its rollup: four queries."""
    siblings = WbsItem.objects.filter(project=project, parent=parent).count()
    page = RowPage()
    _add_rows(project, page, parent=parent, total=siblings, size=size, offset=offset)
    return page


def _add_rows(
    project: Project,
    page: RowPage,
    *,
    parent: WbsItem | None,
    total: int,
    size: int,
    offset: int = 0,
    open_ids: Set[int] = frozenset(),
    reach: dict[int | None, int] | None = None,
    budget: list[int] | None = None,
    loaded: tuple[list[WbsItem], dict] | None = None,
) -> None:
    """Append a page of `parent`'s children to `page`: with their open children, and a "Show more" if need be.

    `loaded` holds the page's items and figures when the caller read them already.
    """
    reach = reach or {}
    if loaded is None:
        limit = max(size, reach.get(parent.pk if parent else None, 0) - offset)
        items = list(
            WbsItem.objects.filter(project=project, parent=parent).order_by("sort_key", "id")[offset : offset + limit]
        )
        figures, _ = _subtree_figures(project, items)
    else:
        items, figures = loaded
    end = offset + len(items)
    depth = parent.code.count(".") + 2 if parent else 1
    for index, item in enumerate(items):
        rollup, own_tasks, child_count = figures[item.pk]
        row = TreeRow(
            item=item,
            rollup=rollup,
            depth=depth,
            own_tasks=own_tasks,
            is_first=offset + index == 0,
            is_last=offset + index == total - 1,
            child_count=child_count,
        )
        page.entries.append(row)
        if child_count and item.pk in open_ids and budget and budget[0] > 0:
            budget[0] -= 1
            row.expanded = True
            _add_rows(
                project, page, parent=item, total=child_count, size=size, open_ids=open_ids, reach=reach, budget=budget
            )
        if child_count:
            page.entries.append(ChildrenEnd(item=item))
    if end < total:
        page.entries.append(MoreRows(parent=parent, next_offset=end, remaining=total - end, depth=depth))


def _subtree_figures(
    project: Project, items: list[WbsItem], *, whole_project: bool = False
) -> tuple[dict[int, tuple[Rollup, int, int]], tuple[Rollup, int, int] | None]:
    """Each item's rollup over its whole subtree, its own task count and its child count: two GROUP BY queries.

    `items` are consecutive siblings in tree order, so their subtrees are one range of sort keys, grouped by the
    key's prefix of the siblings' length. With `whole_project` (top-level items) the groups cover every item, so
    they also give the project's rollup, its top-level items and its items (the second value; else None).
    The weighted rollup needs every level, so it reads the items in that range (light rows) and the tasks summed
    per item instead: still two queries, and never a task row.
    """
    if not items:
        return {}, None
    in_range = WbsItem.objects.filter(project=project).order_by()
    tasks_in_range = _live_tasks_of([project.pk])
    if not whole_project:
        low, high = items[0].sort_key, items[-1].sort_key + PAST_SUBTREE
        in_range = in_range.filter(sort_key__gte=low, sort_key__lt=high)
        tasks_in_range = tasks_in_range.filter(wbs_item__sort_key__gte=low, wbs_item__sort_key__lt=high)
    ids = [item.pk for item in items]
    method = project.rollup_method
    if method == RollupMethod.WEIGHT:
        subtree = list(_light_items(in_range))
        own_totals = {
            row["wbs_item_id"]: _totals(row) for row in tasks_in_range.values("wbs_item_id").annotate(**_task_sums())
        }
        rollups, project_rollup = rollup_tree(method=method, items=subtree, totals=own_totals)
        child_counts = Counter(item.parent_id for item in subtree)
        figures = {pk: (rollups[pk], own_totals[pk].listed if pk in own_totals else 0, child_counts[pk]) for pk in ids}
        return figures, (project_rollup, child_counts[None], len(subtree)) if whole_project else None
    key_length = len(items[0].sort_key)
    spans: dict[str, Mapping[str, Any]] = {
        row["key"]: row
        for row in in_range.values(key=Substr("sort_key", 1, key_length)).annotate(
            items=Count("id"),
            child_count=Count("id", filter=Q(parent_id__in=ids)),
            first=Min("planned_start"),
            last=Max("planned_end"),
        )
    }
    sums: dict[str, Mapping[str, Any]] = {
        row["key"]: row
        for row in tasks_in_range.values(key=Substr("wbs_item__sort_key", 1, key_length)).annotate(
            own=Count("id", filter=Q(wbs_item_id__in=ids)), **_task_sums()
        )
    }
    figures = {}
    for item in items:
        task_row = sums.get(item.sort_key)
        below = _totals(task_row) if task_row else TaskTotals()
        span = spans.get(item.sort_key, {"child_count": 0, "first": None, "last": None})
        _widen(below, span["first"], span["last"])
        rollup = subtree_rollup(method=method, item=item, totals=below)
        figures[item.pk] = (rollup, task_row["own"] if task_row else 0, span["child_count"])
    if not whole_project:
        return figures, None
    everything = _merged([_totals(row) for row in sums.values()])
    for span in spans.values():
        _widen(everything, span["first"], span["last"])
    project_rollup = subtree_rollup(method=method, item=None, totals=everything)
    return figures, (project_rollup, len(spans), sum(span["items"] for span in spans.values()))


def _merged(parts: list[TaskTotals]) -> TaskTotals:
    """The sums of several groups of tasks as one."""
    merged = TaskTotals()
    for part in parts:
        for name in (
            "listed",
            "count",
            "done",
            "started",
            "late",
            "blocked",
            "days_total",
            "days_done",
            "fraction_done",
        ):
            setattr(merged, name, getattr(merged, name) + getattr(part, name))
        _widen(merged, part.first, part.last)
    return merged


def _widen(totals: TaskTotals, first, last) -> None:
    """Stretch the tasks' date span over the planned dates of the items below."""
    totals.first = min((day for day in (totals.first, first) if day), default=None)
    totals.last = max((day for day in (totals.last, last) if day), default=None)


def _light_items(items: QuerySet[WbsItem]) -> QuerySet[WbsItem]:
    """What rollup_tree reads of each item, in tree order."""
    return items.only("id", "parent_id", "code", "weight", "status", "planned_start", "planned_end").order_by(
        "sort_key", "id"
    )


def item_path(project: Project, item_id: int) -> list[WbsItem]:
    """The item's ancestors from the top, then the item (none if it is not in the project): two queries.

    The ancestors' sort keys are the prefixes of the item's own, so they need no walk up the tree.
    """
    item = WbsItem.objects.filter(project=project, pk=item_id).only("sort_key").first()
    if item is None:
        return []
    parts = item.sort_key.split(".")
    keys = [".".join(parts[: length + 1]) for length in range(len(parts))]
    return list(
        WbsItem.objects.filter(project=project, sort_key__in=keys)
        .only("id", "parent_id", "position")
        .order_by("sort_key")
    )


def item_choices(project: Project, query: str, *, limit: int) -> list[WbsItem]:
    """Up to `limit` items for a picker: codes starting with `query` or titles containing it, in tree order."""
    items = WbsItem.objects.filter(project=project).only("id", "code", "title", "sort_key")
    query = query.strip()
    if query:
        items = items.filter(Q(code__startswith=query) | Q(title__icontains=query))
    return list(items.order_by("sort_key", "id")[:limit])


def split_project(text: str) -> tuple[str | None, str]:
    """("Renovation", "1.2 Tiling") from "Renovation › 1.2 Tiling"; (None, text) without a project.

    A title may hold the separator too: the project ends at the first separator followed by a code.
    """
    match = SEPARATOR_BEFORE_CODE.search(text)
    if match:
        return text[: match.start()].strip(), text[match.end() :].strip()
    before, found, after = text.partition(PROJECT_SEPARATOR.strip())
    return (before.strip(), after.strip()) if found else (None, text)


def any_item_choices(query: str, *, near_id: int | None, limit: int) -> list[WbsItem]:
    """Up to `limit` items of live projects for the task form's picker, those of project `near_id` (the task's)
    first, then by project name and tree order. What was typed may start with a project ("Renovation › 1.2"
    as the picker fills it in): then only that project's items match the rest.
    """
    items = WbsItem.objects.filter(project__deleted_at__isnull=True).select_related("project")
    items = items.only("id", "code", "title", "sort_key", "project__id", "project__name")
    project_name, rest = split_project(query.strip())
    if project_name:
        items = items.filter(project__name__icontains=project_name)
    words = rest.split()
    if words:
        # "1.2 Tiling" (a picked item) matches by its code; anything else by code prefix or part of a title.
        code = words[0].rstrip(".")
        typed = Q(code=code) if len(words) > 1 and CODE_PATTERN.match(code) else Q(code__startswith=words[0])
        items = items.filter(typed | Q(title__icontains=rest.strip()))
    nearness = Case(When(project_id=near_id, then=Value(0)), default=Value(1)) if near_id else Value(0)
    return list(items.order_by(nearness, "project__name", "project_id", "sort_key", "id")[:limit])
