"""Where everything on the Gantt goes: the date window, rows, bars, arrows and stubs, as plain data.

Pure: these functions take tasks, links and dates already read and return dataclasses of coordinates and
texts; nothing here reads the database, a request or a URL (links are handed in as a function), so every
shape can be checked without either.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

from django.utils.formats import date_format

from wbs.models import DependencyType
from wbs.scheduling import WorkCalendar

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
# The dates a window may show. Far outside any plan, yet far enough from date.min and date.max that a window,
# its neighbours and the working-day arithmetic never overflow.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2199, 12, 31)


@dataclass(frozen=True)
class Zoom:
    name: str
    label: str
    day_width: int


# Each default window is about 1,000 px wide: it fills a desktop screen beside the labels and fits a landscape page.
# window_days() then adds the days that fill FRAME_WIDTH.
ZOOMS = {
    "day": Zoom("day", "Day", 72),
    "week": Zoom("week", "Week", 24),
    "month": Zoom("month", "Month", 8),
}


@dataclass
class Window:
    zoom: Zoom
    start: datetime.date
    days: int
    # How far Earlier and Later move in the day and week zooms (0: the whole window). The window is drawn a few
    # days wider than that to fill its frame; the step stays whole weeks, so windows keep starting on Mondays.
    step_days: int = 0

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

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


# The chart's frame beside the labels on a 1,440 px desktop (static/css/app.css): the 1,440 px container less the
# page's scroll bar (15), its padding (2 × 24), the 300 px label column and the borders (3).
FRAME_WIDTH = 1074
# The drawing is stretched or narrowed by up to this share to fit the frame it is in exactly (the SVG scales to the
# frame's width; rows keep their height): text 3 % wider or narrower is not seen, a gap at the chart's end is.
FIT_TOLERANCE = 0.03


def nominal_days(zoom: Zoom, default_days: int) -> int:
    """The span a zoom is about: two weeks of days, `default_days` of weeks, three times that of months."""
    return {"day": 14, "week": default_days, "month": default_days * 3}[zoom.name]


def window_days(zoom: Zoom, default_days: int) -> int:
    """How many days a zoom draws: its nominal span, and at least the days that fill FRAME_WIDTH, so the chart
    does not stop short of its frame."""
    return max(nominal_days(zoom, default_days), -(-FRAME_WIDTH // zoom.day_width))


def fit_widths(width: int) -> tuple[int, int]:
    """The narrowest and widest a chart `width` px wide may be drawn to fill its frame (see FIT_TOLERANCE)."""
    return int(width * (1 - FIT_TOLERANCE)), int(width * (1 + FIT_TOLERANCE))


def window_start(zoom: Zoom, day: datetime.date) -> datetime.date:
    """Where a window that shows `day` starts: the day itself, the Monday a week before it, or its month's first."""
    if zoom.name == "day":
        return day
    if zoom.name == "month":
        return day.replace(day=1)
    # A week before, from its Monday: the work just done stays in view next to what comes.
    return day - datetime.timedelta(days=day.weekday() + 7)


def clamp_start(start: datetime.date, days: int) -> datetime.date:
    """`start` moved, if need be, so that the whole window lies between EARLIEST_DAY and LATEST_DAY."""
    latest_start = LATEST_DAY - datetime.timedelta(days=days - 1)
    return min(max(start, EARLIEST_DAY), latest_start)


def step(window: Window) -> datetime.timedelta:
    """How far Earlier and Later move: a window's width, or a quarter in the month zoom."""
    if window.zoom.name == "month":
        return datetime.timedelta(days=91)
    return datetime.timedelta(days=window.step_days or window.days)


class GanttTask(Protocol):
    """What the layout reads of a task (a Task row from for_gantt_view fits)."""

    pk: Any
    title: str
    status: str
    progress: int
    is_milestone: bool
    start_date: datetime.date | None
    due_date: datetime.date | None


@dataclass(frozen=True, slots=True)
class Bar:
    """A task's bar (or diamond for a milestone) and where links meet it."""

    task_id: int
    x: int
    y: int
    width: int
    progress: int
    cx: int
    cy: int
    status: str
    critical: bool
    milestone: bool
    tooltip: str
    clipped_left: bool
    clipped_right: bool
    # What a drag starts from (a task with one date is drawn, and dragged, as a one-day bar).
    start: datetime.date
    due: datetime.date

    @property
    def start_anchor(self) -> int:
        return self.x

    @property
    def end_anchor(self) -> int:
        return self.x + self.width

    @property
    def diamond(self) -> tuple[tuple[int, int], ...]:
        cx, cy = self.cx, self.cy
        return ((cx, cy - 9), (cx + 9, cy), (cx, cy + 9), (cx - 9, cy))


