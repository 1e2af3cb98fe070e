"""The occupancy timeline: properties as rows, days as columns, stays as bars."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from bookings.queries import timeline
from bookings.views.bookings import HtmxHttpRequest, wants_fragment
from core.roles import manager_required

MIN_DAYS = 14


def span_choices() -> list[tuple[int, str]]:
    spans = {14: "2 weeks", 28: "4 weeks", 42: "6 weeks", settings.TIMELINE_MAX_DAYS: "2 months"}
    spans.setdefault(settings.TIMELINE_DEFAULT_DAYS, f"{settings.TIMELINE_DEFAULT_DAYS} days")
    return sorted((days, label) for days, label in spans.items() if MIN_DAYS <= days <= settings.TIMELINE_MAX_DAYS)


def read_window(params: QueryDict, today: datetime.date) -> tuple[datetime.date, int, list[str]]:
    """The first day and the number of days asked for; bad values fall back to the defaults, with a note why."""
    problems = []
    start = today - datetime.timedelta(days=today.weekday())
    if params.get("start"):
        try:
            start = datetime.date.fromisoformat(params["start"])
        except ValueError:
            problems.append(f"“{params['start']}” is not a date like 2026-03-14; showing this week.")
    days = settings.TIMELINE_DEFAULT_DAYS
    if params.get("days"):
        try:
            asked = int(params["days"])
        except ValueError:
            asked = None
        if asked is None or not MIN_DAYS <= asked <= settings.TIMELINE_MAX_DAYS:
            problems.append(
                f"Show between {MIN_DAYS} and {settings.TIMELINE_MAX_DAYS} days, not “{params['days']}”; "
                f"showing {days}."
            )
        else:
            days = asked
    return start, days, problems


def _link(start: datetime.date, days: int) -> str:
    query = QueryDict(mutable=True)
    query["start"] = start.isoformat()
    query["days"] = str(days)
    return "?" + query.urlencode()


@manager_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def timeline_view(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start, days, problems = read_window(request.GET, today)
    grid = timeline(start=start, days=days, today=today)
    this_week = today - datetime.timedelta(days=today.weekday())
    moves = {
        "previous_month": _link(start - relativedelta(months=1), days),
        "previous_week": _link(start - datetime.timedelta(days=7), days),
        "today": _link(this_week, days),
        "next_week": _link(start + datetime.timedelta(days=7), days),
        "next_month": _link(start + relativedelta(months=1), days),
    }
    context = {
        "timeline": grid,
        "moves": moves,
        "spans": span_choices(),
        "problems": problems,
        "shows_today": grid.start <= today < grid.end,
    }
    template_name = "bookings/timeline.html"
    if wants_fragment(request):
        template_name += "#timeline"
    return render(request, template_name, context)
