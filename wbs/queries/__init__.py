"""The read layer: one module per page (projects, board, turnovers, templates, today), each read in a fixed
number of queries. The project reads stay importable from `wbs.queries`, where their callers use them."""

from wbs.queries.projects import ProjectTree, TreeRow, item_tasks, project_rollups, project_tree

__all__ = ["ProjectTree", "TreeRow", "item_tasks", "project_rollups", "project_tree"]