def layout_bar(window: Window, task: GanttTask, y: int, critical: frozenset[int]) -> Bar:
    start = task.start_date or task.due_date
    due = task.due_date or task.start_date
    left = window.x(window.clip(start))
    right = window.x(window.clip(due)) + window.zoom.day_width
    width = max(right - left, 4)
    is_critical = task.pk in critical
    tooltip = f"{task.title}: {short_date(task.start_date)} → {short_date(task.due_date)}, {task.progress}% done"
    return Bar(
        task_id=task.pk,
        x=left,
        y=y + (ROW_HEIGHT - BAR_HEIGHT) // 2,
        width=width,
        progress=round(width * min(task.progress, 100) / 100),
        cx=window.x(window.clip(due)) + window.zoom.day_width // 2,
        cy=y + ROW_HEIGHT // 2,
        status=task.status,
        critical=is_critical,
        milestone=task.is_milestone,
        tooltip=tooltip + (", on the critical path" if is_critical else ""),
        clipped_left=start < window.start,
        clipped_right=due > window.end,
        start=start,
        due=due,
    )


@dataclass(frozen=True, slots=True)
class Ghost:
    """Where a task the reschedule preview would move is drawn at its new dates: a dashed bar in its row.

    The row (y) is found in the page by the task's bar, since the preview panel is drawn apart from the chart; a
    task with no bar on this page of rows has no ghost, and the preview's table says so.
    """

    task_id: int
    x: int
    width: int
    clipped_left: bool
    clipped_right: bool


def layout_ghost(window: Window, task_id: int, start: datetime.date, due: datetime.date) -> Ghost | None:
    """The ghost of a task moved to `start` … `due`, as its bar would be drawn; None when those dates are wholly
    outside the window."""
    if due < window.start or start > window.end:
        return None
    left = window.x(window.clip(start))
    right = window.x(window.clip(due)) + window.zoom.day_width
    return Ghost(task_id, left, max(right - left, 4), start < window.start, due > window.end)


@functools.lru_cache(maxsize=1024)
def short_date(day: datetime.date | None) -> str:
    # Cached: a page writes the same few dozen dates into hundreds of tooltips.
    return f"{day.day} {day:%b}" if day else "?"


# A stay's guest name is 11 px semi-bold text: about 7 px a character, 5 px from the strip's ends.
STAY_CHAR_WIDTH = 7
STAY_LABEL_PAD = 5
STAY_LABEL_MIN_CHARS = 3


@dataclass(frozen=True, slots=True)
class Stay:
    """A booking's nights on its property's header row, and its guest's name inside the strip or just after it."""

    booking: Any
    x: int
    y: int
    width: int
    height: int = 18
    label: str = ""
    label_x: int = 0
    label_inside: bool = True


@dataclass
class Row:
    kind: str  # "project", "wbs", "property", "other" or "task"
    label: str
    y: int
    code: str = ""
    task: Any = None
    group_id: int | None = None
    bar: Bar | None = None
    url: str = ""
    strip: list[Stay] = field(default_factory=list)


def layout_rows(window: Window, tasks: Iterable[Any], critical: frozenset[int]) -> list[Row]:
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
            row.bar = layout_bar(window, row.task, row.y, critical)
    return rows


def place_stays(window: Window, rows: list[Row], bookings: Iterable[Any]) -> None:
    """Each booking as a strip on its property's header row (bookings of properties without a row are skipped)."""
    property_rows = {row.group_id: row for row in rows if row.kind == "property"}
    for booking in bookings:
        row = property_rows.get(booking.property_id)
        if row is None:
            continue
        # A stay occupies its nights: from the check-in day up to (not including) the check-out day.
        left = window.x(window.clip(booking.check_in))
        right = window.x(window.clip(booking.check_out - datetime.timedelta(days=1))) + window.zoom.day_width
        row.strip.append(Stay(booking, left, row.y + 7, max(right - left, 3)))
    for row in property_rows.values():
        row.strip = label_stays(row.strip, window.width)


