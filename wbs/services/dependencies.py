"""Adding and removing task dependencies, refusing any edge that would close a loop."""

from collections import deque

from django.db import connection, transaction

from core import audit
from core.audit_context import acting_user
from core.errors import InvalidInput
from core.models import AuditAction
from wbs.models import DependencyType, Task, TaskDependency

MAX_LAG_DAYS = 365

# One advisory lock for every dependency write: two people adding edges at the same moment are serialised,
# so neither can close a loop through the other's uncommitted edge. (SQLite's IMMEDIATE transactions
# already serialise writers.)
DEPENDENCY_LOCK_KEY = 0x5354_4159  # "STAY"


class DependencyCycle(InvalidInput):
    """Names every task on the loop, starting and ending with the new edge's successor."""

    title = "That would create a loop"

    def __init__(self, cycle_titles: list[str]):
        self.cycle = cycle_titles
        super().__init__("Refused: " + " → ".join(cycle_titles) + ". A task cannot wait for itself.")


def _lock_dependency_graph() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DEPENDENCY_LOCK_KEY])


def find_path(start_id: int, goal_id: int, edges: list[tuple[int, int]]) -> list[int] | None:
    """Task ids along a path start → … → goal following edges (predecessor, successor), or None."""
    successors: dict[int, list[int]] = {}
    for predecessor_id, successor_id in edges:
        successors.setdefault(predecessor_id, []).append(successor_id)
    came_from: dict[int, int | None] = {start_id: None}
    queue = deque([start_id])
    while queue:
        current = queue.popleft()
        if current == goal_id:
            path = [current]
            while (previous := came_from[path[-1]]) is not None:
                path.append(previous)
            return list(reversed(path))
        for following in successors.get(current, ()):
            if following not in came_from:
                came_from[following] = current
                queue.append(following)
    return None


@acting_user
def dependency_add(
    *, predecessor: Task, successor: Task, type: str = DependencyType.FS, lag_days: int = 0, user=None
) -> TaskDependency:
    if predecessor.pk == successor.pk:
        raise DependencyCycle([predecessor.title, predecessor.title])
    if type not in DependencyType.values:
        raise InvalidInput(f"{type!r} is not a dependency type; use one of {', '.join(DependencyType.values)}.")
    if not isinstance(lag_days, int) or abs(lag_days) > MAX_LAG_DAYS:
        raise InvalidInput(f"Lag must be a whole number of working days between -{MAX_LAG_DAYS} and {MAX_LAG_DAYS}.")
    with transaction.atomic():
        _lock_dependency_graph()
        if TaskDependency.objects.filter(predecessor=predecessor, successor=successor).exists():
            raise InvalidInput(f"“{successor.title}” already depends on “{predecessor.title}”.")
        edges = list(TaskDependency.objects.values_list("predecessor_id", "successor_id"))
        path = find_path(successor.pk, predecessor.pk, edges)
        if path is not None:
            # The existing path successor → … → predecessor, closed by the edge asked for.
            titles = dict(Task.all_objects.filter(pk__in=path).values_list("pk", "title"))
            raise DependencyCycle([titles[task_id] for task_id in path] + [successor.title])
        dependency = TaskDependency(predecessor=predecessor, successor=successor, type=type, lag_days=lag_days)
        dependency.full_clean()
        dependency.save()
        label = f"{type}{lag_days:+d}"
        audit.record(
            successor,
            AuditAction.UPDATE,
            {"predecessors": [None, f"{predecessor.title} ({label})"]},
            message=f"Now waits for “{predecessor.title}”",
        )
        audit.record(
            predecessor,
            AuditAction.UPDATE,
            {"successors": [None, f"{successor.title} ({label})"]},
            message=f"“{successor.title}” now waits for it",
        )
    return dependency


@acting_user
def dependency_remove(*, dependency: TaskDependency, user=None) -> None:
    with transaction.atomic():
        successor, predecessor = dependency.successor, dependency.predecessor
        dependency.delete()
        label = f"{dependency.type}{dependency.lag_days:+d}"
        audit.record(
            successor,
            AuditAction.UPDATE,
            {"predecessors": [f"{predecessor.title} ({label})", None]},
            message=f"No longer waits for “{predecessor.title}”",
        )
        audit.record(
            predecessor,
            AuditAction.UPDATE,
            {"successors": [f"{successor.title} ({label})", None]},
            message=f"“{successor.title}” no longer waits for it",
        )
