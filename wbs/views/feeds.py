"""Calendar feeds: the token URLs phones subscribe to, and the page where a user gets or renews theirs."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from bookings.models import Property
from core.errors import InvalidInput
from core.http import HtmxHttpRequest, render_page
from core.ratelimits import by_feed_token, rate_limit
from core.roles import CLEANER, MANAGER, is_manager, role_required
from wbs.calendar_feeds import (
    calendar_token_for,
    calendar_token_rotate,
    cleaner_calendar,
    property_calendar,
    property_feed_token_rotate,
)
from wbs.models import CalendarToken

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    # The URL is the secret: keep it out of shared caches and referrers.
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@rate_limit("RATE_LIMIT_CALENDAR_FEEDS", what="calendar refreshes", key=by_feed_token, methods=["GET"])
def cleaner_feed(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """No sign-in: calendar apps cannot log in. A revoked or unknown token, or an inactive user, is a 404."""
    calendar_token = (
        CalendarToken.objects.live().select_related("user").filter(token=token, user__is_active=True).first()
    )
    if calendar_token is None:
        raise Http404("No such calendar.")
    return _ics(cleaner_calendar(calendar_token.user), "stayops-tasks")


@require_GET
@rate_limit("RATE_LIMIT_CALENDAR_FEEDS", what="calendar refreshes", key=by_feed_token, methods=["GET"])
def property_feed(request: HtmxHttpRequest, token: str) -> HttpResponse:
    prop = get_object_or_404(Property, feed_token=token)
    return _ics(property_calendar(prop), f"stayops-{prop.code.lower()}")


@role_required(CLEANER, MANAGER)
def my_calendar(request: HtmxHttpRequest) -> HttpResponse:
    manager = is_manager(request.user)
    if request.method == "POST":
        property_id = request.POST.get("property", "")
        if property_id and manager:
            if not (property_id.isascii() and property_id.isdigit()):
                raise InvalidInput("Choose a property from the list.")
            prop = get_object_or_404(Property, pk=property_id)
            property_feed_token_rotate(prop=prop)
            messages.success(request, f"New feed link for {prop.name}; the old one no longer works.")
        else:
            calendar_token_rotate(user=request.user)
            messages.success(request, "Your new calendar link is ready; any old link no longer works.")
        return redirect("wbs:my_calendar")
    token = calendar_token_for(request.user)
    feed_url = request.build_absolute_uri(reverse("wbs:cleaner_feed", args=[token.token])) if token else ""
    properties = []
    if manager:
        for prop in Property.objects.order_by("name"):
            prop.feed_url = request.build_absolute_uri(reverse("wbs:property_feed", args=[prop.feed_token]))
            properties.append(prop)
    return render_page(request, "wbs/my_calendar.html", {"feed_url": feed_url, "properties": properties})
