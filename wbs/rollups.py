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
    # Open tasks past their due date, and blocked ones: what a manager scans the tree for.
    late_count: int = 0
    blocked_count: int = 0
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


@dataclass
class TaskTotals:
    """The sums of an item's own tasks that its rollup needs: one aggregate row per item, not one row per task.

    `listed` counts every live task (cancelled too, as the item's task list shows them); the other figures
    leave cancelled tasks out. `fraction_done` sums each task's share done (0 to 1).
    """

    listed: int = 0
    count: int = 0
    done: int = 0
    started: int = 0
    late: int = 0
    blocked: int = 0
    days_total: float = 0.0
    days_done: float = 0.0
    fraction_done: float = 0.0
    first: date | None = None
    last: date | None = None


def totals_from_tasks(tasks: Iterable, *, today: date) -> dict[int, TaskTotals]:
    """TaskTotals per item computed in Python from task rows (wbs_item_id, status, progress, start, due).

    The pages get the same sums from the database (wbs.queries.projects.item_task_totals); this is the
    reference the tests hold that query to.
    """
    totals: dict[int, TaskTotals] = defaultdict(TaskTotals)
    for task in tasks:
        own = totals[task.wbs_item_id]
        own.listed += 1
        if task.status == TaskStatus.CANCELLED:
            continue
        own.count += 1
        own.done += task.status == TaskStatus.DONE
        own.started += task.status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE) or bool(task.progress)
        own.late += task.status != TaskStatus.DONE and task.due_date is not None and task.due_date < today
        own.blocked += task.status == TaskStatus.BLOCKED
        days = task_days(task)
        fraction = task_fraction_done(task)
        own.days_total += days
        own.days_done += days * fraction
        own.fraction_done += fraction
        for day in (task.start_date, task.due_date):
            if day:
                own.first = day if own.first is None else min(own.first, day)
                own.last = day if own.last is None else max(own.last, day)
    return dict(totals)


def rollup_tree(
    *, method: str, items: list[WbsItem], totals: dict[int, TaskTotals]
) -> tuple[dict[int, Rollup], Rollup]:
    """Roll task totals up into items and items into the project, in one pass from the leaves up.

    `items` in tree order (parents first); `totals` are each item's own tasks summed (TaskTotals), so the
    work is per item whatever the number of tasks. Returns the rollup per item id and the project's own.
    """
    rollups: dict[int, Rollup] = {}
    children: dict[int | None, list[WbsItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    for item in reversed(items):
        child_rollups = [(child, rollups[child.pk]) for child in children.get(item.pk, ())]
        rollup = _combine(method, child_rollups, totals.get(item.pk) or TaskTotals(), item)
        rollups[item.pk] = rollup
    project_rollup = _combine(method, [(item, rollups[item.pk]) for item in children.get(None, ())], TaskTotals(), None)
    return rollups, project_rollup


def subtree_rollup(*, method: str, item: WbsItem | None, totals: TaskTotals) -> Rollup:
    """An item's rollup (the project's when `item` is None) from the sums of every task under it.

    Counting and duration progress are sums over the subtree, so one aggregate row per item on the page is
    enough and the items between need not be read; `totals.first`/`last` must also span the planned dates of
    the items below. The weighted mean is a mean of means: it needs each level (rollup_tree).
    """
    if method == RollupMethod.WEIGHT:
        raise ValueError("The weighted rollup needs the items below: use rollup_tree.")
    return _combine(method, [], totals, item)


def _combine(method: str, child_rollups: list, own: TaskTotals, item: WbsItem | None) -> Rollup:
    rollup = Rollup()
    dates_start = [item.planned_start] if item and item.planned_start else []
    dates_end = [item.planned_end] if item and item.planned_end else []
    for _child, child in child_rollups:
        rollup.task_count += child.task_count
        rollup.done_count += child.done_count
        rollup.started_count += child.started_count
        rollup.late_count += child.late_count
        rollup.blocked_count += child.blocked_count
        rollup.days_total += child.days_total
        rollup.days_done += child.days_done
        dates_start += [child.start] if child.start else []
        dates_end += [child.end] if child.end else []
    rollup.task_count += own.count
    rollup.done_count += own.done
    rollup.started_count += own.started
    rollup.late_count += own.late
    rollup.blocked_count += own.blocked
    rollup.days_total += own.days_total
    rollup.days_done += own.days_done
    dates_start += [own.first] if own.first else []
    dates_end += [own.last] if own.last else []
    rollup.start = min(dates_start, default=None)
    rollup.end = max(dates_end, default=None)

    if method == RollupMethod.DURATION:
        if rollup.days_total:
            rollup.progress = 100 * rollup.days_done / rollup.days_total
            rollup.explanation = (
                f"{_number(rollup.days_done)} of {_number(rollup.days_total)} task-days done = {rollup.percent} %"
            )
    elif method == RollupMethod.WEIGHT:
        _combine_by_weight(rollup, child_rollups, own)
    elif rollup.task_count:
        rollup.progress = 100 * rollup.done_count / rollup.task_count
        rollup.explanation = f"{rollup.done_count} of {rollup.task_count} tasks done = {rollup.percent} %"

    rollup.status = _status(rollup, item)
    return rollup


def _combine_by_weight(rollup: Rollup, child_rollups: list, own: TaskTotals) -> None:
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
    if own.count:
        # Rounded to micro-percent: a float sum from the database must not add noise to the explanation.
        own_sum = Decimal(str(round(100 * own.fraction_done, 6)))
        total_weight += own.count
        weighted += own_sum
        mean = own_sum / own.count
        noun = "task" if own.count == 1 else "tasks"
        terms.append(f"{own.count} own {noun} {round(mean)} % × {own.count}")
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
