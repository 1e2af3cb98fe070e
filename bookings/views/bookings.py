"""Booking pages: the filterable table and its export, detail, create, edit, cancel and delete."""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect
from django_tables2 import RequestConfig

from bookings.filters import BookingFilter
from bookings.forms import BookingForm, CancelBookingForm, add_service_errors
from bookings.hooks import booking_panels
from bookings.models import Booking, BookingConflict
from bookings.services.bookings import (
    OverlapRefused,
    booking_cancel,
    booking_create,
    booking_delete,
    booking_update,
)
from bookings.tables import EXPORT_HEADERS, BookingTable, export_rows
from core.audit_presenting import lazy_history
from core.errors import InvalidInput
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.models import AuditEntry
from core.params import MAX_ID, clamped_int
from core.ratelimits import rate_limit
from core.roles import manager_required
from core.spreadsheets import csv_response, xlsx_response

EXPORT_FORMATS = ("xlsx", "csv")


def _filtered_table(request: HtmxHttpRequest, *, paginate: bool = True) -> tuple[BookingFilter, BookingTable]:
    filterset = BookingFilter(request.GET or None, queryset=Booking.objects.for_table())
    table = BookingTable(filterset.qs)
    # django-tables2 sorts from the URL (an unknown column is ignored) but takes `per_page` as given, and a
    # negative one is a 500: the page size is clamped here and the table paginated with it.
    RequestConfig(request, paginate=False).configure(table)
    if paginate:
        per_page = clamped_int(
            request.GET.get("per_page"), default=settings.PAGE_SIZE, minimum=1, maximum=settings.PAGE_SIZE_MAX
        )
        page = clamped_int(request.GET.get("page"), default=1, minimum=1, maximum=MAX_ID)
        try:
            table.paginate(per_page=per_page, page=page)
        except EmptyPage:
            table.paginate(per_page=per_page, page=table.paginator.num_pages)
    return filterset, table


@manager_required
@require_http_methods(["GET"])
def booking_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset, table = _filtered_table(request)
    context = {"filter": filterset, "table": table}
    return render_page(request, "bookings/booking_list.html", context, partial="booking_table")


@manager_required
@require_http_methods(["GET"])
@rate_limit("RATE_LIMIT_EXPORTS", what="exports", methods=["GET"])
def booking_export(request: HtmxHttpRequest) -> HttpResponse:
    export_format = request.GET.get("format", "xlsx")
    if export_format not in EXPORT_FORMATS:
        raise InvalidInput(f"Export as xlsx or csv, not {export_format!r}.")
    filterset, table = _filtered_table(request, paginate=False)
    if filterset.is_bound and not filterset.is_valid():
        problems = [f"{filterset.form[name].label}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
        raise InvalidInput("Fix the filters first. " + " ".join(problems))
    # The sorted, filtered rows, all of them: the table's own ordering, without its pagination.
    bookings = table.data.data.iterator(chunk_size=2000)
    filename = f"bookings-{timezone.localdate():%Y-%m-%d}.{export_format}"
    if export_format == "csv":
        return csv_response(filename, EXPORT_HEADERS, export_rows(bookings, dates_as_text=True))
    return xlsx_response(filename, EXPORT_HEADERS, export_rows(bookings, dates_as_text=False), sheet_title="Bookings")


@manager_required
@require_http_methods(["GET"])
def booking_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking.objects.for_table(), pk=pk)
    conflicts = BookingConflict.objects.involving(booking).for_list_view()
    context = {
        "booking": booking,
        "conflicts": conflicts.order_by("state", "-created_at"),
        "history": lazy_history(AuditEntry.objects.for_object(booking)),
        "panels": booking_panels(request, booking),
        "cancel_form": CancelBookingForm(),
    }
    return render_page(request, "bookings/booking_detail.html", context, partial="booking_detail")


def _render_form(request: HtmxHttpRequest, form: BookingForm, *, booking: Booking | None, overlapping=None):
    context = {"form": form, "booking": booking, "overlapping": overlapping or []}
    return render_page(request, "bookings/booking_form.html", context, partial="booking_form")


def _saved(request: HtmxHttpRequest, booking: Booking, message: str) -> HttpResponse:
    messages.success(request, message)
    if wants_fragment(request):
        return HttpResponseClientRedirect(booking.get_absolute_url())
    return redirect(booking)


@manager_required
@require_http_methods(["GET", "POST"])
def booking_create_view(request: HtmxHttpRequest) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("property", "check_in", "check_out") if request.GET.get(key)}
    form = BookingForm(request.POST or None, initial=initial)
    overlapping = []
    if request.method == "POST" and form.is_valid():
        try:
            booking = booking_create(
                user=request.user, confirm_overlap=form.cleaned_data["confirm_overlap"], **form.booking_fields()
            )
        except OverlapRefused as refusal:
            overlapping = refusal.overlapping
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, booking, f"Booking for {booking.guest_name} created.")
    return _render_form(request, form, booking=None, overlapping=overlapping)


@manager_required
@require_http_methods(["GET", "POST"])
def booking_edit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking.objects.for_table(), pk=pk)
    # The form validates a copy: a ModelForm writes the cleaned values onto its instance, and the service
    # must see the booking as it was to record what changed.
    form = BookingForm(request.POST or None, instance=copy.copy(booking))
    overlapping = []
    if request.method == "POST" and form.is_valid():
        try:
            changes = booking_update(
                booking=booking,
                user=request.user,
                confirm_overlap=form.cleaned_data["confirm_overlap"],
                **form.booking_fields(),
            )
        except OverlapRefused as refusal:
            overlapping = refusal.overlapping
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = "Booking saved." if changes else "Nothing changed."
            return _saved(request, booking, message)
    return _render_form(request, form, booking=booking, overlapping=overlapping)


@manager_required
@require_http_methods(["GET", "POST"])
def booking_cancel_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking.objects.for_table(), pk=pk)
    form = CancelBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = booking_cancel(booking=booking, user=request.user, reason=form.cleaned_data["reason"])
        message = f"Booking for {booking.guest_name} cancelled." if changes else "It was already cancelled."
        return _saved(request, booking, message)
    context = {"booking": booking, "form": form, "action": "cancel"}
    return render_page(request, "bookings/booking_confirm.html", context, partial="confirm")


@manager_required
@require_http_methods(["GET", "POST"])
def booking_delete_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking.objects.for_table(), pk=pk)
    if request.method == "POST":
        booking_delete(booking=booking, user=request.user)
        messages.success(request, f"Booking for {booking.guest_name} moved to the trash.")
        if wants_fragment(request):
            return HttpResponseClientRedirect(reverse("bookings:list"))
        return redirect("bookings:list")
    context = {"booking": booking, "action": "delete"}
    return render_page(request, "bookings/booking_confirm.html", context, partial="confirm")
