"""The managers' start page: what happens today across every property, and what needs a decision."""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bookings.models import Booking, BookingConflict
from core.roles import manager_required
from wbs.models import Task, TaskStatus
from wbs.views.turnovers import turnover_bookings

DUE_LIST_LIMIT = 12
CONFLICT_LIST_LIMIT = 5


@require_GET
@manager_required
def today(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    lookahead_end = day + datetime.timedelta(days=settings.TURNOVER_LOOKAHEAD_DAYS - 1)
    departures = turnover_bookings(day, day)
    arrivals = list(
        Booking.objects.not_cancelled().filter(check_in=day).select_related("property").order_by("property__name")
    )
    due_tasks = Task.objects.open().filter(due_date__lte=day)
    open_conflicts = BookingConflict.objects.open()
    context = {
        "day": day,
        "departures": departures,
        "arrivals": arrivals,
        "same_day_count": sum(booking.same_day for booking in departures),
        "due_tasks": list(
            due_tasks.select_related("property", "assignee").order_by("due_date", "-priority", "pk")[:DUE_LIST_LIMIT]
        ),
        "due_count": due_tasks.count(),
        "overdue_count": due_tasks.filter(due_date__lt=day).count(),
        "unassigned_count": Task.objects.open()
        .filter(booking__isnull=False, assignee__isnull=True, due_date__range=(day, lookahead_end))
        .count(),
        "lookahead_days": settings.TURNOVER_LOOKAHEAD_DAYS,
        "conflicts": list(open_conflicts.for_list_view()[:CONFLICT_LIST_LIMIT]),
        "conflict_count": open_conflicts.count(),
        "in_progress_count": Task.objects.filter(status=TaskStatus.IN_PROGRESS).count(),
    }
    return render(request, "wbs/today.html", context)
