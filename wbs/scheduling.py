"""Working-day calendar, forward scheduling over task dependencies, and the critical path (pure functions)."""

import bisect
import datetime
import hashlib
import secrets
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from wbs.models import DependencyType, Holiday, PlanVersion, Task, TaskDependency, TaskStatus

# Any Monday: working-day indexes count from it, so index arithmetic never depends on "today".
EPOCH = datetime.date(2000, 1, 3)


class ScheduleError(Exception):
    """The dependency graph is not a DAG (dependency_add refuses loops, so only corrupt data gets here)."""


class WorkCalendar:
    """Working days are numbered in order; scheduling adds and subtracts those numbers.

    `index(day)` is the number of working days before `day`, so for a working day it is its own number and
    a non-working day shares the number of the next working day. Both directions are O(log holidays).
    """

    def __init__(self, working_weekdays: Iterable[int], holidays: Iterable[datetime.date] = ()):
        self.weekdays = frozenset(int(day) for day in working_weekdays)
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("Working weekdays must be a non-empty subset of 0 (Monday) … 6 (Sunday).")
        self.per_week = len(self.weekdays)
        # working_before[r]: working weekdays among the first r days of a week that starts on Monday.
        self._working_before = [sum(1 for day in range(rem) if day in self.weekdays) for rem in range(8)]
        # Holidays that fall on a weekend change nothing, so only working-weekday ones are kept.
        self.holidays = sorted({day for day in holidays if day.weekday() in self.weekdays})

    @classmethod
    def from_settings(cls) -> "WorkCalendar":
        """WORKING_DAYS and HOLIDAYS from settings, plus the Holiday rows managers keep in the admin."""
        listed = [datetime.date.fromisoformat(value) for value in settings.HOLIDAYS]
        stored = Holiday.objects.values_list("date", flat=True)
        return cls(settings.WORKING_DAYS, [*listed, *stored])

    def is_working(self, day: datetime.date) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        position = bisect.bisect_left(self.holidays, day)
        return not (position < len(self.holidays) and self.holidays[position] == day)

    def index(self, day: datetime.date) -> int:
        weeks, rem = divmod((day - EPOCH).days, 7)
        before = weeks * self.per_week + self._working_before[rem]
        return before - (bisect.bisect_left(self.holidays, day) - bisect.bisect_left(self.holidays, EPOCH))

    def date(self, index: int) -> datetime.date:
        """The working day numbered `index`."""
        weeks, rem = divmod(index, self.per_week)
        day = EPOCH + datetime.timedelta(days=7 * weeks)
        # Land on the weekly pattern first, then step over the holidays in between.
        while True:
            missing = index - self.index(day)
            if missing <= 0:
                break
            day += datetime.timedelta(days=max(1, (missing * 7) // (self.per_week + 1)))
        while self.index(day) > index:
            day -= datetime.timedelta(days=1)
        while not self.is_working(day):
            day += datetime.timedelta(days=1)
        return day

    def add(self, day: datetime.date, working_days: int) -> datetime.date:
        """`day` moved by `working_days` (0 gives the day itself if it is a working day, else the next one)."""
        return self.date(self.index(day) + working_days)

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days from `start` to `end` (negative when `end` is earlier)."""
        return self.index(end) - self.index(start)


@dataclass(frozen=True)
class Edge:
    predecessor: int
    successor: int
    type: str
    lag: int


@dataclass
class Span:
    """A task's dates as working-day indexes: `start` and `finish` are both inclusive."""

    start: int
    finish: int
    movable: bool = True

    @property
    def duration(self) -> int:
        return self.finish - self.start + 1


def spans_from_rows(rows: Iterable[tuple], calendar: WorkCalendar) -> dict[int, Span]:
    """Rows (id, start_date, due_date, status) → spans; a task with one date lasts that day, none is skipped."""
    spans = {}
    for task_id, start, due, status in rows:
        if status == TaskStatus.CANCELLED or (start is None and due is None):
            continue
        start, due = start or due, due or start
        first = calendar.index(start)
        last = max(first, calendar.index(due + datetime.timedelta(days=1)) - 1)
        spans[task_id] = Span(first, last, movable=status != TaskStatus.DONE)
    return spans


def earliest_start(edge: Edge, predecessor: Span, successor_duration: int) -> int:
    """The earliest start the edge allows its successor, in working-day indexes."""
    if edge.type == DependencyType.FS:
        return predecessor.finish + 1 + edge.lag
    if edge.type == DependencyType.SS:
        return predecessor.start + edge.lag
    if edge.type == DependencyType.FF:
        return predecessor.finish + edge.lag - successor_duration + 1
    # SF: the successor finishes no earlier than the working day before its predecessor starts.
    return predecessor.start - 1 + edge.lag - successor_duration + 1


def latest_finish(edge: Edge, successor: Span, predecessor_duration: int) -> int:
    """The latest finish of the predecessor that keeps `successor` where it is (the inverse of the above)."""
    if edge.type == DependencyType.FS:
        return successor.start - 1 - edge.lag
    if edge.type == DependencyType.SS:
        return successor.start - edge.lag + predecessor_duration - 1
    if edge.type == DependencyType.FF:
        return successor.finish - edge.lag
    return successor.finish + 1 - edge.lag + predecessor_duration - 1


def topological_order(nodes: Iterable[int], edges: list[Edge]) -> list[int]:
    """Kahn's algorithm over the edges between `nodes`: O(nodes + edges)."""
    nodes = list(nodes)
    members = set(nodes)
    incoming = dict.fromkeys(nodes, 0)
    outgoing: dict[int, list[int]] = {node: [] for node in nodes}
    for edge in edges:
        if edge.predecessor in members and edge.successor in members:
            outgoing[edge.predecessor].append(edge.successor)
            incoming[edge.successor] += 1
    ready = deque(node for node in nodes if incoming[node] == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for following in outgoing[node]:
            incoming[following] -= 1
            if incoming[following] == 0:
                ready.append(following)
    if len(order) != len(nodes):
        raise ScheduleError("The dependencies contain a loop; remove one of its links first.")
    return order


def reschedule(spans: dict[int, Span], edges: list[Edge], task_id: int, new_span: Span) -> dict[int, Span]:
    """New spans for `task_id` and every successor its new dates push later, keeping each one's duration.

    Dependencies are minimum gaps: a successor moves only when it would break one, and moving a task earlier
    never drags its successors along (their later dates may be on purpose). Done tasks never move.
    """
    outgoing: dict[int, list[Edge]] = {}
    incoming: dict[int, list[Edge]] = {}
    for edge in edges:
        outgoing.setdefault(edge.predecessor, []).append(edge)
        incoming.setdefault(edge.successor, []).append(edge)
    # Only the tasks downstream of the change can move.
    downstream = {task_id}
    queue = deque([task_id])
    while queue:
        for edge in outgoing.get(queue.popleft(), ()):
            if edge.successor not in downstream and edge.successor in spans:
                downstream.add(edge.successor)
                queue.append(edge.successor)
    planned = {task_id: new_span}
    for node in topological_order(downstream, [edge for edge in edges if edge.predecessor in downstream]):
        if node == task_id:
            continue
        current = spans[node]
        if not current.movable:
            continue
        start = current.start
        for edge in incoming.get(node, ()):
            predecessor = planned.get(edge.predecessor) or spans.get(edge.predecessor)
            if predecessor is not None:
                start = max(start, earliest_start(edge, predecessor, current.duration))
        if start != current.start:
            planned[node] = Span(start, start + current.duration - 1)
    return planned


def critical_tasks(spans: dict[int, Span], edges: list[Edge]) -> set[int]:
    """Tasks with no slack: slipping any of them by a working day delays the end of their network.

    Each weakly connected group of linked tasks is its own network with its own end (two unrelated projects
    each have a critical path); a task with no links has none. One backward pass in reverse topological order.
    """
    edges = [edge for edge in edges if edge.predecessor in spans and edge.successor in spans]
    if not edges:
        return set()
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for edge in edges:
        parent[root(edge.predecessor)] = root(edge.successor)
    linked = list(parent)
    network_end: dict[int, int] = {}
    for node in linked:
        group = root(node)
        network_end[group] = max(network_end.get(group, spans[node].finish), spans[node].finish)
    outgoing: dict[int, list[Edge]] = {}
    for edge in edges:
        outgoing.setdefault(edge.predecessor, []).append(edge)
    latest: dict[int, int] = {}
    for node in reversed(topological_order(linked, edges)):
        span = spans[node]
        finish = network_end[root(node)]
        for edge in outgoing.get(node, ()):
            finish = min(
                finish, latest_finish(edge, _latest_span(spans[edge.successor], latest[edge.successor]), span.duration)
            )
        latest[node] = finish
    return {node for node in linked if latest[node] - spans[node].finish <= 0}


def load_graph(calendar: WorkCalendar) -> tuple[dict[int, Span], list[Edge]]:
    """Every live task's span and every edge between live tasks: two queries, whatever the size."""
    spans = spans_from_rows(Task.objects.values_list("id", "start_date", "due_date", "status"), calendar)
    rows = TaskDependency.objects.filter(
        predecessor__deleted_at__isnull=True, successor__deleted_at__isnull=True
    ).values_list("predecessor_id", "successor_id", "type", "lag_days")
    return spans, [Edge(*row) for row in rows]


def plan_version() -> tuple[str, bool]:
    """The token of the committed plan (see PlanVersion), and whether this transaction changed the plan.

    One query. On PostgreSQL the token changes at commit, so a transaction that wrote tasks or links reads the
    token of the plan before its writes: the second value says so. On SQLite the token changes in the writing
    statement, and the second value is always False.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT (SELECT token FROM wbs_planversion WHERE id = 1), "
                "coalesce(current_setting('wbs.plan_changed', true), '') <> ''"
            )
            token, changed_here = cursor.fetchone()
        else:
            cursor.execute("SELECT token FROM wbs_planversion WHERE id = 1")
            row = cursor.fetchone()
            token, changed_here = (row[0] if row else None), False
    if token is None:
        # The row is gone (a test run's flush empties every table): a new random token, so nothing cached
        # before counts.
        token = PlanVersion.objects.get_or_create(pk=1, defaults={"token": secrets.token_hex(16)})[0].token
    return token, bool(changed_here)


def critical_task_ids(calendar: WorkCalendar) -> frozenset[int]:
    """The critical tasks of the current plan, cached until a task, a dependency or the calendar changes.

    Computing them reads the whole graph (linear, but 10,000 tasks take a while). The cache key is the plan
    version, which database triggers change on every write to a task's dates, status or deletion and to any
    dependency (migration 0009_gantt_plan_version), and the calendar: one small read, whatever the size.
    """
    token, changed_here = plan_version()
    if changed_here:
        # This transaction's own, uncommitted changes are not in any cached set: compute, and keep it to itself.
        return frozenset(critical_tasks(*load_graph(calendar)))
    fingerprint = repr((token, sorted(calendar.weekdays), calendar.holidays))
    key = "wbs:critical:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    if key in _critical_memo:
        return _critical_memo[key]
    critical = cache.get(key)
    if critical is None:
        critical = frozenset(critical_tasks(*load_graph(calendar)))
        cache.set(key, critical, settings.GANTT_CRITICAL_CACHE_SECONDS)
    # Unpickling thousands of ids from the cache on every request cost as much as the old five-query
    # fingerprint: a process keeps the latest set, which is exact for as long as the plan version stays.
    _critical_memo.clear()
    _critical_memo[key] = critical
    return critical


# The last critical set this process read, by cache key (one entry).
_critical_memo: dict[str, frozenset[int]] = {}


def _latest_span(span: Span, latest_finish_index: int) -> Span:
    return Span(latest_finish_index - span.duration + 1, latest_finish_index)
