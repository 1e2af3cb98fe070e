"""Reads behind the project pages: trees with rolled-up progress, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, QuerySet

from wbs.models import Project, Task, WbsItem
from wbs.rollups import Rollup, rollup_tree

# What a rollup needs from a task; the list page loads only these columns.
ROLLUP_TASK_FIELDS = ["id", "wbs_item_id", "status", "progress", "start_date", "due_date"]


@dataclass
class TreeRow:
    item: WbsItem
    rollup: Rollup
    depth: int
    tasks: list = field(default_factory=list)
    is_first: bool = False
    is_last: bool = False


@dataclass
class ProjectTree:
    project: Project
    rows: list[TreeRow]
    rollup: Rollup
    task_count: int = 0
    # False for a big project: rows carry no tasks, and each item's page lists them instead.
    tasks_inline: bool = True

    @property
    def items(self) -> list[WbsItem]:
        return [row.item for row in self.rows]


def project_tree(project: Project) -> ProjectTree:
    """The project's items in tree order with their rollups and tasks: three queries, whatever the size.

    Rollups read every task as a light tuple. Tasks are listed under their items (as model instances, with
    their assignees) up to settings.WBS_TREE_INLINE_TASKS; past that the page would be megabytes of rows,
    so rows carry only their rollups.
    """
    items = list(WbsItem.objects.filter(project=project).in_tree_order())
    rollup_rows = list(
        Task.objects.filter(wbs_item__project=project, wbs_item__deleted_at__isnull=True)
        .order_by()
        .values_list(*ROLLUP_TASK_FIELDS, named=True)
    )
    rollups, project_rollup = rollup_tree(method=project.rollup_method, items=items, tasks=rollup_rows)
    limit = settings.WBS_TREE_INLINE_TASKS
    shown = list(Task.objects.for_project_tree([project.pk])[: limit + 1])
    tasks_inline = len(shown) <= limit
    tasks_by_item: dict[int, list[Task]] = {}
    for task in shown if tasks_inline else ():
        tasks_by_item.setdefault(task.wbs_item_id, []).append(task)
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
                tasks=tasks_by_item.get(item.pk, []),
                is_first=item.parent_id not in seen_parents,
                is_last=last_child[item.parent_id] == item.pk,
            )
        )
        seen_parents.add(item.parent_id)
    return ProjectTree(
        project=project, rows=rows, rollup=project_rollup, task_count=len(rollup_rows), tasks_inline=tasks_inline
    )


def item_tasks(item: WbsItem) -> QuerySet[Task]:
    """The live tasks directly under one item, with their assignees, in date order: one query."""
    return item.tasks.select_related("assignee").order_by("start_date", "id")


def project_rollups(projects: list[Project]) -> dict[int, Rollup]:
    """Each project's overall rollup, for the list page: two queries for all the projects together."""
    project_ids = [project.pk for project in projects]
    items_by_project: dict[int, list[WbsItem]] = {pk: [] for pk in project_ids}
    for item in WbsItem.objects.filter(project_id__in=project_ids).in_tree_order():
        items_by_project[item.project_id].append(item)
    tasks = Task.objects.filter(wbs_item__project_id__in=project_ids, wbs_item__deleted_at__isnull=True)
    tasks_by_project: dict[int, list] = {pk: [] for pk in project_ids}
    # Named tuples, not model instances: the list page reads thousands of rows for their rollups alone.
    rows = (
        tasks.order_by()
        .annotate(item_project_id=F("wbs_item__project_id"))
        .values_list(*ROLLUP_TASK_FIELDS, "item_project_id", named=True)
    )
    for task in rows:
        tasks_by_project[task.item_project_id].append(task)
    return {
        project.pk: rollup_tree(
            method=project.rollup_method, items=items_by_project[project.pk], tasks=tasks_by_project[project.pk]
        )[1]
        for project in projects
    }