def label_stays(stays: list[Stay], width: int) -> list[Stay]:
    """Each stay with its guest's name where it fits: inside the strip (cut with an ellipsis if need be), else in
    the free space after it up to the next stay or the chart's end, else none (the strip's tooltip names them).

    Stays are drawn in the order returned (by x), so a stay that overlaps the next one (a double booking) shows
    only its part before the next one starts: its name is fitted to that part. A name never runs under another
    strip or off the chart.
    """
    stays = sorted(stays, key=lambda stay: (stay.x, stay.width))
    labelled = []
    for number, stay in enumerate(stays):
        name = str(stay.booking.guest_name or "")
        end = stay.x + stay.width
        later = stays[number + 1 :]
        # Where the next strip (drawn over this one) starts, if it starts before this one ends.
        covered_from = min((other.x for other in later if other.x < end), default=end)
        inside = fit_label(
            name, covered_from - stay.x - 2 * STAY_LABEL_PAD, char_width=STAY_CHAR_WIDTH, min_chars=STAY_LABEL_MIN_CHARS
        )
        if inside or covered_from < end:
            labelled.append(replace(stay, label=inside, label_x=stay.x + STAY_LABEL_PAD, label_inside=True))
            continue
        following = min((other.x for other in later if other.x >= end), default=width)
        beside = fit_label(
            name, following - end - 2 * STAY_LABEL_PAD, char_width=STAY_CHAR_WIDTH, min_chars=STAY_LABEL_MIN_CHARS
        )
        labelled.append(replace(stay, label=beside, label_x=end + STAY_LABEL_PAD, label_inside=False))
    return labelled


def _null_last(value: Any, nulls_largest: bool) -> tuple:
    # Ascending order puts NULL last on PostgreSQL and first on SQLite: the row order is the database's.
    if value is None:
        return (1,) if nulls_largest else (-1,)
    return (0, value)


def row_key(
    wbs_item_id, project_name, project_id, wbs_code, property_id, property_name, start, due, pk, *, nulls_largest: bool
) -> tuple:
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
        _null_last(label, nulls_largest),
        _null_last(group_id, nulls_largest),
        _null_last(tuple(int(part) for part in wbs_code.split(".")) if wbs_item_id else None, nulls_largest),
        _null_last(start, nulls_largest),
        _null_last(due, nulls_largest),
        pk,
    )


def task_row_key(task: Any, *, nulls_largest: bool) -> tuple:
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
        nulls_largest=nulls_largest,
    )


class OtherEnd(NamedTuple):
    """The task at the far end of a stub: a dependency's end that is not drawn on this page."""

    pk: int
    title: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    order: tuple  # what row_key() needs; only stubs to rows on other pages compare it
    shown: bool

    def row_key(self, *, nulls_largest: bool) -> tuple:
        return row_key(*self.order, self.start_date, self.due_date, self.pk, nulls_largest=nulls_largest)

    @property
    def first_day(self) -> datetime.date | None:
        return self.start_date or self.due_date

    @property
    def last_day(self) -> datetime.date | None:
        return self.due_date or self.start_date


def anchor(bar: Bar, kind: str, incoming: bool) -> tuple[int, int]:
    """Where a dependency meets a drawn bar, and which way its elbow leaves (-1 left of the start, 1 right of the
    end). FS and FF leave the predecessor's end, SS and SF its start; FS and SS enter the successor's start."""
    at_end = (
        kind in (DependencyType.FF, DependencyType.SF) if incoming else kind in (DependencyType.FS, DependencyType.FF)
    )
    return (bar.end_anchor, 1) if at_end else (bar.start_anchor, -1)


@dataclass(frozen=True, slots=True)
class Arrow:
    """A link between two bars drawn on this page."""

    path: str
    type: str
    lag: int
    predecessor: int
    successor: int
    critical: bool


def layout_arrow(source: Bar, target: Bar, kind: str, lag: int) -> Arrow:
    x1, out1 = anchor(source, kind, incoming=False)
    x2, out2 = anchor(target, kind, incoming=True)
    y1, y2 = source.cy, target.cy
    mid_y = y2 - ROW_HEIGHT // 2 if y2 > y1 else y2 + ROW_HEIGHT // 2
    return Arrow(
        path=f"M{x1},{y1} H{x1 + out1 * ELBOW} V{mid_y} H{x2 + out2 * ELBOW} V{y2} H{x2}",
        type=kind,
        lag=lag,
        predecessor=source.task_id,
        successor=target.task_id,
        critical=source.critical and target.critical,
    )


@dataclass(frozen=True, slots=True)
class StubGeometry:
    path: str
    label_x: int
    label_y: int
    label_anchor: str  # SVG text-anchor: "start" or "end"
    label_room: int  # pixels free for the label
    label_before: bool  # the label sits before (left of) the bar


