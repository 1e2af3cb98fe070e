"""The read layer: one module per page (projects, board, turnovers, templates, today), each read in a fixed
number of queries. The project reads stay importable from `wbs.queries`, where their callers use them."""

from wbs.queries.projects import (
    ProjectTree,
    TaskPage,
    TreeRow,
    item_task_page,
    item_task_totals,
    item_tasks,
    project_rollups,
    project_tree,
)

__all__ = [
    "ProjectTree",
    "TaskPage",
    "TreeRow",
    "item_task_page",
    "item_task_totals",
    "item_tasks",
    "project_rollups",
    "project_tree",
]
