"""What the Gantt's URL holds (zoom, start, page, focus, filters) and the links that keep it.

Every parameter is read here, and none answers 500: an unknown zoom or a date that is not one falls back to
the default, a date outside EARLIEST_DAY … LATEST_DAY is moved into that range, a page that is not one is the
first or the last (Paginator.get_page), and a focus that is not a task id is no focus.
"""

import datetime

from django.http import QueryDict
from django.urls import reverse

from wbs.gantt.layout import WHERE, ZOOMS, OtherEnd, Window, clamp_start, nominal_days, window_days, window_start

# Parameters that belong to one visit, not to the chart: dropped from every link the chart writes.
_TRANSIENT = ("start_date", "due_date", "page", "focus")
# The largest id a database key holds (a larger number cannot name a task, and SQLite refuses to bind it).
MAX_ID = 2**63 - 1


def window_from(params: QueryDict, *, today: datetime.date, default_days: int) -> Window:
    """The date window in the URL: `zoom` (day, week or month) and `start`, or the one that shows today."""
    zoom = ZOOMS.get(params.get("zoom", ""), ZOOMS["week"])
    days = window_days(zoom, default_days)
    try:
        start = datetime.date.fromisoformat(params["start"])
    except (KeyError, ValueError):
        start = window_start(zoom, today)
    return Window(zoom, clamp_start(start, days), days, step_days=nominal_days(zoom, default_days))


def focus_id(params: QueryDict) -> int | None:
    """The task a stub's link asks to show, if `focus` can be a task id at all."""
    try:
        value = int(params.get("focus", ""))
    except ValueError:
        return None
    return value if 0 < value <= MAX_ID else None


def chart_query(params: QueryDict, **changes: str | int | None) -> str:
    """The URL's window and filters as a query string, with `changes` (None removes a parameter)."""
    query = params.copy()
    for name in _TRANSIENT:
        query.pop(name, None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


def kept_fields(params: QueryDict) -> list[tuple[str, str]]:
    """The window and filters as hidden fields, so the date form's preview keeps them for the apply."""
    return [(name, value) for name, values in QueryDict(chart_query(params)).lists() for value in values]


def _and(query: str, parameter: str) -> str:
    return f"{query}&{parameter}" if query else parameter


class FocusLinks:
    """Links to the Gantt that shows a given task (see the gantt view's focus), keeping the URL's zoom and filters.

    The query strings are built once per page: a page of 300 rows can have a thousand stubs.
    """

    def __init__(self, params: QueryDict, window: Window):
        gantt = reverse("wbs:gantt")
        self.window = window
        self.here = f"{gantt}?{_and(chart_query(params), 'focus=')}"
        self.elsewhere = f"{gantt}?{_and(chart_query(params, start=None), 'start=')}"

    def gantt(self, other: OtherEnd) -> str:
        """This window if `other`'s dates are in it, else a window from its start; the page is found on the way."""
        first, last = other.first_day, other.last_day
        if first <= self.window.end and last >= self.window.start:
            return f"{self.here}{other.pk}"
        return f"{self.elsewhere}{window_start(self.window.zoom, first).isoformat()}&focus={other.pk}"

    def locate(self, side: str, other: OtherEnd) -> tuple[str, str]:
        """Where a stub's other task is, in words, and the link that shows it."""
        if other.start_date is None and other.due_date is None:
            # No Gantt shows it: its task page does. (Rare, so reversing the URL each time costs nothing.)
            return "has no dates", reverse("wbs:task_detail", args=[other.pk])
        if not other.shown:
            return "hidden by the filters", reverse("wbs:task_detail", args=[other.pk])
        return WHERE[side][1], self.gantt(other)
