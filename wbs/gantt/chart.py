"""The Gantt page's context: the URL's window and filters read, rows laid out, links placed, SVG drawn."""

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from core.urls_helpers import url_for_each
from wbs.filters import TaskFilter
from wbs.gantt import drawing, queries
from wbs.gantt.layout import (
    HEADER_HEIGHT,
    ROW_HEIGHT,
    ZOOMS,
    Ghost,
    PageSpot,
    fit_widths,
    layout_ghost,
    layout_links,
    layout_rows,
    layout_scale,
    place_stays,
    step,
    task_row_key,
)
from wbs.gantt.url_state import FocusLinks, chart_query, kept_fields, window_from
from wbs.models import DependencyType, Task
from wbs.scheduling import WorkCalendar, critical_task_ids
from wbs.services.schedule import PlannedMove

# The keys the Gantt answers (static/js/shortcuts.js acts on the elements marked data-shortcut="<key>", gantt.js on
# Esc); the "?" list shows these. tests/test_gantt_browser.py presses them.
GANTT_SHORTCUTS = [
    ("[", "Earlier"),
    ("]", "Later"),
    (".", "Back to today"),
    ("d", "Day zoom"),
    ("w", "Week zoom"),
    ("m", "Month zoom"),
    ("p", "Project work"),
    ("t", "Turnovers"),
    ("a", "All work"),
    ("b", "Open the board"),
    ("?", "Show this list"),
    ("Esc", "Cancel a drag, close the preview or this list"),
]


def chart_context(request: HttpRequest) -> dict:
    """Everything the Gantt page draws for the window and filters in the URL, in a fixed number of queries."""
    params = request.GET
    window = window_from(params, today=timezone.localdate(), default_days=settings.GANTT_DEFAULT_DAYS)
    filterset = TaskFilter(params, queryset=Task.objects.all())
    min_width, max_width = fit_widths(window.width)
    page = queries.gantt_page(filterset, window, per_page=settings.GANTT_MAX_ROWS, number=params.get("page"))
    calendar = WorkCalendar.from_settings()
    critical = critical_task_ids(calendar)
    rows = layout_rows(window, list(page.object_list), critical)
    property_ids = [row.group_id for row in rows if row.kind == "property"]
    if property_ids:
        place_stays(window, rows, queries.stays_in(window, property_ids))
    arrows, stubs = [], []
    drawn = [row.task for row in rows if row.task is not None]
    if drawn:
        nulls_largest = queries.nulls_sort_last()
        spot = PageSpot(page.has_previous(), page.has_next(), nulls_largest)
        if spot.middle:
            # Rows on other pages are above on the last page and below on the first; in between, the order decides.
            spot = PageSpot(
                spot.has_previous, spot.has_next, nulls_largest, task_row_key(drawn[0], nulls_largest=nulls_largest)
            )
        dependencies = queries.dependency_rows([task.pk for task in drawn], filterset, with_order=spot.middle)
        arrows, stubs = layout_links(rows, dependencies, window, spot, critical, FocusLinks(params, window).locate)
    query = chart_query(params)
    preview_url = url_for_each("wbs:gantt_reschedule_preview")
    for row in rows:
        if row.task is not None:
            row.url = f"{preview_url(row.task.pk)}?{query}"
    today = timezone.localdate()
    shift = step(window)
    return {
        "filterset": filterset,
        "window": window,
        "zooms": ZOOMS.values(),
        "rows": rows,
        "links_svg": drawing.links_svg(arrows, stubs),
        "stays": [stay for row in rows for stay in row.strip],
        "bars_svg": drawing.bars_svg(rows),
        "scale": layout_scale(window, calendar),
        "height": HEADER_HEIGHT + len(rows) * ROW_HEIGHT,
        "today_x": window.x(today) + window.zoom.day_width // 2 if window.contains(today) else None,
        "page": page,
        "query": query,
        "keep": kept_fields(params),
        "zoom_queries": {zoom: chart_query(params, zoom=zoom, start=None) for zoom in ZOOMS},
        # The window is clamped to the drawable years, so a step from it stays a date.
        "previous_query": chart_query(params, start=(window.start - shift).isoformat()),
        "next_query": chart_query(params, start=(window.start + shift).isoformat()),
        "today_query": chart_query(params, start=None),
        "task_options": drawing.task_options(rows),
        "dependency_types": DependencyType.choices,
        "row_height": ROW_HEIGHT,
        "header_height": HEADER_HEIGHT,
        "critical_count": sum(1 for row in rows if row.bar is not None and row.bar.critical),
        "min_width": min_width,
        "max_width": max_width,
        "shortcuts": GANTT_SHORTCUTS,
    }


def preview_ghosts(params: QueryDict, moves: list[PlannedMove]) -> list[tuple[PlannedMove, Ghost | None]]:
    """Each move of a reschedule preview with its ghost bar in the URL's window (None outside it)."""
    window = window_from(params, today=timezone.localdate(), default_days=settings.GANTT_DEFAULT_DAYS)
    return [(move, layout_ghost(window, move.task_id, move.new_start, move.new_due)) for move in moves]
