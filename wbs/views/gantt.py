"""The Gantt timeline (/gantt/): a server-drawn SVG of a date window, rescheduling with a preview, dependencies."""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from bookings.models import Booking
from core.errors import InvalidInput
from core.roles import manager_required
from wbs.filters import TaskFilter
from wbs.models import DependencyType, Task, TaskDependency
from wbs.scheduling import WorkCalendar, critical_task_ids
from wbs.services.dependencies import dependency_add
from wbs.services.schedule import schedule_apply, schedule_preview
from wbs.views.links import url_for_each

GANTT_TEMPLATE = "wbs/gantt.html"
ROW_HEIGHT = 32
HEADER_HEIGHT = 44
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Zoom:
    name: str
    label: str
    day_width: int


# Each default window is about 1,000 px wide: it fills a desktop screen beside the labels and fits a landscape page.
ZOOMS = {
    "day": Zoom("day", "Day", 72),
    "week": Zoom("week", "Week", 24),
    "month": Zoom("month", "Month", 8),
}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass
class Window:
    zoom: Zoom
    start: datetime.date
    days: int

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=self.days - 1)

    @property
    def width(self) -> int:
        return self.days * self.zoom.day_width

    def x(self, day: datetime.date) -> int:
        return (day - self.start).days * self.zoom.day_width

    def clip(self, day: datetime.date) -> datetime.date:
        return min(max(day, self.start), self.end)


@dataclass
class Row:
    kind: str  # "project", "wbs", "property", "other" or "task"
    label: str
    y: int
    code: str = ""
    task: Task | None = None
    group_id: int | None = None
    bar: dict | None = None
    url: str = ""
    strip: list = field(default_factory=list)


def window_from(request) -> Window:
    zoom = ZOOMS.get(request.GET.get("zoom", ""), ZOOMS["week"])
    days = {"day": 14, "week": settings.GANTT_DEFAULT_DAYS, "month": settings.GANTT_DEFAULT_DAYS * 3}[zoom.name]
    today = timezone.localdate()
    try:
        start = datetime.date.fromisoformat(request.GET["start"])
    except (KeyError, ValueError):
        # A week ago, from its Monday: the work just done stays in view next to what comes.
        start = today - datetime.timedelta(days=today.weekday() + 7) if zoom.name != "day" else today
        if zoom.name == "month":
            start = today.replace(day=1)
    return Window(zoom, start, days)


def _bar(window: Window, task: Task, y: int, critical: frozenset) -> dict:
    start = task.start_date or task.due_date
    due = task.due_date or task.start_date
    left = window.x(window.clip(start))
    right = window.x(window.clip(due)) + window.zoom.day_width
    width = max(right - left, 4)
    classes = ["gantt-bar", f"gantt-status-{task.status}"]
    if task.pk in critical:
        classes.append("gantt-critical")
    cx, cy = window.x(window.clip(due)) + window.zoom.day_width // 2, y + ROW_HEIGHT // 2
    # Built here rather than with template filters: a page draws up to GANTT_MAX_ROWS of these.
    tooltip = f"{task.title}: {_short(task.start_date)} → {_short(task.due_date)}, {task.progress}% done"
    return {
        "tooltip": tooltip + (", on the critical path" if task.pk in critical else ""),
        "critical": task.pk in critical,
        "points": f"{cx},{cy - 9} {cx + 9},{cy} {cx},{cy + 9} {cx - 9},{cy}",
        "x": left,
        "y": y + (ROW_HEIGHT - BAR_HEIGHT) // 2,
        "width": width,
        "progress": round(width * min(task.progress, 100) / 100),
        "classes": " ".join(classes),
        "milestone": task.is_milestone,
        "cx": window.x(window.clip(due)) + window.zoom.day_width // 2,
        "cy": y + ROW_HEIGHT // 2,
        "start_anchor": left,
        "end_anchor": left + width,
        "clipped_left": start < window.start,
        "clipped_right": due > window.end,
        "label_x": left + width + 6,
    }


def _short(day: datetime.date | None) -> str:
    return f"{day.day} {day:%b}" if day else "?"


def _rows(window: Window, tasks: list[Task], critical: frozenset) -> list[Row]:
    """Group headers and task rows in display order: projects and WBS items, then properties, then the rest."""
    rows: list[Row] = []
    project = wbs_item = group_property = None
    other_started = False
    for task in tasks:
        if task.wbs_item_id:
            if task.wbs_item.project_id != project:
                project, wbs_item, group_property = task.wbs_item.project_id, None, None
                rows.append(Row("project", task.wbs_item.project.name, 0))
            if task.wbs_item_id != wbs_item:
                wbs_item = task.wbs_item_id
                rows.append(Row("wbs", task.wbs_item.title, 0, code=task.wbs_item.code))
        elif task.property_id:
            if task.property_id != group_property:
                project, wbs_item, group_property = None, None, task.property_id
                rows.append(Row("property", task.property.name, 0, code=task.property.code, group_id=task.property_id))
        elif not other_started:
            other_started = True
            project = wbs_item = group_property = None
            rows.append(Row("other", "Other tasks", 0))
        rows.append(Row("task", task.title, 0, task=task))
    for number, row in enumerate(rows):
        row.y = HEADER_HEIGHT + number * ROW_HEIGHT
        if row.task is not None:
            row.bar = _bar(window, row.task, row.y, critical)
    return rows