def stub_geometry(bar: Bar, row_y: int, *, kind: str, incoming: bool, side: str, width: int) -> StubGeometry:
    """The path of a stub between a drawn bar and the chart's edge where the other task is, and where its label fits.

    Left and right stubs run in the bar's own row to that edge (the row holds nothing else); top and bottom
    stubs are a short hook to the row's edge, since a line to the top of the chart would cross every row.
    An incoming stub ends at the bar (arrowhead on the bar); an outgoing one ends at the edge.
    """
    at, out = anchor(bar, kind, incoming)
    cy, lane = bar.cy, row_y + STUB_LANE
    elbow = at + out * ELBOW
    if side in ("left", "right"):
        edge, toward = (0, -1) if side == "left" else (width, 1)
        if abs(edge - at) < STUB_MIN_LENGTH:
            # The bar runs into this edge: a short arrow along the lane says that the link carries on past it.
            inner = edge - toward * STUB_MIN_LENGTH
            points = [(edge, lane), (inner, lane)]
        elif out == toward:
            points = [(edge, cy), (at, cy)]
        else:
            # The anchor faces away from the edge: go round above the bar.
            points = [(edge, lane), (elbow, lane), (elbow, cy), (at, cy)]
        label_edge, label_toward = edge, toward
    else:
        # Kept inside the row, so the arrowhead of a hook on the last row is not cut off by the chart's edge.
        boundary = row_y + STUB_LANE if side == "top" else row_y + ROW_HEIGHT - STUB_LANE
        points = [(elbow, boundary), (elbow, cy), (at, cy)]
        label_edge, label_toward = elbow, out
    if not incoming:
        points.reverse()
    # The label sits in the free part of the row on the stub's side of the bar.
    if label_toward < 0:
        free = bar.x - ELBOW - LABEL_GAP if side in ("left", "right") else label_edge - LABEL_GAP
        x, text_anchor = (LABEL_GAP, "start") if side == "left" else (label_edge - LABEL_GAP, "end")
    else:
        bar_end = bar.x + bar.width
        free = width - bar_end - ELBOW - LABEL_GAP if side in ("left", "right") else width - label_edge - LABEL_GAP
        x, text_anchor = (width - LABEL_GAP, "end") if side == "right" else (label_edge + LABEL_GAP, "start")
    return StubGeometry(
        path=orthogonal_path(points),
        label_x=x,
        label_y=cy - LABEL_GAP if side in ("left", "right") else cy + LABEL_GAP,
        label_anchor=text_anchor,
        label_room=max(free, 0),
        label_before=label_toward < 0,
    )


def orthogonal_path(points: list[tuple[int, int]]) -> str:
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


def fit_label(text: str, room: int, *, char_width: int = LABEL_CHAR_WIDTH, min_chars: int = LABEL_MIN_CHARS) -> str:
    """`text` cut to the pixels available (with an ellipsis), or "" when too few characters would fit."""
    chars = room // char_width
    if chars < min_chars or not text:
        return ""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


# Each side's arrow for a stub's title and the words for where the other task is.
WHERE = {
    "left": ("←", "before this window"),
    "right": ("→", "after this window"),
    "top": ("↑", "on an earlier page"),
    "bottom": ("↓", "on a later page"),
}


@dataclass(frozen=True, slots=True)
class PageSpot:
    """Where this page of rows sits among the pages, for the stubs to rows on other pages."""

    has_previous: bool
    has_next: bool
    nulls_largest: bool
    first_key: tuple | None = None  # row_key of the first task drawn; needed on middle pages only

    @property
    def middle(self) -> bool:
        return self.has_previous and self.has_next


def stub_side(other: OtherEnd, incoming: bool, window: Window, spot: PageSpot) -> str:
    """Which edge the other task lies beyond: left or right of the date window, above or below this page."""
    first, last = other.first_day, other.last_day
    if first is None:
        return "left" if incoming else "right"
    if last < window.start:
        return "left"
    if first > window.end:
        return "right"
    if not other.shown or not spot.has_previous:
        return "bottom"
    if not spot.has_next:
        return "top"
    return "top" if other.row_key(nulls_largest=spot.nulls_largest) < spot.first_key else "bottom"


@dataclass(slots=True)
class Stub:
    """Links of a drawn bar whose other task is off the chart, on one side: one arrow to that edge."""

    geometry: StubGeometry
    side: str
    type: str
    task_id: int
    other_id: int
    url: str
    title: str
    tooltip: str
    critical: bool
    count: int = 1
    label: str = ""


