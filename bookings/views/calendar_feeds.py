"""Calendar feed pages: the feeds list with each feed's state, and the feeds panel of a property page.

The panel's actions (add, pause or resume, sync now) and the list's (sync now, apply or ignore a held-back
calendar) answer an HTMX request with the re-rendered panel or list, and a plain form post with a redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from bookings.calendar.jobs import calendar_feed_sync_later
from bookings.calendar.services import calendar_feed_create, calendar_feed_set_active, calendar_feed_update
from bookings.calendar.sync import calendar_feed_review_apply, calendar_feed_review_ignore
from bookings.forms import CalendarFeedForm, add_service_errors
from bookings.models import CalendarFeed, Property
from bookings.presenting import calendar_feed_panel
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.ratelimits import rate_limit
from core.roles import manager_required

PANEL = "bookings/_calendar_feeds_panel.html"
LIST = "bookings/calendar_feeds.html"


def _feed(pk: int) -> CalendarFeed:
    return get_object_or_404(
        CalendarFeed.objects.select_related("property").filter(property__deleted_at__isnull=True), pk=pk
    )


def _answer(request: HtmxHttpRequest, feed: CalendarFeed) -> HttpResponse:
    """After an action: the part of the page it came from, re-rendered (HTMX), or that page again."""
    from_list = request.POST.get("from") == "list"
    if wants_fragment(request):
        if from_list:
            return render_page(request, LIST, {"feeds": CalendarFeed.objects.for_list_view()}, partial="feeds")
        # A sync changes the property's upcoming stays and history too: the whole page is shown again.
        return HttpResponseClientRedirect(feed.property.get_absolute_url())
    return redirect("bookings:calendar_feeds" if from_list else feed.property.get_absolute_url())


@manager_required
@require_GET
def calendar_feed_list(request: HtmxHttpRequest) -> HttpResponse:
    return render_page(request, LIST, {"feeds": CalendarFeed.objects.for_list_view()}, partial="feeds")


@manager_required
@require_POST
def calendar_feed_create_view(request: HtmxHttpRequest, property_pk: int) -> HttpResponse:
    prop = get_object_or_404(Property.objects.all(), pk=property_pk)
    form = CalendarFeedForm(request.POST)
    if form.is_valid():
        try:
            feed = calendar_feed_create(
                property=prop, url=form.cleaned_data["url"], source=form.cleaned_data["source"], user=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            calendar_feed_sync_later(feed_id=feed.pk)
            messages.success(request, f"{feed.get_source_display()} calendar added; its first sync has started.")
            return _answer(request, feed)
    if wants_fragment(request):
        return render_page(request, PANEL, calendar_feed_panel(prop, form))
    return render_page(request, "bookings/calendar_feed_form.html", {"form": form, "property": prop, "feed": None})


@manager_required
@require_http_methods(["GET", "POST"])
def calendar_feed_edit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    feed = _feed(pk)
    form = CalendarFeedForm(request.POST or None, instance=CalendarFeed.objects.get(pk=feed.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = calendar_feed_update(
                feed=feed,
                user=request.user,
                url=form.cleaned_data["url"],
                source=form.cleaned_data["source"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Calendar feed saved." if changes else "Nothing changed.")
            return redirect(feed.property)
    context = {"form": form, "property": feed.property, "feed": feed}
    return render_page(request, "bookings/calendar_feed_form.html", context, partial="feed_form")


@manager_required
@require_POST
def calendar_feed_pause_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    feed = _feed(pk)
    active = request.POST.get("active") == "1"
    calendar_feed_set_active(feed=feed, active=active, user=request.user)
    messages.success(request, f"{feed} {'resumed' if active else 'paused'}.")
    return _answer(request, feed)


@manager_required
@require_POST
@rate_limit("RATE_LIMIT_CALENDAR_SYNC", what="syncs of this feed", key=lambda request, pk: f"feed:{pk}")
def calendar_feed_sync_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    feed = _feed(pk)
    calendar_feed_sync_later(feed_id=feed.pk)
    messages.info(request, f"Syncing the {feed}: its state updates when the sync is done.")
    return _answer(request, feed)


@manager_required
@require_POST
def calendar_feed_review_view(request: HtmxHttpRequest, pk: int, decision: str) -> HttpResponse:
    feed = _feed(pk)
    if decision == "apply":
        outcome = calendar_feed_review_apply(feed=feed, user=request.user)
        if outcome.status == "ok":
            counts = outcome.counts
            messages.success(
                request,
                f"Applied: {counts['created']} created, {counts['updated']} updated, {counts['cancelled']} cancelled, "
                f"{counts['conflicts']} conflicts for you to look at.",
            )
        else:
            messages.warning(request, f"Not applied: {outcome.reason}.")
    else:
        calendar_feed_review_ignore(feed=feed, user=request.user)
        messages.success(request, "Ignored: the bookings stay as they were; the next sync checks again.")
    return _answer(request, feed)
