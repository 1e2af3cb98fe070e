"""The managers' turnovers view: every check-out in the coming days with its tasks, assigned by HTMX."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from bookings.models import Booking
from core.roles import manager_required
from wbs.forms_turnovers import AssignForm, assignable_users
from wbs.models import Task, TaskStatus
from wbs.services.turnovers import turnover_assign as assign_task


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


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


@require_GET
@manager_required
def turnover_list(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    last_day = today + datetime.timedelta(days=settings.TURNOVER_LOOKAHEAD_DAYS - 1)
    bookings = turnover_bookings(today, last_day)
    context = {
        "bookings": bookings,
        "assignees": list(assignable_users()),
        "first_day": today,
        "last_day": last_day,
        "unassigned_total": sum(booking.unassigned for booking in bookings),
        "same_day_total": sum(booking.same_day for booking in bookings),
    }
    return render(request, "wbs/turnovers.html", context)


@require_POST
@manager_required
def turnover_assign(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("assignee", "property"), pk=pk)
    form = AssignForm(request.POST)
    status = 200
    if form.is_valid():
        assign_task(task=task, assignee=form.cleaned_data["assignee"], user=request.user)
        name = task.assignee.get_full_name() if task.assignee else "nobody"
        messages.success(request, f"“{task.title}” assigned to {name}.")
    else:
        status = 400
    if not request.htmx:
        if status == 400:
            messages.error(request, "Choose someone from the list.")
        return redirect("wbs:turnovers")
    context = {"task": task, "assignees": list(assignable_users()), "assign_form": form}
    return render(request, "wbs/turnovers.html#turnover-task", context, status=status)
