"""Property pages: list, detail with upcoming stays, create, edit, archive."""

import copy
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from bookings.forms import PropertyForm, add_service_errors
from bookings.models import Booking, Property
from bookings.services.properties import property_archive, property_create, property_update
from bookings.views.bookings import HtmxHttpRequest, wants_fragment
from bookings.views.calendar_feeds import panel_context
from core.models import AuditEntry
from core.roles import manager_required

UPCOMING_LIMIT = 50


@manager_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def property_list(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    properties = Property.objects.annotate(
        upcoming=Count(
            "bookings",
            filter=Q(bookings__deleted_at__isnull=True, bookings__check_out__gte=today)
            & ~Q(bookings__status="cancelled"),
        )
    ).order_by("name")
    template_name = "bookings/property_list.html"
    if wants_fragment(request):
        template_name += "#property_table"
    return render(request, template_name, {"properties": properties})


@manager_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def property_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    prop = get_object_or_404(Property.objects.all(), pk=pk)
    upcoming = (
        Booking.objects.not_cancelled()
        .filter(property=prop, check_out__gte=timezone.localdate())
        .order_by("check_in", "id")[:UPCOMING_LIMIT]
    )
    context = {
        "property": prop,
        "upcoming": upcoming,
        "upcoming_limit": UPCOMING_LIMIT,
        "history": AuditEntry.objects.for_object(prop).order_by("-created_at", "-id"),
        **panel_context(prop),
    }
    template_name = "bookings/property_detail.html"
    if wants_fragment(request):
        template_name += "#property_detail"
    return render(request, template_name, context)


def _render_form(request: HtmxHttpRequest, form: PropertyForm, prop: Property | None) -> HttpResponse:
    template_name = "bookings/property_form.html"
    if wants_fragment(request):
        template_name += "#property_form"
    context = {"form": form, "property": prop, "time_zones": sorted(zoneinfo.available_timezones())}
    return render(request, template_name, context)


def _saved(request: HtmxHttpRequest, prop: Property, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
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
        if request.htmx:
            return HttpResponseClientRedirect(reverse("bookings:properties"))
        return redirect("bookings:properties")
    template_name = "bookings/property_archive.html"
    if wants_fragment(request):
        template_name += "#confirm"
    return render(request, template_name, {"property": prop})
