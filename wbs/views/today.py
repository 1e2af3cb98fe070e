"""The managers' start page: what happens today across every property, and what needs a decision."""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.http import HtmxHttpRequest, render_page
from core.roles import manager_required
from wbs.queries.today import today_summary


@require_GET
@manager_required
def today(request: HtmxHttpRequest) -> HttpResponse:
    day = timezone.localdate()
    lookahead_days = settings.TURNOVER_LOOKAHEAD_DAYS
    context = {"day": day, "lookahead_days": lookahead_days, **today_summary(day, lookahead_days=lookahead_days)}
    return render_page(request, "wbs/today.html", context)
