"""How the conflict and import pages present their objects: conflict cards side by side, import rows with labels."""

import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import date_format

from bookings.forms import CalendarFeedForm
from bookings.forms_imports import ConflictResolveForm
from bookings.models import (
    Booking,
    BookingConflict,
    BookingStatus,
    CalendarFeed,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    ImportRowAction,
    Property,
)
from bookings.services.conflicts import conflict_allowed_resolutions

# --- Conflicts -------------------------------------------------------------------------------------------

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
# Dates in an import's changes read like the booking pages' dates ("Sat 14 Mar 2026"), not ISO.
DIFF_DATE_FORMAT = "D j M Y"


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


# --- Import rows -----------------------------------------------------------------------------------------


def present_rows(rows) -> list[dict]:
    """Each row as the page shows it: who and when, its changes with field labels, its errors.

    Property ids in the rows become names with one query for the whole page.
    """
    rows = list(rows)
    property_ids = set()
    for row in rows:
        property_ids.add(row.data.get("property_id"))
        property_ids.update((row.diff or {}).get("property_id", []))
    names = dict(Property.all_objects.filter(pk__in=property_ids - {None}).values_list("pk", "name"))
    presented = []
    for row in rows:
        data = row.data or {}
        place = names.get(data.get("property_id"), "")
        stay = _stay(data.get("check_in"), data.get("check_out"))
        conflict = row.action == ImportRowAction.CONFLICT and row.errors
        presented.append(
            {
                "row": row,
                # A row with errors has no parsed data: its guest is shown as the file wrote it.
                "guest": data.get("guest_name") or _raw_guest(row.raw),
                "stay": " · ".join(part for part in (place, stay) if part),
                "changes": [
                    {
                        "label": _field_label(field),
                        "old": _change_value(field, old, names),
                        "new": _change_value(field, new, names),
                    }
                    for field, (old, new) in (row.diff or {}).items()
                ],
                "errors": [] if conflict else row.errors or [],
                "message": row.errors[0].get("reason", "") if conflict else "",
                "note": ROW_NOTES.get(row.action, ""),
            }
        )
    return presented


ROW_NOTES = {
    ImportRowAction.CREATE: "New booking.",
    ImportRowAction.UNCHANGED: "Same as the booking StayOps has.",
    ImportRowAction.CANCEL: "The booking will be cancelled.",
    ImportRowAction.CONFLICT: "Needs your decision on the conflicts page.",
}


DATE_FIELDS = ("check_in", "check_out", "booked_on")


def _change_value(field: str, value, property_names: dict[int, str]):
    """A changed value as the manager reads it: a property's name, a status's label, a date as the pages show dates."""
    if value is None or value == "":
        return value
    if field == "property_id":
        return property_names.get(value, value)
    if field == "status":
        return STATUS_LABELS.get(value, value)
    if field in DATE_FIELDS:
        try:
            return date_format(datetime.date.fromisoformat(str(value)), DIFF_DATE_FORMAT)
        except ValueError:
            return value
    return value


def _stay(check_in: str | None, check_out: str | None) -> str:
    """`14 Mar – 17 Mar 2026` from the ISO dates an import row keeps."""
    if not (check_in and check_out):
        return ""
    try:
        start, end = datetime.date.fromisoformat(check_in), datetime.date.fromisoformat(check_out)
    except ValueError:
        return f"{check_in} – {check_out}"
    return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"


def _raw_guest(raw: dict) -> str:
    return next((str(value) for key, value in (raw or {}).items() if "guest" in key.lower() and value), "")


def _field_label(name: str) -> str:
    try:
        return str(Booking._meta.get_field(name.removesuffix("_id")).verbose_name).capitalize()
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()


def calendar_feed_panel(prop: Property, form: CalendarFeedForm | None = None) -> dict:
    """The feeds panel of a property's page: its feeds in state order and the form that adds one."""
    return {
        "property": prop,
        "calendar_feeds": CalendarFeed.objects.for_property(prop),
        "feed_form": form or CalendarFeedForm(),
    }
