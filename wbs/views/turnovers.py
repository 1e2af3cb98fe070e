"""The managers' turnovers view: every check-out in the coming days with its tasks, assigned by HTMX."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.http import HtmxHttpRequest, render_page
from core.roles import manager_required
from wbs.forms_turnovers import AssignForm, assignable_users
from wbs.models import Task
from wbs.queries.turnovers import turnover_bookings
from wbs.services.turnovers import turnover_assign as assign_task


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
    return render_page(request, "wbs/turnovers.html", context)


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
    return render_page(request, "wbs/turnovers.html#turnover-task", context, status=status)
