"""The managers' start page: problems and work that need a decision first, then what happens today everywhere."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.roles import manager_required
from wbs.forms import TodayAssignForm, assignable_users
from wbs.models import Task
from wbs.queries.today import today_row, today_summary
from wbs.services.tasks import task_assign

TODAY_TEMPLATE = "wbs/today.html"
# Sent after an assignment in place: the page's lists reload themselves (unless a form there is being filled in).
TODAY_CHANGED_EVENT = "today-changed"


@require_GET
@manager_required
def today(request: HtmxHttpRequest) -> HttpResponse:
    day = timezone.localdate()
    lookahead_days = settings.TURNOVER_LOOKAHEAD_DAYS
    context = {
        "day": day,
        "now": timezone.now(),
        "lookahead_days": lookahead_days,
        "refresh_seconds": settings.TODAY_REFRESH_SECONDS,
        "assignees": list(assignable_users()),
        **today_summary(day, lookahead_days=lookahead_days),
    }
    # The page polls itself for this part: everything but the header, so a poll never touches what is around it.
    return render_page(request, TODAY_TEMPLATE, context, partial="today-live")


@require_POST
@manager_required
def today_assign(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.all(), pk=pk)
    day = timezone.localdate()
    form = TodayAssignForm(request.POST, today=day, current_due=task.due_date)
    saved = form.is_valid()
    if saved:
        task_assign(
            task=task,
            user=request.user,
            assignee=form.cleaned_data["assignee"],
            due_date=form.cleaned_data["due_date"],
            message="Assigned on Today",
        )
        messages.success(request, _saved_message(task))
    if not wants_fragment(request):
        if not saved:
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("wbs:today")
    context = {"task": today_row(pk), "day": day, "assignees": list(assignable_users()), "row_form": form}
    if saved:
        context.pop("row_form")
    response = render_page(request, TODAY_TEMPLATE, context, partial="today-row", status=200 if saved else 400)
    if saved:
        # After the settle: the form that asked is gone by then, so the lists reload without waiting for it.
        trigger_client_event(response, TODAY_CHANGED_EVENT, after="settle")
    return response


def _saved_message(task: Task) -> str:
    """The toast after a save: what the task now is, in words (the row itself may leave the list)."""
    who = task.assignee.get_full_name() or task.assignee.get_username() if task.assignee else "nobody"
    when = f"due {dateformat.format(task.due_date, 'D j M')}" if task.due_date else "no due date"
    return f"“{Truncator(task.title).chars(60)}”: {who}, {when}."
