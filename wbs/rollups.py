"""Progress rolled up a WBS tree: pure computation over items and light task rows, no database access.

Reads (wbs.queries) compute rollups for pages; keeping this apart from the tree's writes lets them do so
without importing a write module.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from wbs.models import RollupMethod, TaskStatus, WbsItem, WorkStatus


@dataclass
class Rollup:
    """What a tree row shows about an item's subtree, and how the progress figure was reached."""

    progress: float | None = None
    explanation: str = "No tasks yet"
    start: date | None = None
    end: date | None = None
    status: str = WorkStatus.NOT_STARTED
    task_count: int = 0
    done_count: int = 0
    started_count: int = 0
    # Running sums the parent needs.
    days_total: float = 0.0
    days_done: float = 0.0
    parts: list = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.progress or 0)

    @property
    def status_label(self) -> str:
        return WorkStatus(self.status).label


def task_days(task) -> float:
    """A task's duration for the duration rollup: calendar days from start to due, both counted; else 1."""
    if task.start_date and task.due_date and task.due_date >= task.start_date:
        return float((task.due_date - task.start_date).days + 1)
    return 1.0


def task_fraction_done(task) -> float:
    if task.status == TaskStatus.DONE:
        return 1.0
    return min(max(task.progress or 0, 0), 100) / 100


def rollup_tree(*, method: str, items: list[WbsItem], tasks: Iterable) -> tuple[dict[int, Rollup], Rollup]:
    """Roll tasks up into items and items into the project, in one pass from the leaves up.

    `items` in tree order (parents first); `tasks` carry wbs_item_id, status, progress, start and due.
    Cancelled tasks count for nothing. Returns the rollup per item id and the project's own.
    """
    tasks_by_item: dict[int, list] = defaultdict(list)
    for task in tasks:
        if task.status != TaskStatus.CANCELLED:
            tasks_by_item[task.wbs_item_id].append(task)
    rollups: dict[int, Rollup] = {}
    children: dict[int | None, list[WbsItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    for item in reversed(items):
        child_rollups = [(child, rollups[child.pk]) for child in children.get(item.pk, ())]
        rollup = _combine(method, child_rollups, tasks_by_item.get(item.pk, []), item)
        rollups[item.pk] = rollup
    project_rollup = _combine(method, [(item, rollups[item.pk]) for item in children.get(None, ())], [], None)
    return rollups, project_rollup


def _combine(method: str, child_rollups: list, own_tasks: list, item: WbsItem | None) -> Rollup:
    rollup = Rollup()
    dates_start = [item.planned_start] if item and item.planned_start else []
    dates_end = [item.planned_end] if item and item.planned_end else []
    for _child, child in child_rollups:
        rollup.task_count += child.task_count
        rollup.done_count += child.done_count
        rollup.started_count += child.started_count
        rollup.days_total += child.days_total
        rollup.days_done += child.days_done
        dates_start += [child.start] if child.start else []
        dates_end += [child.end] if child.end else []
    for task in own_tasks:
        rollup.task_count += 1
        rollup.done_count += task.status == TaskStatus.DONE
        rollup.started_count += task.status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE) or bool(task.progress)
        days = task_days(task)
        rollup.days_total += days
        rollup.days_done += days * task_fraction_done(task)
        dates_start += [day for day in (task.start_date, task.due_date) if day]
        dates_end += [day for day in (task.due_date, task.start_date) if day]
    rollup.start = min(dates_start, default=None)
    rollup.end = max(dates_end, default=None)

    if method == RollupMethod.DURATION:
        if rollup.days_total:
            rollup.progress = 100 * rollup.days_done / rollup.days_total
            rollup.explanation = (
                f"{_number(rollup.days_done)} of {_number(rollup.days_total)} task-days done = {rollup.percent} %"
            )
    elif method == RollupMethod.WEIGHT:
        _combine_by_weight(rollup, child_rollups, own_tasks)
    elif rollup.task_count:
        rollup.progress = 100 * rollup.done_count / rollup.task_count
        rollup.explanation = f"{rollup.done_count} of {rollup.task_count} tasks done = {rollup.percent} %"

    rollup.status = _status(rollup, item)
    return rollup


def _combine_by_weight(rollup: Rollup, child_rollups: list, own_tasks: list) -> None:
    """Weighted mean: each sub-item counts its weight, each of the item's own tasks counts 1."""
    total_weight = Decimal(0)
    weighted = Decimal(0)
    terms = []
    for child_item, child in child_rollups:
        if child.progress is None:
            continue
        weight = Decimal(child_item.weight)
        total_weight += weight
        weighted += weight * Decimal(str(child.progress))
        terms.append(f"{child_item.code} {round(child.progress)} % × {_number(weight)}")
    if own_tasks:
        task_progress = [Decimal(str(100 * task_fraction_done(task))) for task in own_tasks]
        total_weight += len(task_progress)
        weighted += sum(task_progress)
        mean = sum(task_progress) / len(task_progress)
        noun = "task" if len(own_tasks) == 1 else "tasks"
        terms.append(f"{len(own_tasks)} own {noun} {round(mean)} % × {len(own_tasks)}")
    if total_weight:
        rollup.progress = float(weighted / total_weight)
        rollup.explanation = f"({' + '.join(terms)}) ÷ {_number(total_weight)} = {rollup.percent} %"


def _status(rollup: Rollup, item: WbsItem | None) -> str:
    """Derived from the work below; a manager's "on hold" stands until they lift it."""
    if item is not None and item.status == WorkStatus.ON_HOLD:
        return WorkStatus.ON_HOLD
    if rollup.task_count == 0:
        return item.status if item is not None else WorkStatus.NOT_STARTED
    if rollup.done_count == rollup.task_count:
        return WorkStatus.DONE
    if rollup.started_count:
        return WorkStatus.IN_PROGRESS
    return WorkStatus.NOT_STARTED


def _number(value) -> str:
    """1, 2.5, 13.3: figures in explanations without trailing zeros."""
    rounded = round(float(value), 1)
    return f"{rounded:g}"
