"""The Gantt timeline (/gantt/): a server-drawn SVG of a date window, rescheduling with a preview, dependencies."""

import datetime
import functools
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Value
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from bookings.models import Booking
from core.errors import InvalidInput
from core.roles import manager_required
from core.urls_helpers import url_for_each
from wbs.filters import TaskFilter
from wbs.models import DependencyType, Task, TaskDependency
from wbs.scheduling import WorkCalendar, critical_task_ids
from wbs.services.dependencies import dependency_add
from wbs.services.schedule import schedule_apply, schedule_preview

GANTT_TEMPLATE = "wbs/gantt.html"
ROW_HEIGHT = 32
HEADER_HEIGHT = 44
BAR_HEIGHT = 18
# Arrows leave and enter a bar through a short horizontal elbow, so the arrowhead stays visible.
ELBOW = 8
# Stubs that must pass a bar run along this line near the top of its row, above the bar.
STUB_LANE = 3
# A stub shorter than this (its bar reaches the chart's edge) is drawn this long along the lane instead.
STUB_MIN_LENGTH = 14
# Stub labels are 10 px text: about 6 px a character; fewer than this many characters is not worth a label.
LABEL_CHAR_WIDTH = 6
LABEL_MIN_CHARS = 6
LABEL_GAP = 4


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

    @functools.cached_property
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
    try:
        start = datetime.date.fromisoformat(request.GET["start"])
    except (KeyError, ValueError):
        start = window_start(zoom, timezone.localdate())
    return Window(zoom, start, days)


def window_start(zoom: Zoom, day: datetime.date) -> datetime.date:
    """Where a window that shows `day` starts: the day itself, the Monday a week before it, or its month's first."""
    if zoom.name == "day":
        return day
    if zoom.name == "month":
        return day.replace(day=1)
    # A week before, from its Monday: the work just done stays in view next to what comes.
    return day - datetime.timedelta(days=day.weekday() + 7)


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
        # What a drag starts from (a task with one date is drawn, and dragged, as a one-day bar).
        "start": start.isoformat(),
        "due": due.isoformat(),
    }


def _bars_svg(rows: list[Row]) -> str:
    """The bars and milestones as SVG links that open the task's date form (hx-target on their group).

    Written here rather than in the template: a page draws up to GANTT_MAX_ROWS of them, and the template
    engine took 50 µs a bar, the largest part of a big page's time. Titles and links are escaped; the rest are
    numbers and names from this module.
    """
    parts = []
    for row in rows:
        bar = row.bar
        if bar is None:
            continue
        url = escape(row.url)
        if bar["milestone"]:
            shape = (
                f'<polygon class="gantt-milestone{" gantt-critical" if bar["critical"] else ""}" '
                f'points="{bar["points"]}"/>'
            )
        else:
            shape = (
                f'<rect class="{bar["classes"]}" x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" '
                f'height="{BAR_HEIGHT}" rx="4"/>'
            )
            if bar["progress"]:
                shape += (
                    f'<rect class="gantt-progress" x="{bar["x"]}" y="{bar["y"]}" width="{bar["progress"]}" '
                    f'height="{BAR_HEIGHT}" rx="4"/>'
                )
        parts.append(
            f'<a class="gantt-item" id="gantt-task-{row.task.pk}" href="{url}" hx-get="{url}" '
            f'data-task="{row.task.pk}" data-start="{bar["start"]}" data-due="{bar["due"]}">'
            f"<title>{escape(bar['tooltip'])}</title>{shape}</a>"
        )
    return mark_safe("\n".join(parts))


@functools.lru_cache(maxsize=1024)
def _short(day: datetime.date | None) -> str:
    # Cached: a page writes the same few dozen dates into hundreds of tooltips.
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