def _occupancy(window: Window, rows: list[Row]) -> None:
    """Each property's bookings in the window, as a strip on the property's header row: one query."""
    property_rows = {row.group_id: row for row in rows if row.kind == "property"}
    if not property_rows:
        return
    bookings = (
        Booking.objects.not_cancelled()
        .overlapping(window.start, window.end + datetime.timedelta(days=1))
        .filter(property_id__in=property_rows)
        .order_by("check_in")
    )
    for booking in bookings:
        row = property_rows[booking.property_id]
        # A stay occupies its nights: from the check-in day up to (not including) the check-out day.
        left = window.x(window.clip(booking.check_in))
        right = window.x(window.clip(booking.check_out - datetime.timedelta(days=1))) + window.zoom.day_width
        row.strip.append({"booking": booking, "x": left, "width": max(right - left, 3), "y": row.y + 7, "height": 18})


def _arrows(rows: list[Row], critical: frozenset) -> list[dict]:
    """SVG paths for the dependencies between tasks drawn on this page: one query."""
    bars = {row.task.pk: row.bar for row in rows if row.task is not None}
    if not bars:
        return []
    # Selected by predecessor only, the successor checked here: given both lists of ids, SQLite probes the
    # (predecessor, successor) unique index once per pair of rows on the page (90,000 probes for 300 rows).
    links = TaskDependency.objects.filter(predecessor_id__in=bars).values_list(
        "predecessor_id", "successor_id", "type", "lag_days"
    )
    arrows = []
    for predecessor, successor, kind, lag in links:
        if successor not in bars:
            continue
        source, target = bars[predecessor], bars[successor]
        # FS and FF leave the predecessor's end, SS and SF its start; FS and SS enter the successor's start.
        from_end = kind in (DependencyType.FS, DependencyType.FF)
        to_start = kind in (DependencyType.FS, DependencyType.SS)
        x1 = source["end_anchor"] if from_end else source["start_anchor"]
        x2 = target["start_anchor"] if to_start else target["end_anchor"]
        y1, y2 = source["cy"], target["cy"]
        elbow = x1 + (8 if from_end else -8)
        approach = x2 - 8 if to_start else x2 + 8
        mid_y = y2 - ROW_HEIGHT // 2 if y2 > y1 else y2 + ROW_HEIGHT // 2
        path = f"M{x1},{y1} H{elbow} V{mid_y} H{approach} V{y2} H{x2}"
        arrows.append(
            {
                "path": path,
                "type": kind,
                "lag": lag,
                "from": predecessor,
                "to": successor,
                "critical": predecessor in critical and successor in critical,
            }
        )
    return arrows


def _scale(window: Window, calendar: WorkCalendar) -> dict:
    """Column shading for non-working days and the labels of the date header for the zoom level."""
    days, labels = [], []
    for offset in range(window.days):
        day = window.start + datetime.timedelta(days=offset)
        x = offset * window.zoom.day_width
        if not calendar.is_working(day):
            days.append({"x": x, "day": day})
        zoom = window.zoom.name
        if zoom == "day":
            labels.append({"x": x, "text": day.strftime("%a %-d"), "major": day.day == 1 or offset == 0, "day": day})
        elif zoom == "week" and day.weekday() == 0:
            labels.append({"x": x, "text": day.strftime("%-d %b"), "major": True, "day": day})
        elif zoom == "month" and (day.day == 1 or offset == 0):
            labels.append({"x": x, "text": day.strftime("%B %Y"), "major": True, "day": day})
        elif zoom == "month" and day.weekday() == 0:
            labels.append({"x": x, "text": day.strftime("%-d"), "major": False, "day": day})
    return {"non_working": days, "labels": labels}


