"""Reads behind the turnovers pages: check-outs in a window with their live tasks, in two queries."""

import datetime

from django.db.models import Prefetch

from bookings.models import Booking
from wbs.models import Task, TaskStatus


def turnover_bookings(first_day: datetime.date, last_day: datetime.date) -> list[Booking]:
    """Check-outs in [first_day, last_day] with their live tasks, those with unassigned work first; two queries."""
    tasks = (
        Task.objects.exclude(status=TaskStatus.CANCELLED)
        .select_related("assignee", "property")
        .order_by("due_at", "pk")
    )
    bookings = list(
        Booking.objects.not_cancelled()
        .filter(check_out__range=(first_day, last_day))
        .select_related("property")
        .prefetch_related(Prefetch("tasks", queryset=tasks, to_attr="turnover_tasks"))
        .order_by("check_out", "property__name", "pk")
    )
    for booking in bookings:
        open_tasks = [task for task in booking.turnover_tasks if task.status != TaskStatus.DONE]
        booking.unassigned = sum(1 for task in open_tasks if task.assignee_id is None)
        booking.same_day = any(task.same_day for task in booking.turnover_tasks)
    # Stable sort: within each group the check-out order above is kept.
    bookings.sort(key=lambda booking: booking.unassigned == 0)
    return bookings
