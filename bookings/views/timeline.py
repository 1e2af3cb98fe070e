"""The occupancy timeline: properties as rows, days as columns, stays as bars."""

import datetime

from dateutil.relativedelta import relativedelta
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bookings.forms import timeline_span_choices, timeline_window
from bookings.queries import timeline
from core.http import HtmxHttpRequest, render_page
from core.roles import manager_required


def _link(start: datetime.date, days: int) -> str:
    query = QueryDict(mutable=True)
    query["start"] = start.isoformat()
    query["days"] = str(days)
    return "?" + query.urlencode()


@manager_required
@require_http_methods(["GET"])
def timeline_view(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start, days, problems = timeline_window(request.GET, today)
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
        "spans": timeline_span_choices(),
        "problems": problems,
        "shows_today": grid.start <= today < grid.end,
    }
    return render_page(request, "bookings/timeline.html", context, partial="timeline")
