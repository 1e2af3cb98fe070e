"""How wbs answers bookings: the bookings_changed receiver and the providers registered in bookings.hooks."""

from django.db.models import Q
from django.template.loader import render_to_string

from wbs.models import Task, TaskStatus
from wbs.services.turnovers import turnovers_sync


def on_bookings_changed(sender, *, booking_ids, source, changes=None, **kwargs) -> None:
    """Runs inside the bookings' transaction, so the tasks change with the bookings or not at all."""
    turnovers_sync(booking_ids=booking_ids, changes=changes or {}, source=source)


def bookings_with_started_tasks(booking_ids) -> set[int]:
    started = Q(status__in=[TaskStatus.IN_PROGRESS, TaskStatus.DONE]) | Q(started_at__isnull=False)
    return set(
        Task.objects.filter(started, booking_id__in=list(booking_ids)).values_list("booking_id", flat=True).distinct()
    )


def booking_tasks_panel(request, booking) -> str:
    tasks = Task.objects.visible_to(request.user).filter(booking=booking).select_related("assignee", "template")
    return render_to_string("wbs/turnovers_booking_panel.html", {"tasks": tasks, "booking": booking}, request=request)
