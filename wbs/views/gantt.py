"""The Gantt timeline (/gantt/): the chart, rescheduling a task with a preview, and adding a dependency.

The chart itself (layout, drawing, queries, URL state) is the wbs.gantt package; these views load, act, render.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import InvalidInput
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.roles import manager_required
from wbs.filters import TaskFilter
from wbs.forms import DependencyForm, TaskDatesForm
from wbs.gantt import queries
from wbs.gantt.chart import chart_context, preview_ghosts
from wbs.gantt.url_state import chart_query, focus_id, kept_fields, window_from
from wbs.models import Task
from wbs.services.dependencies import MAX_LAG_DAYS, dependency_add
from wbs.services.schedule import schedule_apply, schedule_preview

GANTT_TEMPLATE = "wbs/gantt.html"


def _render_chart(request: HtmxHttpRequest, extra: dict | None = None) -> HttpResponse:
    context = chart_context(request) | {"max_lag_days": MAX_LAG_DAYS} | (extra or {})
    return render_page(request, GANTT_TEMPLATE, context, partial="gantt")


@require_GET
@manager_required
def gantt(request: HtmxHttpRequest) -> HttpResponse:
    if "focus" in request.GET:
        return _show_focus(request)
    return _render_chart(request)


def _show_focus(request: HtmxHttpRequest) -> HttpResponse:
    """Go to the page of rows that holds the task a stub links to, with that task marked (`#gantt-task-…`).

    The page is found only here, when someone follows a stub: drawing the chart never counts rows per stub.
    """
    pk = focus_id(request.GET)
    task = Task.objects.visible_to(request.user).filter(pk=pk).first() if pk is not None else None
    if task is None:
        return redirect(f"{reverse('wbs:gantt')}?{chart_query(request.GET)}")
    window = window_from(request.GET, today=timezone.localdate(), default_days=settings.GANTT_DEFAULT_DAYS)
    filterset = TaskFilter(request.GET, queryset=Task.objects.all())
    position = queries.row_position(task.pk, filterset, window)
    if position is not None:
        page = position // settings.GANTT_MAX_ROWS + 1
        url = f"{reverse('wbs:gantt')}?{chart_query(request.GET, page=page)}#gantt-task-{task.pk}"
    else:
        # Moved out of this window, or no longer matching the filters since the stub was drawn.
        url = task.get_absolute_url()
    return HttpResponseClientRedirect(url) if wants_fragment(request) else redirect(url)


@require_GET
@manager_required
def gantt_reschedule_preview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The date form of a task; with dates given, every task the change would move and by how much."""
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    changing = "start_date" in request.GET or "due_date" in request.GET
    form = TaskDatesForm(
        request.GET if changing else None, initial={"start_date": task.start_date, "due_date": task.due_date}
    )
    moves = None
    if changing and form.is_valid():
        moves = schedule_preview(task=task, **form.cleaned_data)
    # Every task that would move gets a ghost bar at its new dates (gantt.js draws them in the bars' rows).
    move_rows = preview_ghosts(request.GET, moves) if moves is not None else []
    panel = {"panel_task": task, "dates_form": form, "moves": moves, "move_rows": move_rows}
    if wants_fragment(request):
        extra = {"query": chart_query(request.GET), "keep": kept_fields(request.GET)}
        return render_page(request, GANTT_TEMPLATE, panel | extra, partial="panel")
    return _render_chart(request, panel)


@require_POST
@manager_required
def gantt_reschedule_apply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Move the task and its successors as previewed, all in one transaction; then redraw the chart."""
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    form = TaskDatesForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Give a start date and a due date on or after it.")
    try:
        # The preview lists the tasks it showed; a plain form without the list applies what it computes now.
        expected = [int(value) for value in request.POST.getlist("expected")] if "expected" in request.POST else None
    except ValueError as error:
        raise InvalidInput("The preview sent an invalid task list; open the preview again.") from error
    moves = schedule_apply(task=task, expected=expected, **form.cleaned_data)
    others = len(moves) - 1 if moves else 0
    messages.success(request, f"Moved “{task.title}”" + (f" and {others} following task(s)." if others else "."))
    return _redrawn_chart(request)


@require_POST
@manager_required
def gantt_dependency_add(request: HtmxHttpRequest) -> HttpResponse:
    """Link two tasks from the Gantt toolbar; a loop is refused with the loop spelled out."""
    form = DependencyForm(request.POST, tasks=Task.objects.visible_to(request.user))
    if not form.is_valid():
        raise InvalidInput(
            f"Choose two different tasks, a dependency type and a lag in working days "
            f"(−{MAX_LAG_DAYS} to {MAX_LAG_DAYS})."
        )
    data = form.cleaned_data
    predecessor, successor = data["predecessor"], data["successor"]
    dependency_add(
        predecessor=predecessor, successor=successor, type=data["type"], lag_days=data["lag_days"], user=request.user
    )
    messages.success(request, f"“{successor.title}” now waits for “{predecessor.title}” ({data['type']}).")
    return _redrawn_chart(request)


def _redrawn_chart(request: HtmxHttpRequest) -> HttpResponse:
    """After a write: the redrawn chart for HTMX, or back to the Gantt with the same window and filters."""
    if not request.htmx:
        return redirect(f"{reverse('wbs:gantt')}?{chart_query(request.GET)}")
    response = _render_chart(request)
    response["HX-Retarget"] = "#gantt"
    response["HX-Reswap"] = "outerHTML"
    return response
