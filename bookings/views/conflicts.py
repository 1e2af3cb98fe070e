"""Conflict pages: the list (open first) with existing and incoming side by side, one conflict, and resolving it."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from bookings.forms_imports import ConflictFilterForm, ConflictResolveForm
from bookings.models import (
    Booking,
    BookingConflict,
    BookingStatus,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    Property,
)
from bookings.services.conflicts import conflict_allowed_resolutions, conflict_resolve
from core.models import AuditEntry
from core.roles import manager_required


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def conflicts_open_first(filters: dict):
    resolved_last = Case(When(state=ConflictState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        BookingConflict.objects.for_list_view()
        .filter(**filters)
        .annotate(resolved_last=resolved_last)
        .order_by("resolved_last", "-created_at", "-id")
    )


@manager_required
@require_GET
def conflict_list(request: HtmxHttpRequest) -> HttpResponse:
    filter_form = ConflictFilterForm(request.GET)
    conflicts = conflicts_open_first(filter_form.filters())
    page_obj = Paginator(conflicts, settings.CONFLICT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page_obj": page_obj,
        "cards": conflict_cards(page_obj.object_list),
        "open_count": BookingConflict.objects.open().count(),
    }
    template_name = "bookings/conflicts.html"
    if request.htmx:
        template_name += "#conflict-results"
    return render(request, template_name, context)


@manager_required
@require_GET
def conflict_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(BookingConflict.objects.for_list_view(), pk=pk)
    context = {"card": conflict_cards([conflict])[0], "history": AuditEntry.objects.for_object(conflict)}
    return render(request, "bookings/conflict_detail.html", context)


@manager_required
@require_POST
def conflict_resolve_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(BookingConflict.objects.for_list_view(), pk=pk)
    form = ConflictResolveForm(request.POST, conflict=conflict, allowed=conflict_allowed_resolutions(conflict))
    if form.is_valid():
        # A conflict someone else resolved meanwhile raises core.errors.Conflict: the middleware shows it.
        conflict_resolve(
            conflict=conflict,
            resolution=form.cleaned_data["resolution"],
            user=request.user,
            choice=form.cleaned_data.get("choice"),
        )
        conflict = BookingConflict.objects.for_list_view().get(pk=pk)
        messages.success(request, f"Conflict resolved: {conflict.get_resolution_display().lower()}.")
        if not request.htmx:
            return redirect(conflict)
    status = 400 if form.errors else 200
    card = conflict_cards([conflict], form=form)[0]
    if request.htmx:
        # The card swaps in place; the page's open count follows out of band.
        context = {"card": card, "open_count": BookingConflict.objects.open().count(), "oob": True}
        return render(request, "bookings/_conflict_resolved.html", context, status=status)
    history = AuditEntry.objects.for_object(conflict)
    return render(request, "bookings/conflict_detail.html", {"card": card, "history": history}, status=status)


# --- Presenting a conflict -------------------------------------------------------------------------------

COMPARED_FIELDS = [
    ("property_id", "Property"),
    ("guest_name", "Guest"),
    ("external_code", "Code"),
    ("check_in", "Check-in"),
    ("check_out", "Check-out"),
    ("status", "Status"),
    ("adults", "Adults"),
    ("children", "Children"),
    ("infants", "Infants"),
    ("amount", "Amount"),
    ("currency", "Currency"),
    ("guest_contact", "Contact"),
    ("notes", "Notes"),
]
STATUS_LABELS = dict(BookingStatus.choices)


def conflict_cards(conflicts, *, form: ConflictResolveForm | None = None) -> list[dict]:
    """One card per conflict: both sides compared and the resolutions offered.

    Property names for the incoming side come from one query for the whole page.
    """
    conflicts = list(conflicts)
    property_ids = {conflict.incoming.get("property_id") for conflict in conflicts} - {None}
    names = dict(Property.all_objects.filter(pk__in=property_ids).values_list("pk", "name")) if property_ids else {}
    cards = []
    for conflict in conflicts:
        allowed = conflict_allowed_resolutions(conflict) if conflict.state == ConflictState.OPEN else []
        cards.append(
            {
                "conflict": conflict,
                "comparison": comparison(conflict, names),
                "options": resolution_options(conflict, allowed),
                "form": form,
            }
        )
    return cards


def sides(conflict: BookingConflict) -> tuple[Booking | None, Booking | None]:
    """The booking StayOps already has, and the saved booking on the other side when there is no incoming row.

    For an overlap the existing side is the stay the incoming one collides with; an overlap between two saved
    bookings (no incoming row) compares the two bookings.
    """
    if conflict.kind == ConflictKind.OVERLAP:
        return conflict.other_booking, None if conflict.incoming else conflict.booking
    return conflict.booking, None


def comparison(conflict: BookingConflict, property_names: dict[int, str]) -> dict:
    existing, saved_other = sides(conflict)
    incoming = conflict.incoming or {}
    lines = []
    for field, label in COMPARED_FIELDS:
        old = _display(field, getattr(existing, field) if existing else None, property_names, existing)
        if saved_other is not None:
            present, new = True, _display(field, getattr(saved_other, field), property_names, saved_other)
        else:
            present = field in incoming
            new = _display(field, incoming.get(field), property_names) if present else ""
        if not (old or new):
            continue
        lines.append({"label": label, "existing": old, "incoming": new, "differs": present and old != new})
    row_number = incoming.get("row_number")
    if saved_other is not None:
        incoming_label = "Overlapping booking"
    else:
        incoming_label = f"From the file, row {row_number}" if row_number else "From the file"
        if incoming.get("calendar_feed"):
            incoming_label = "From the calendar feed"
    return {
        "existing": existing,
        "other": saved_other,
        "existing_label": "Already booked" if conflict.kind == ConflictKind.OVERLAP else "In StayOps",
        "incoming_label": incoming_label,
        "row_number": row_number,
        "lines": lines,
    }


def _display(field: str, value, property_names: dict[int, str], booking: Booking | None = None) -> str:
    """Both sides as the same kind of text, so equal values compare equal (a date and its ISO string)."""
    if value is None or value == "":
        return ""
    if field == "property_id":
        if booking is not None:
            return booking.property.name
        return property_names.get(value, f"Property #{value}")
    if field in ("check_in", "check_out"):
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
        return f"{day:%a} {day.day} {day:%b %Y}"
    if field == "status":
        return STATUS_LABELS.get(value, str(value))
    if field == "amount":
        return f"{Decimal(str(value)):,.2f}"
    return str(value)


RESOLUTION_HELP = {
    ConflictResolution.KEEP_EXISTING: "Keep the booking as StayOps has it and drop the file's version.",
    ConflictResolution.TAKE_INCOMING: "Write the file's version; for an overlap, the other booking is cancelled.",
    ConflictResolution.ACCEPT: "Write it and keep both, overlapping: for example a deliberate double booking.",
}

MISSING_FROM_FEED_OPTIONS = {
    ConflictResolution.KEEP_EXISTING: ("Keep the stay", "The platform may have dropped it by mistake; keep it."),
    ConflictResolution.TAKE_INCOMING: ("Cancel the stay", "It was cancelled on the platform: cancel it here too."),
}


def resolution_options(conflict: BookingConflict, allowed: list[str]) -> list[dict]:
    """The buttons of an open conflict; "cancel one" becomes one button per side."""
    options = []
    for value, label in ConflictResolution.choices:
        if value not in allowed:
            continue
        if value == ConflictResolution.CANCEL_ONE:
            other = conflict.other_booking
            incoming = conflict.booking if not conflict.incoming else None
            options.append(
                {
                    "resolution": value,
                    "choice": "other",
                    "label": f"Cancel {other.guest_name}'s booking" if other else "Cancel the other booking",
                    "help": "Cancel the booking already there; the incoming one is written.",
                }
            )
            options.append(
                {
                    "resolution": value,
                    "choice": "incoming",
                    "label": f"Cancel {incoming.guest_name}'s booking" if incoming else "Cancel the incoming booking",
                    "help": "Keep the booking already there; the incoming one is recorded as cancelled.",
                }
            )
            continue
        if conflict.kind == ConflictKind.MISSING_FROM_FEED:
            label, help_text = MISSING_FROM_FEED_OPTIONS[value]
        else:
            help_text = RESOLUTION_HELP[value]
        options.append(
            {
                "resolution": value,
                "choice": "",
                "label": label,
                "help": help_text,
                "primary": value == ConflictResolution.TAKE_INCOMING,
            }
        )
    return options