def _query(request, **changes) -> str:
    query = request.GET.copy()
    for name in ("start_date", "due_date", "page"):
        query.pop(name, None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


def _keep(request) -> list[tuple[str, str]]:
    """The window and filters as hidden fields, so the date form's preview keeps them for the apply."""
    return [(name, value) for name, values in QueryDict(_query(request)).lists() for value in values]


def gantt_context(request) -> dict:
    """Everything the Gantt page draws for the window and filters in the URL, in a fixed number of queries."""
    window = window_from(request)
    filterset = TaskFilter(request.GET, queryset=Task.objects.all())
    tasks = (
        filterset.qs.for_gantt_view(start=window.start, end=window.end) if filterset.is_valid() else Task.objects.none()
    )
    page = Paginator(tasks, settings.GANTT_MAX_ROWS).get_page(request.GET.get("page"))
    calendar = WorkCalendar.from_settings()
    critical = critical_task_ids(calendar)
    rows = _rows(window, list(page.object_list), critical)
    _occupancy(window, rows)
    query = _query(request)
    preview_url = url_for_each("wbs:gantt_reschedule_preview")
    for row in rows:
        if row.task is not None:
            row.url = f"{preview_url(row.task.pk)}?{query}"
    today = timezone.localdate()
    height = HEADER_HEIGHT + len(rows) * ROW_HEIGHT
    step = datetime.timedelta(days=window.days if window.zoom.name != "month" else 91)
    return {
        "filterset": filterset,
        "window": window,
        "zooms": ZOOMS.values(),
        "rows": rows,
        "arrows": _arrows(rows, critical),
        "scale": _scale(window, calendar),
        "height": height,
        "today_x": window.x(today) + window.zoom.day_width // 2 if window.start <= today <= window.end else None,
        "page": page,
        "query": query,
        "keep": _keep(request),
        "zoom_queries": {zoom: _query(request, zoom=zoom, start=None) for zoom in ZOOMS},
        "previous_query": _query(request, start=(window.start - step).isoformat()),
        "next_query": _query(request, start=(window.start + step).isoformat()),
        "today_query": _query(request, start=None),
        "task_options": format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((row.task.pk, row.task.title) for row in rows if row.task is not None),
        ),
        "dependency_types": DependencyType.choices,
        "row_height": ROW_HEIGHT,
        "header_height": HEADER_HEIGHT,
        "critical_count": sum(1 for row in rows if row.task is not None and row.task.pk in critical),
    }


def _render_gantt(request: HtmxHttpRequest, extra: dict | None = None, *, partial: str = "gantt") -> HttpResponse:
    context = gantt_context(request) | (extra or {})
    template = f"{GANTT_TEMPLATE}#{partial}" if request.htmx else GANTT_TEMPLATE
    return render(request, template, context)


@require_GET
@manager_required
def gantt(request: HtmxHttpRequest) -> HttpResponse:
    return _render_gantt(request)


class DatesForm(forms.Form):
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be on or after the start date.")
        return cleaned


@require_GET
@manager_required
def gantt_reschedule_preview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The date form of a task; with dates given, every task the change would move and by how much."""
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    changing = "start_date" in request.GET or "due_date" in request.GET
    form = DatesForm(
        request.GET if changing else None, initial={"start_date": task.start_date, "due_date": task.due_date}
    )
    moves = None
    if changing and form.is_valid():
        moves = schedule_preview(task=task, **form.cleaned_data)
    panel = {"panel_task": task, "dates_form": form, "moves": moves}
    if request.htmx:
        return render(request, GANTT_TEMPLATE + "#panel", panel | {"query": _query(request), "keep": _keep(request)})
    return _render_gantt(request, panel)


@require_POST
@manager_required
def gantt_reschedule_apply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Move the task and its successors as previewed, all in one transaction; then redraw the chart."""
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    form = DatesForm(request.POST)
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
    return _rendered_chart(request)


class DependencyForm(forms.Form):
    predecessor = forms.IntegerField()
    successor = forms.IntegerField()
    type = forms.ChoiceField(choices=DependencyType.choices, initial=DependencyType.FS)
    lag_days = forms.IntegerField(initial=0, min_value=-365, max_value=365)


@require_POST
@manager_required
def gantt_dependency_add(request: HtmxHttpRequest) -> HttpResponse:
    """Link two tasks from the Gantt toolbar; a loop is refused with the loop spelled out."""
    form = DependencyForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Choose two tasks, a dependency type and a lag in working days (−365 to 365).")
    data = form.cleaned_data
    visible = Task.objects.visible_to(request.user)
    predecessor = get_object_or_404(visible, pk=data["predecessor"])
    successor = get_object_or_404(visible, pk=data["successor"])
    dependency_add(
        predecessor=predecessor, successor=successor, type=data["type"], lag_days=data["lag_days"], user=request.user
    )
    messages.success(request, f"“{successor.title}” now waits for “{predecessor.title}” ({data['type']}).")
    return _rendered_chart(request)


def _rendered_chart(request: HtmxHttpRequest) -> HttpResponse:
    """After a write: the redrawn chart for HTMX, or back to the Gantt with the same window and filters."""
    if not request.htmx:
        return redirect(f"{reverse('wbs:gantt')}?{_query(request)}")
    response = _render_gantt(request)
    response["HX-Retarget"] = "#gantt"
    response["HX-Reswap"] = "outerHTML"
    return response
