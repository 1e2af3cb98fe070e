"""Reads behind the managers' Today page: what happens today across every property, in a fixed number of queries."""

import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When

from bookings.models import Booking, BookingConflict
from wbs.models import Task, TaskPhoto, TaskStatus
from wbs.queries.turnovers import turnover_bookings

DUE_LIST_LIMIT = 12
CONFLICT_LIST_LIMIT = 5
PROBLEM_LIST_LIMIT = 20
ATTENTION_LIST_LIMIT = 15

IS_PROBLEM = Q(problem_report__isnull=False)


def _row_details(tasks):
    """What a Today row shows: the task with its property, assignee, the problem report and its reporter, and
    the photos (only their ids: the row links to the access-checked thumbnail view)."""
    photos = TaskPhoto.objects.order_by("created_at", "id").only("id", "task_id", "created_at")
    return tasks.select_related(
        "property", "assignee", "problem_report__reported_by", "problem_report__task"
    ).prefetch_related(Prefetch("photos", queryset=photos, to_attr="photo_list"))


def open_problems():
    """Open tasks made from cleaners' problem reports: those nobody owns first, then the newest."""
    unowned_first = Case(When(assignee__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        _row_details(Task.objects.open().filter(IS_PROBLEM))
        .alias(unowned_first=unowned_first)
        .order_by("unowned_first", "-problem_report__created_at", "-pk")
    )


def needs_attention(day: datetime.date, *, lookahead_end: datetime.date):
    """Open work, besides problem reports, that needs a manager: overdue (due before `day`), or with nobody
    assigned and due by `lookahead_end`. Earliest due first, so the overdue come before the merely unassigned."""
    late_or_unowned = Q(due_date__lt=day) | Q(assignee__isnull=True, due_date__lte=lookahead_end)
    return _row_details(Task.objects.open().filter(late_or_unowned).exclude(IS_PROBLEM)).order_by(
        "due_date", "-priority", "pk"
    )


def today_row(pk: int) -> Task:
    """One task as a Today row shows it (after an assignment in place). Raises Task.DoesNotExist."""
    return _row_details(Task.objects.all()).get(pk=pk)


def today_counts(day: datetime.date, *, lookahead_end: datetime.date) -> dict[str, int]:
    """The page's figures about open tasks, in one query (the page polls: each query counts)."""
    late_or_unowned = Q(due_date__lt=day) | Q(assignee__isnull=True, due_date__lte=lookahead_end)
    counts = Task.objects.open().aggregate(
        due_count=Count("pk", filter=Q(due_date__lte=day)),
        due_today_count=Count("pk", filter=Q(due_date=day)),
        overdue_count=Count("pk", filter=Q(due_date__lt=day)),
        unassigned_count=Count(
            "pk", filter=Q(booking__isnull=False, assignee__isnull=True, due_date__range=(day, lookahead_end))
        ),
        in_progress_count=Count("pk", filter=Q(status=TaskStatus.IN_PROGRESS)),
        problem_count=Count("pk", filter=IS_PROBLEM),
        unowned_problem_count=Count("pk", filter=IS_PROBLEM & Q(assignee__isnull=True)),
        attention_count=Count("pk", filter=late_or_unowned & ~IS_PROBLEM),
    )
    return {name: value or 0 for name, value in counts.items()}


def today_summary(day: datetime.date, *, lookahead_days: int) -> dict[str, Any]:
    """Open problem reports and the work that is overdue or has no one (first, with what a manager needs to
    assign it), departures (with their tasks) and arrivals of `day`, the work due that day, and the open booking
    conflicts: the first few of each, and counts."""
    lookahead_end = day + datetime.timedelta(days=lookahead_days - 1)
    departures = turnover_bookings(day, day)
    arrivals = list(
        Booking.objects.not_cancelled().filter(check_in=day).select_related("property").order_by("property__name")
    )
    open_conflicts = BookingConflict.objects.open()
    return {
        "problems": list(open_problems()[:PROBLEM_LIST_LIMIT]),
        "attention": list(needs_attention(day, lookahead_end=lookahead_end)[:ATTENTION_LIST_LIMIT]),
        "departures": departures,
        "arrivals": arrivals,
        # `same_day` is the display value turnover_bookings() puts on each booking (wbs knows it, bookings does not).
        "same_day_count": sum(getattr(booking, "same_day", False) for booking in departures),
        "due_tasks": list(
            Task.objects.open()
            .filter(due_date=day)
            .select_related("property", "assignee")
            .order_by("-priority", "pk")[:DUE_LIST_LIMIT]
        ),
        "conflicts": list(open_conflicts.for_list_view()[:CONFLICT_LIST_LIMIT]),
        "conflict_count": open_conflicts.count(),
        **today_counts(day, lookahead_end=lookahead_end),
    }
