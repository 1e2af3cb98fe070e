"""Reads behind the managers' Today page: what happens today across every property, in a fixed number of queries."""

import datetime
from typing import Any

from bookings.models import Booking, BookingConflict
from wbs.models import Task, TaskStatus
from wbs.queries.turnovers import turnover_bookings

DUE_LIST_LIMIT = 12
CONFLICT_LIST_LIMIT = 5


def today_summary(day: datetime.date, *, lookahead_days: int) -> dict[str, Any]:
    """Departures (with their tasks) and arrivals of `day`, the work due by then, the turnover work of the next
    `lookahead_days` with no one assigned, and the open booking conflicts: the first few of each, and counts."""
    lookahead_end = day + datetime.timedelta(days=lookahead_days - 1)
    departures = turnover_bookings(day, day)
    arrivals = list(
        Booking.objects.not_cancelled().filter(check_in=day).select_related("property").order_by("property__name")
    )
    due_tasks = Task.objects.open().filter(due_date__lte=day)
    open_conflicts = BookingConflict.objects.open()
    return {
        "departures": departures,
        "arrivals": arrivals,
        # `same_day` is the display value turnover_bookings() puts on each booking (wbs knows it, bookings does not).
        "same_day_count": sum(getattr(booking, "same_day", False) for booking in departures),
        "due_tasks": list(
            due_tasks.select_related("property", "assignee").order_by("due_date", "-priority", "pk")[:DUE_LIST_LIMIT]
        ),
        "due_count": due_tasks.count(),
        "overdue_count": due_tasks.filter(due_date__lt=day).count(),
        "unassigned_count": Task.objects.open()
        .filter(booking__isnull=False, assignee__isnull=True, due_date__range=(day, lookahead_end))
        .count(),
        "conflicts": list(open_conflicts.for_list_view()[:CONFLICT_LIST_LIMIT]),
        "conflict_count": open_conflicts.count(),
        "in_progress_count": Task.objects.filter(status=TaskStatus.IN_PROGRESS).count(),
    }
