"""What the Gantt reads besides its task rows (Task.objects.for_gantt_view): links, stays and a task's row."""

import datetime
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import Exists, OuterRef, QuerySet, Value

from bookings.models import Booking
from wbs.filters import TaskFilter
from wbs.gantt.layout import Window
from wbs.models import Task, TaskDependency

# What a stub shows of the task at the other end.
_OTHER_END_FIELDS = ("deleted_at", "title", "start_date", "due_date")
# Where the other end sits in the row order of for_gantt_view (for the stubs to rows on other pages).
_OTHER_END_ORDER = (
    "wbs_item_id",
    "wbs_item__project__name",
    "wbs_item__project_id",
    "wbs_item__code",
    "property_id",
    "property__name",
)


def nulls_sort_last() -> bool:
    """Whether this database sorts NULL after every value in ascending order (PostgreSQL) or before (SQLite)."""
    return connection.features.nulls_order_largest


def gantt_tasks(filterset: TaskFilter, window: Window) -> QuerySet:
    """The filtered tasks with a date in the window, in row order; none when the filters are invalid."""
    if not filterset.is_valid():
        return Task.objects.none()
    return filterset.qs.for_gantt_view(start=window.start, end=window.end)


# Beyond any chart's pages: a bigger page number asks for the last page, as a number past the end does.
MAX_PAGE_NUMBER = 10**9


class GanttPaginator(Paginator):
    """Pages of the Gantt's rows whose count came with the page's own rows (see gantt_page)."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def gantt_page(filterset: TaskFilter, window: Window, *, per_page: int, number) -> Page:
    """The page `number` of the chart's rows, as Paginator.get_page gives it (a number that is not a page
    gives the first page, one past the end the last): one query.

    The count of the window's rows comes with the page's rows (COUNT(*) OVER (), computed before LIMIT):
    Django's paginator would count them in a query of its own, and at 100,000 tasks reading the window's
    tasks twice was most of the chart's database time. Only a page past the end takes two more queries.
    """
    try:
        # Any number past the end means the last page; clamped so the offset stays a 64-bit integer.
        number = min(max(int(number), 1), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        number = 1
    rows = gantt_tasks(filterset, window).annotate(window_rows=models.Window(models.Count("id")))
    found = list(rows[(number - 1) * per_page : number * per_page])
    if found:
        count = found[0].window_rows
    else:
        count = filterset.qs.in_gantt_window(start=window.start, end=window.end).count() if filterset.is_valid() else 0
        number = max(1, -(-count // per_page))
        found = list(rows[(number - 1) * per_page : number * per_page]) if count else []
    return Page(found, number, GanttPaginator(rows, per_page, count=count))


def dependency_rows(drawn_ids, filterset: TaskFilter, *, with_order: bool) -> QuerySet:
    """Every dependency with an end drawn on this page, with what a stub needs of the other end: whether it is
    deleted, its title and dates, whether the filters show it and, `with_order`, its place in the row order.

    One query: the links into the drawn tasks and the links out of them to tasks not drawn, each half joined
    only to its other end. Deleted other ends are left out by the caller: asked to filter on them, SQLite walks
    the deleted_at index over every live task instead of reading the few links.
    """

    def half(drawn: str, other: str) -> QuerySet:
        # Without filters every live task is shown; with them, each other end is looked up by its id.
        shown = Exists(filterset.qs.filter(pk=OuterRef(f"{other}_id"))) if filterset.narrows() else Value(True)
        fields = _OTHER_END_FIELDS + (_OTHER_END_ORDER if with_order else ())
        return (
            TaskDependency.objects.filter(**{f"{drawn}_id__in": drawn_ids})
            .annotate(other_shown=shown)
            .values_list(
                "predecessor_id",
                "successor_id",
                "type",
                "lag_days",
                "other_shown",
                *(f"{other}__{name}" for name in fields),
            )
        )

    incoming = half("successor", "predecessor")
    outgoing = half("predecessor", "successor").exclude(successor_id__in=drawn_ids)
    return incoming.union(outgoing, all=True)


def stays_in(window: Window, property_ids) -> QuerySet:
    """The stays at these properties with a night in the window, by check-in: one query."""
    return (
        Booking.objects.not_cancelled()
        .overlapping(window.start, window.end + datetime.timedelta(days=1))
        .filter(property_id__in=property_ids)
        .order_by("check_in")
    )


def row_position(task_id: int, filterset: TaskFilter, window: Window) -> int | None:
    """The task's place (from 0) among the chart's rows for these filters and window, or None if not among them."""
    order = list(gantt_tasks(filterset, window).values_list("pk", flat=True))
    return order.index(task_id) if task_id in order else None