# A dependency as read for the chart: the two ends, type, lag, whether the filters show the other end, and the
# other end's deleted_at, title, start, due and (on middle pages) its place in the row order.
DependencyRow = tuple

# Given the side a stub leaves by and its other task: where that task is in words, and the link that shows it.
Locate = Callable[[str, OtherEnd], tuple[str, str]]


def layout_links(
    rows: list[Row],
    dependencies: Iterable[DependencyRow],
    window: Window,
    spot: PageSpot,
    critical: frozenset[int],
    locate: Locate,
) -> tuple[list[Arrow], list[Stub]]:
    """Arrows between the bars drawn here, and stubs for links whose other end is off the chart.

    Links of a bar that would draw the same stub (several predecessors on earlier pages, say) are one stub whose
    tooltip names them all: they would lie on top of each other anyway.
    """
    bars = {row.task.pk: row for row in rows if row.task is not None}
    arrows: list[Arrow] = []
    stubs: dict[tuple, Stub] = {}
    for predecessor, successor, kind, lag, shown, deleted, title, start, due, *order in dependencies:
        if deleted is not None:
            continue
        if predecessor in bars and successor in bars:
            arrows.append(layout_arrow(bars[predecessor].bar, bars[successor].bar, kind, lag))
            continue
        incoming = successor in bars
        drawn, other_id = (successor, predecessor) if incoming else (predecessor, successor)
        other = OtherEnd(other_id, title, start, due, tuple(order), shown)
        side = stub_side(other, incoming, window, spot)
        where, url = locate(side, other)
        role = "Waits for" if incoming else "Comes before"
        lag_text = f" {lag:+d} working days" if lag else ""
        line = f"{role} “{title}” ({short_date(start)} → {short_date(due)}), {kind}{lag_text}: {where}"
        is_critical = drawn in critical and other_id in critical
        stub = stubs.get((drawn, incoming, side, kind))
        if stub is not None:
            stub.tooltip += "\n" + line
            stub.count += 1
            stub.critical = stub.critical or is_critical
            continue
        row = bars[drawn]
        stubs[drawn, incoming, side, kind] = Stub(
            geometry=stub_geometry(row.bar, row.y, kind=kind, incoming=incoming, side=side, width=window.width),
            side=side,
            type=kind,
            task_id=drawn,
            other_id=other_id,
            url=url,
            title=f"{WHERE[side][0]} {title}",
            tooltip=line,
            critical=is_critical,
        )
    placed = list(stubs.values())
    label_stubs(placed)
    return arrows, placed


def label_stubs(stubs: list[Stub]) -> None:
    """One label per side of a bar: the first other task's name, and how many more have a stub on that side."""
    by_place: dict[tuple, list[Stub]] = {}
    for stub in stubs:
        by_place.setdefault((stub.task_id, stub.geometry.label_before), []).append(stub)
    for group in by_place.values():
        for stub in group:
            stub.label = ""
        first = group[0]
        others = sum(stub.count for stub in group) - 1
        more = f" +{others}" if others else ""
        text = fit_label(first.title, first.geometry.label_room - len(more) * LABEL_CHAR_WIDTH)
        first.label = text + more if text else ""


@dataclass(frozen=True, slots=True)
class ScaleLabel:
    x: int
    text: str
    major: bool
    day: datetime.date


@dataclass(frozen=True, slots=True)
class Scale:
    non_working: list[dict]
    labels: list[ScaleLabel]


def layout_scale(window: Window, calendar: WorkCalendar) -> Scale:
    """Column shading for non-working days and the labels of the date header for the zoom level, in the user's
    language (format names from config/formats)."""
    days, labels = [], []
    zoom = window.zoom.name
    for offset in range(window.days):
        day = window.start + datetime.timedelta(days=offset)
        x = offset * window.zoom.day_width
        if not calendar.is_working(day):
            days.append({"x": x, "day": day})
        if zoom == "day":
            labels.append(ScaleLabel(x, date_format(day, "WEEKDAY_DAY_FORMAT"), day.day == 1 or offset == 0, day))
        elif zoom == "week" and day.weekday() == 0:
            labels.append(ScaleLabel(x, date_format(day, "DAY_MONTH_FORMAT"), True, day))
        elif zoom == "month" and (day.day == 1 or offset == 0):
            labels.append(ScaleLabel(x, date_format(day, "YEAR_MONTH_FORMAT"), True, day))
        elif zoom == "month" and day.weekday() == 0:
            labels.append(ScaleLabel(x, date_format(day, "DAY_FORMAT"), False, day))
    return Scale(days, labels)
