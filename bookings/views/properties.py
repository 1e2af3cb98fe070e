"""Property pages: list, detail with upcoming stays, create, edit, archive."""

import copy
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from bookings.forms import PropertyForm, add_service_errors
from bookings.models import Booking, Property
from bookings.presenting import calendar_feed_panel
from bookings.services.properties import property_archive, property_create, property_update
from core.audit_presenting import lazy_history
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.models import AuditEntry
from core.roles import manager_required

UPCOMING_LIMIT = 50


@manager_required
@require_http_methods(["GET"])
def property_list(request: HtmxHttpRequest) -> HttpResponse:
    properties = Property.objects.with_upcoming_count(timezone.localdate()).order_by("name")
    return render_page(request, "bookings/property_list.html", {"properties": properties}, partial="property_table")


@manager_required
@require_http_methods(["GET"])
def property_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    prop = get_object_or_404(Property.objects.select_related("maintenance_owner"), pk=pk)
    upcoming = Booking.objects.upcoming_at(prop, timezone.localdate())[:UPCOMING_LIMIT]
    context = {
        "property": prop,
        "upcoming": upcoming,
        "upcoming_limit": UPCOMING_LIMIT,
        "history": lazy_history(AuditEntry.objects.for_object(prop)),
        **calendar_feed_panel(prop),
    }
    return render_page(request, "bookings/property_detail.html", context, partial="property_detail")


def _render_form(request: HtmxHttpRequest, form: PropertyForm, prop: Property | None) -> HttpResponse:
    context = {"form": form, "property": prop, "time_zones": sorted(zoneinfo.available_timezones())}
    return render_page(request, "bookings/property_form.html", context, partial="property_form")


def _saved(request: HtmxHttpRequest, prop: Property, message: str) -> HttpResponse:
    messages.success(request, message)
    if wants_fragment(request):
        return HttpResponseClientRedirect(prop.get_absolute_url())
    return redirect(prop)


@manager_required
@require_http_methods(["GET", "POST"])
def property_create_view(request: HtmxHttpRequest) -> HttpResponse:
    form = PropertyForm(request.POST or None, initial={"time_zone": settings.TIME_ZONE})
    if request.method == "POST" and form.is_valid():
        try:
            prop = property_create(user=request.user, **form.property_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, prop, f"Property {prop.name} created.")
    return _render_form(request, form, None)


@manager_required
@require_http_methods(["GET", "POST"])
def property_edit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    prop = get_object_or_404(Property.objects.all(), pk=pk)
    # Validate a copy, so that the service sees the property as it was and records what changed.
    form = PropertyForm(request.POST or None, instance=copy.copy(prop))
    if request.method == "POST" and form.is_valid():
        try:
            changes = property_update(property=prop, user=request.user, **form.property_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, prop, "Property saved." if changes else "Nothing changed.")
    return _render_form(request, form, prop)


@manager_required
@require_http_methods(["GET", "POST"])
def property_archive_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    prop = get_object_or_404(Property.objects.all(), pk=pk)
    if request.method == "POST":
        property_archive(property=prop, user=request.user)
        messages.success(request, f"{prop.name} archived. You can restore it from the trash.")
        if wants_fragment(request):
            return HttpResponseClientRedirect(reverse("bookings:properties"))
        return redirect("bookings:properties")
    return render_page(request, "bookings/property_archive.html", {"property": prop}, partial="confirm")
