"""The trash: archived properties and deleted bookings, with who deleted them and when, and restore."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from bookings.models import Booking, Property
from bookings.queries import trash_contents
from bookings.services.bookings import booking_restore
from bookings.services.properties import property_restore
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.roles import manager_required

TRASH_LIMIT = 200


@manager_required
@require_http_methods(["GET"])
def trash(request: HtmxHttpRequest) -> HttpResponse:
    return _render_trash(request)


def _render_trash(request: HtmxHttpRequest) -> HttpResponse:
    properties, bookings = trash_contents(limit=TRASH_LIMIT)
    context = {"properties": properties, "bookings": bookings, "trash_limit": TRASH_LIMIT}
    return render_page(request, "bookings/trash.html", context, partial="trash")


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
    if wants_fragment(request):
        return _render_trash(request)
    return redirect("bookings:trash")