def _dependencies(bars: dict, filterset: TaskFilter, *, with_order: bool):
    """Every dependency with an end drawn on this page, with what a stub needs of the other end: whether it is
    deleted, its title and dates, whether the filters show it and, `with_order`, its place in the row order.

    One query: the links into the drawn tasks and the links out of them to tasks not drawn, each half joined
    only to its other end. Deleted other ends are left out by the caller: asked to filter on them, SQLite walks
    the deleted_at index over every live task instead of reading the few links.
    """

    def half(drawn: str, other: str):
        # Without filters every live task is shown; with them, each other end is looked up by its id.
        shown = Exists(filterset.qs.filter(pk=OuterRef(f"{other}_id"))) if filterset.form.has_changed() else Value(True)
        fields = _OTHER_END_FIELDS + (_OTHER_END_ORDER if with_order else ())
        return (
            TaskDependency.objects.filter(**{f"{drawn}_id__in": bars})
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
    outgoing = half("predecessor", "successor").exclude(successor_id__in=bars)
    return incoming.union(outgoing, all=True)


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


class OtherEnd(NamedTuple):
    """The task at the far end of a stub: a dependency's end that is not drawn on this page."""

    pk: int
    title: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    order: tuple  # what row_key() needs; only stubs to rows on other pages compare it
    shown: bool

    @property
    def row_key(self) -> tuple:
        return row_key(*self.order, self.start_date, self.due_date, self.pk)


def _null_last(value) -> tuple:
    # Ascending order puts NULL last on PostgreSQL and first on SQLite: the row order is the database's.
    if value is None:
        return (1,) if connection.features.nulls_order_largest else (-1,)
    return (0, value)


def row_key(wbs_item_id, project_name, project_id, wbs_code, property_id, property_name, start, due, pk) -> tuple:
    """A task's place in the Gantt's row order, as Task.objects.for_gantt_view() sorts them.

    The WBS item's code stands in for its sort key: both number the item's place in the tree level by level
    (`1.10` is `0001.0010`), and the code is what a Gantt row loads anyway.

    Names compare by code point here: with a C collation (SQLite; PostgreSQL here) that is the database's
    order; elsewhere two groups whose names differ only in case or accents may compare the other way, and a
    stub then points up instead of down. Its link still finds the right page (the database decides there).
    """
    if wbs_item_id:
        group, label, group_id = 1, project_name, project_id
    else:
        group, label, group_id = (0, property_name, property_id) if property_id else (2, None, None)
    return (
        group,
        _null_last(label),
        _null_last(group_id),
        _null_last(tuple(int(part) for part in wbs_code.split(".")) if wbs_item_id else None),
        _null_last(start),
        _null_last(due),
        pk,
    )


def _task_row_key(task: Task) -> tuple:
    wbs = task.wbs_item
    return row_key(
        task.wbs_item_id,
        wbs.project.name if wbs else None,
        wbs.project_id if wbs else None,
        wbs.code if wbs else None,
        task.property_id,
        task.property.name if task.property_id else None,
        task.start_date,
        task.due_date,
        task.pk,
    )


def _anchor(bar: dict, kind: str, incoming: bool) -> tuple[int, int]:
    """Where a dependency meets a drawn bar, and which way its elbow leaves (-1 left of the start, 1 right of the
    end). FS and FF leave the predecessor's end, SS and SF its start; FS and SS enter the successor's start."""
    at_end = (
        kind in (DependencyType.FF, DependencyType.SF) if incoming else kind in (DependencyType.FS, DependencyType.FF)
    )
    return (bar["end_anchor"], 1) if at_end else (bar["start_anchor"], -1)


def stub_geometry(bar: dict, row_y: int, *, kind: str, incoming: bool, side: str, width: int) -> dict:
    """The path of a stub between a drawn bar and the chart's edge where the other task is, and where its label fits.

    Left and right stubs run in the bar's own row to that edge (the row holds nothing else); top and bottom
    stubs are a short hook to the row's edge, since a line to the top of the chart would cross every row.
    An incoming stub ends at the bar (arrowhead on the bar); an outgoing one ends at the edge.
    """
    anchor, out = _anchor(bar, kind, incoming)
    cy, lane = bar["cy"], row_y + STUB_LANE
    elbow = anchor + out * ELBOW
    if side in ("left", "right"):
        edge, toward = (0, -1) if side == "left" else (width, 1)
        if abs(edge - anchor) < STUB_MIN_LENGTH:
            # The bar runs into this edge: a short arrow along the lane says that the link carries on past it.
            inner = edge - toward * STUB_MIN_LENGTH
            points = [(edge, lane), (inner, lane)]
        elif out == toward:
            points = [(edge, cy), (anchor, cy)]
        else:
            # The anchor faces away from the edge: go round above the bar.
            points = [(edge, lane), (elbow, lane), (elbow, cy), (anchor, cy)]
        label_edge, label_toward = edge, toward
    else:
        # Kept inside the row, so the arrowhead of a hook on the last row is not cut off by the chart's edge.
        boundary = row_y + STUB_LANE if side == "top" else row_y + ROW_HEIGHT - STUB_LANE
        points = [(elbow, boundary), (elbow, cy), (anchor, cy)]
        label_edge, label_toward = elbow, out
    if not incoming:
        points.reverse()
    path = _path(points)
    # The label sits in the free part of the row on the stub's side of the bar.
    if label_toward < 0:
        free = bar["x"] - ELBOW - LABEL_GAP if side in ("left", "right") else label_edge - LABEL_GAP
        x, text_anchor = (LABEL_GAP, "start") if side == "left" else (label_edge - LABEL_GAP, "end")
    else:
        bar_end = bar["x"] + bar["width"]
        free = width - bar_end - ELBOW - LABEL_GAP if side in ("left", "right") else width - label_edge - LABEL_GAP
        x, text_anchor = (width - LABEL_GAP, "end") if side == "right" else (label_edge + LABEL_GAP, "start")
    label_y = cy - LABEL_GAP if side in ("left", "right") else cy + LABEL_GAP
    return {
        "path": path,
        "label_x": x,
        "label_y": label_y,
        "label_anchor": text_anchor,
        "label_room": max(free, 0),
        "label_before": label_toward < 0,
    }


def _path(points: list[tuple[int, int]]) -> str:
    """An SVG path through points joined by horizontal and vertical lines."""
    (x0, y0), *rest = points
    parts = [f"M{x0},{y0}"]
    for x, y in rest:
        if x != x0:
            parts.append(f"H{x}")
        elif y != y0:
            parts.append(f"V{y}")
        x0, y0 = x, y
    return " ".join(parts)


def fit_label(text: str, room: int) -> str:
    """`text` cut to the pixels available (with an ellipsis), or "" when too few characters would fit."""
    chars = room // LABEL_CHAR_WIDTH
    if chars < LABEL_MIN_CHARS:
        return ""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


_WHERE = {
    "left": ("←", "before this window"),
    "right": ("→", "after this window"),
    "top": ("↑", "on an earlier page"),
    "bottom": ("↓", "on a later page"),
}


def _stub_side(other: OtherEnd, incoming: bool, window: Window, page: Page, first_key: tuple) -> str:
    """Which edge the other task lies beyond: left or right of the date window, above or below this page."""
    first, last = other.start_date or other.due_date, other.due_date or other.start_date
    if first is None:
        return "left" if incoming else "right"
    if last < window.start:
        return "left"
    if first > window.end:
        return "right"
    if not other.shown or not page.has_previous():
        return "bottom"
    if not page.has_next():
        return "top"
    return "top" if other.row_key < first_key else "bottom"


def _links(request, window: Window, rows: list[Row], page: Page, filterset: TaskFilter, critical: frozenset):
    """The SVG of the arrows between the tasks drawn here and of stubs for links whose other end is off the chart.

    One query. Links of a bar that would draw the same stub (several predecessors on earlier pages, say) are one
    stub whose tooltip names them all: they would lie on top of each other anyway.
    """
    bars = {row.task.pk: row for row in rows if row.task is not None}
    if not bars:
        return ""
    # Rows on other pages are above on the last page and below on the first; in between, the order decides.
    middle_page = page.has_previous() and page.has_next()
    first_key = _task_row_key(next(iter(bars.values())).task) if middle_page else None
    links = FocusLinks(request, window)
    arrows, stubs = [], {}
    for predecessor, successor, kind, lag, shown, deleted, title, start, due, *order in _dependencies(
        bars, filterset, with_order=middle_page
    ):
        if deleted is not None:
            continue
        if predecessor in bars and successor in bars:
            arrows.append(
                _arrow(bars[predecessor].bar, bars[successor].bar, predecessor, successor, kind, lag, critical)
            )
            continue
        incoming = successor in bars
        drawn, other_id = (successor, predecessor) if incoming else (predecessor, successor)
        other = OtherEnd(other_id, title, start, due, tuple(order), shown)
        side = _stub_side(other, incoming, window, page, first_key)
        where, url = _where(side, other, links)
        role = "Waits for" if incoming else "Comes before"
        lag_text = f" {lag:+d} working days" if lag else ""
        line = f"{role} “{title}” ({_short(start)} → {_short(due)}), {kind}{lag_text}: {where}"
        is_critical = drawn in critical and other_id in critical
        stub = stubs.get((drawn, incoming, side, kind))
        if stub is not None:
            stub["tooltip"] += "\n" + line
            stub["count"] += 1
            stub["critical"] = stub["critical"] or is_critical
            continue
        row = bars[drawn]
        stubs[drawn, incoming, side, kind] = {
            **stub_geometry(row.bar, row.y, kind=kind, incoming=incoming, side=side, width=window.width),
            "side": side,
            "type": kind,
            "task": drawn,
            "other": other_id,
            "url": url,
            "title": f"{_WHERE[side][0]} {title}",
            "tooltip": line,
            "critical": is_critical,
            "count": 1,
        }
    return _links_svg(arrows, list(stubs.values()))


def _links_svg(arrows: list[dict], stubs: list[dict]) -> str:
    """Arrows and stubs as SVG. Written here rather than in the template: at 10,000 tasks a page of 300 rows has
    about 500 stubs, and the template engine took longer over them than over the rest of the chart. Every text
    and link is escaped; the rest are numbers and names from this module."""
    parts = []
    for arrow in arrows:
        critical = "-critical" if arrow["critical"] else ""
        lag = f" {arrow['lag']:+d} working days" if arrow["lag"] else ""
        parts.append(
            f'<path class="gantt-arrow gantt-arrow-{arrow["type"]}{" is-critical" if critical else ""}" '
            f'd="{arrow["path"]}" data-from="{arrow["from"]}" data-to="{arrow["to"]}" '
            f'marker-end="url(#gantt-arrowhead{critical})"><title>{arrow["type"]}{lag}</title></path>'
        )
    _label_stubs(stubs)
    for stub in stubs:
        critical = "-critical" if stub["critical"] else ""
        if stub["label"]:
            clickable = (
                f'<text class="gantt-stub-label" x="{stub["label_x"]}" y="{stub["label_y"]}" '
                f'text-anchor="{stub["label_anchor"]}">{escape(stub["label"])}</text>'
            )
        else:
            # Without a label, a wider invisible line is what the pointer finds.
            clickable = f'<path class="gantt-stub-hit" d="{stub["path"]}"/>'
        parts.append(
            f'<a class="gantt-stub gantt-stub-{stub["side"]}{" is-critical" if critical else ""}" '
            f'href="{escape(stub["url"])}" data-task="{stub["task"]}" data-other="{stub["other"]}">'
            f"<title>{escape(stub['tooltip'])}</title>"
            f'<path class="gantt-arrow gantt-arrow-{stub["type"]}" d="{stub["path"]}" '
            f'marker-end="url(#gantt-arrowhead{critical})"/>{clickable}</a>'
        )
    return mark_safe("\n".join(parts))


def _arrow(source: dict, target: dict, predecessor: int, successor: int, kind: str, lag: int, critical) -> dict:
    x1, out1 = _anchor(source, kind, incoming=False)
    x2, out2 = _anchor(target, kind, incoming=True)
    y1, y2 = source["cy"], target["cy"]
    mid_y = y2 - ROW_HEIGHT // 2 if y2 > y1 else y2 + ROW_HEIGHT // 2
    path = f"M{x1},{y1} H{x1 + out1 * ELBOW} V{mid_y} H{x2 + out2 * ELBOW} V{y2} H{x2}"
    return {
        "path": path,
        "type": kind,
        "lag": lag,
        "from": predecessor,
        "to": successor,
        "critical": predecessor in critical and successor in critical,
    }


class FocusLinks:
    """Links to the Gantt that shows a given task (see _show_focus), keeping the URL's zoom and filters.

    The query strings are built once per page: a page of 300 rows can have a thousand stubs.
    """

    def __init__(self, request, window: Window):
        gantt = reverse("wbs:gantt")
        self.window = window
        self.here = f"{gantt}?{_and(_query(request), 'focus=')}"
        self.elsewhere = f"{gantt}?{_and(_query(request, start=None), 'start=')}"

    def gantt(self, other: "OtherEnd") -> str:
        """This window if `other`'s dates are in it, else a window from its start; the page is found on the way."""
        first, last = other.start_date or other.due_date, other.due_date or other.start_date
        if first <= self.window.end and last >= self.window.start:
            return f"{self.here}{other.pk}"
        return f"{self.elsewhere}{window_start(self.window.zoom, first).isoformat()}&focus={other.pk}"


def _and(query: str, parameter: str) -> str:
    return f"{query}&{parameter}" if query else parameter


def _where(side: str, other: OtherEnd, links: "FocusLinks") -> tuple[str, str]:
    """Where a stub's other task is, in words, and the link that shows it."""
    if other.start_date is None and other.due_date is None:
        # No Gantt shows it: its task page does. (Rare, so reversing the URL each time costs nothing.)
        return "has no dates", reverse("wbs:task_detail", args=[other.pk])
    if not other.shown:
        return "hidden by the filters", reverse("wbs:task_detail", args=[other.pk])
    return _WHERE[side][1], links.gantt(other)


def _label_stubs(stubs: list[dict]) -> None:
    """One label per side of a bar: the first other task's name, and how many more have a stub on that side."""
    by_place: dict[tuple, list[dict]] = {}
    for stub in stubs:
        by_place.setdefault((stub["task"], stub["label_before"]), []).append(stub)
    for group in by_place.values():
        for stub in group:
            stub["label"] = ""
        first = group[0]
        others = sum(stub["count"] for stub in group) - 1
        more = f" +{others}" if others else ""
        text = fit_label(first["title"], first["label_room"] - len(more) * LABEL_CHAR_WIDTH)
        first["label"] = text + more if text else ""


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
    for name in ("start_date", "due_date", "page", "focus"):
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
    links_svg = _links(request, window, rows, page, filterset, critical)
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
        "links_svg": links_svg,
        "stays": [stay for row in rows for stay in row.strip],
        "bars_svg": _bars_svg(rows),
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
    if "focus" in request.GET:
        return _show_focus(request)
    return _render_gantt(request)


def _show_focus(request: HtmxHttpRequest) -> HttpResponse:
    """Go to the page of rows that holds the task a stub links to, with that task marked (`#gantt-task-…`).

    The page is found only here, when someone follows a stub: drawing the chart never counts rows per stub.
    """
    try:
        task = Task.objects.visible_to(request.user).get(pk=int(request.GET["focus"]))
    except (ValueError, Task.DoesNotExist):
        return redirect(f"{reverse('wbs:gantt')}?{_query(request)}")
    window = window_from(request)
    filterset = TaskFilter(request.GET, queryset=Task.objects.all())
    order = []
    if filterset.is_valid():
        order = list(filterset.qs.for_gantt_view(start=window.start, end=window.end).values_list("pk", flat=True))
    if task.pk in order:
        page = order.index(task.pk) // settings.GANTT_MAX_ROWS + 1
        url = f"{reverse('wbs:gantt')}?{_query(request, page=page)}#gantt-task-{task.pk}"
    else:
        # Moved out of this window, or no longer matching the filters since the stub was drawn.
        url = task.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


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
