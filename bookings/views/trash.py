"""The trash: archived properties and deleted bookings, with who deleted them and when, and restore."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from bookings.models import Booking, Property
from bookings.services.bookings import booking_restore
from bookings.services.properties import property_restore
from bookings.views.bookings import HtmxHttpRequest, wants_fragment
from core.roles import manager_required

TRASH_LIMIT = 200


@manager_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def trash(request: HtmxHttpRequest) -> HttpResponse:
    return _render_trash(request)


def _render_trash(request: HtmxHttpRequest) -> HttpResponse:
    properties = Property.all_objects.dead().select_related("deleted_by").order_by("-deleted_at")
    bookings = (
        Booking.all_objects.dead().select_related("property", "deleted_by").order_by("-deleted_at", "-id")[:TRASH_LIMIT]
    )
    context = {"properties": properties, "bookings": bookings, "trash_limit": TRASH_LIMIT}
    template_name = "bookings/trash.html"
    if wants_fragment(request):
        template_name += "#trash"
    return render(request, template_name, context)


@manager_required
@require_POST
def restore(request: HtmxHttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind == "property":
        prop = get_object_or_404(Property.all_objects.dead(), pk=pk)
        property_restore(property=prop, user=request.user)
        messages.success(request, f"{prop.name} is back.")
    elif kind == "booking":
        booking = get_object_or_404(Booking.all_objects.dead().select_related("property"), pk=pk)
        booking_restore(booking=booking, user=request.user)
        messages.success(request, f"Booking for {booking.guest_name} is back.")
    else:
        raise Http404("Only properties and bookings can be restored.")
    if request.htmx:
        return _render_trash(request)
    return redirect("bookings:trash")
