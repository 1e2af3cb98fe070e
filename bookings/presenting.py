"""How the conflict and import pages present their objects: conflict cards side by side, import rows with labels."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import date_format

from bookings.forms import CalendarFeedForm
from bookings.forms_imports import ConflictResolveForm
from bookings.models import (
    Booking,
    BookingConflict,
    BookingSource,
    BookingStatus,
    CalendarFeed,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    ImportRowAction,
    Property,
)
from bookings.services.conflicts import ACCEPT, CANCEL_ONE, KEEP, TAKE, conflict_allowed_resolutions

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


def conflict_cards(
    conflicts, *, form: ConflictResolveForm | None = None, just_resolved: int | None = None
) -> list[dict]:
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
                "sentence": explain(conflict, names),
                "comparison": comparison(conflict, names),
                "options": conflict_choices(conflict, allowed),
                "outcome": resolved_outcome(conflict) if conflict.state == ConflictState.RESOLVED else "",
                "can_reopen": can_reopen(conflict),
                "just_resolved": conflict.pk == just_resolved,
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


# --- What a conflict is, in one sentence, and at most three choices phrased as outcomes ----------------------
#
# The service knows five ways to settle a conflict (keep existing, take incoming, cancel one of two, accept). The
# page offers at most three per conflict, each named by what it does to which booking. For an overlap those are
# "keep A, cancel B", "keep B, cancel A" and "keep both"; "keep existing" (drop the file's row) is not offered
# there: for a new booking it leaves the same nights booked as "cancel the incoming one" but forgets the booking,
# and for a change to a saved booking it keeps dates the platform no longer has.

SOURCE_LABELS = dict(BookingSource.choices)


@dataclass(frozen=True)
class Stay:
    """One side of a conflict as a sentence names it: whose booking, from which platform, from where."""

    guest: str
    source: str
    origin: str

    @property
    def name(self) -> str:
        platform = {"direct": "direct ", "other": ""}.get(self.source, f"{SOURCE_LABELS.get(self.source, '')} ")
        return f"{self.guest}'s {platform}booking"


@dataclass(frozen=True)
class Choice:
    resolution: str
    choice: str
    label: str  # the button: what the manager decides
    outcome: str  # beside the button: what happens next
    done: str  # once resolved: what happened


def explain(conflict: BookingConflict, property_names: dict[int, str]) -> str:
    """The conflict in one sentence: which bookings, which property and nights, where each came from."""
    incoming = conflict.incoming or {}
    booking = conflict.booking
    if conflict.kind == ConflictKind.OVERLAP:
        first, second = _overlap_sides(conflict)
        existing = conflict.other_booking
        prop = existing.property.name if existing else property_names.get(incoming.get("property_id"), "")
        nights = _overlap_nights(conflict)
        return f"{_cap(first.name)}, {first.origin}, overlaps {second.name}, {second.origin}, at {prop}{nights}."
    if booking is None:
        return conflict.message
    where = f"{booking.property.name}, {_span(booking.check_in, booking.check_out)}"
    name = _stay_of(booking, _flag(conflict, "booking_from_feed")).name
    changes = ", ".join(_field_label(field).lower() for field in (incoming.get("changes") or {}))
    if conflict.kind == ConflictKind.EDITED_BY_HAND:
        return (
            f"{_cap(_incoming_origin(conflict))} would change the {changes or 'details'} of {name} at {where}, "
            "which was edited by hand in StayOps since."
        )
    if conflict.kind == ConflictKind.DUPLICATE_IN_FILE:
        return (
            f"{_cap(_incoming_origin(conflict, row=False))} has {booking.external_code or 'the same code'} twice "
            f"with different data: the first row was saved as {name} at {where}; row {incoming.get('row_number')} "
            "differs."
        )
    if conflict.kind == ConflictKind.STARTED_TASKS:
        if "task_ids" in incoming:
            return conflict.message
        verb = "cancel" if incoming.get("status") == BookingStatus.CANCELLED else "move"
        return f"{_cap(_incoming_origin(conflict))} would {verb} {name} at {where}, but its turnover work has started."
    if conflict.kind == ConflictKind.MISSING_FROM_FEED:
        feed = f"the {SOURCE_LABELS.get(booking.source, '')} calendar feed".replace("  ", " ")
        return f"{_cap(name)} at {where}, is no longer in {feed}."
    return conflict.message


def conflict_choices(conflict: BookingConflict, allowed: list[str]) -> list[Choice]:
    """At most three choices, each an outcome; only those the service allows for this conflict."""
    choices = _choices_for_kind(conflict)
    return [choice for choice in choices if choice.resolution in allowed][:3]


def _choices_for_kind(conflict: BookingConflict) -> list[Choice]:
    incoming = conflict.incoming or {}
    if conflict.kind == ConflictKind.OVERLAP:
        first, second = _overlap_sides(conflict)
        cancel_first = "incoming"
        first_words = f"{_short_origin(conflict)}'s version of " if conflict.booking is not None and incoming else ""
        return [
            Choice(
                CANCEL_ONE,
                cancel_first,
                f"Keep {second.name}, cancel {first.name}",
                f"{_cap(first.name)} is saved as cancelled: it blocks no nights and gets no turnover tasks. "
                f"{_cap(second.name)} stays as it is.",
                f"Kept {second.name} and cancelled {first.name}.",
            ),
            Choice(
                TAKE if incoming else CANCEL_ONE,
                "" if incoming else "other",
                f"Keep {first.name}, cancel {second.name}",
                f"{_cap(first_words)}{first.name} is saved; {second.name} is cancelled in StayOps and its "
                "turnover tasks are cancelled.",
                f"Kept {first.name} and cancelled {second.name}.",
            ),
            Choice(
                ACCEPT,
                "",
                "Keep both (double booking)",
                "Both stay booked on the same nights, each with its own turnover tasks: for a deliberate "
                "overlap, such as an owner's stay.",
                "Kept both bookings, overlapping.",
            ),
        ]
    booking = conflict.booking
    name = _stay_of(booking, _flag(conflict, "booking_from_feed")).name if booking is not None else "the booking"
    origin = _incoming_origin(conflict)
    if conflict.kind == ConflictKind.EDITED_BY_HAND:
        return [
            Choice(
                KEEP,
                "",
                "Keep the edit made in StayOps",
                f"{_cap(name)} stays as edited; {origin} is ignored, and the same change will not ask again.",
                f"Kept the edit made in StayOps; ignored {origin}.",
            ),
            Choice(
                TAKE,
                "",
                f"Use the values from {_short_origin(conflict)}",
                f"{_cap(name)} takes the new values, replacing the edit; later imports update it as usual.",
                f"Replaced the edit with the values from {origin}.",
            ),
        ]
    if conflict.kind == ConflictKind.DUPLICATE_IN_FILE:
        row = incoming.get("row_number")
        return [
            Choice(
                KEEP,
                "",
                "Keep the first row",
                f"{_cap(name)} stays as the first row wrote it; row {row} is ignored.",
                f"Kept the first row; ignored row {row}.",
            ),
            Choice(
                TAKE,
                "",
                f"Use row {row} instead",
                f"{_cap(name)} is overwritten with row {row}.",
                f"Overwrote {name} with row {row}.",
            ),
        ]
    if conflict.kind == ConflictKind.STARTED_TASKS:
        if "task_ids" in incoming:
            # Raised by the turnover automation after the booking had already changed: nothing to write.
            return [
                Choice(
                    KEEP,
                    "",
                    "Mark as checked",
                    "The booking keeps its new dates; move or cancel the started tasks by hand on the board.",
                    "Checked; the started tasks were left to be handled by hand.",
                )
            ]
        cancels = incoming.get("status") == BookingStatus.CANCELLED
        return [
            Choice(
                KEEP,
                "",
                f"Leave {name} as it is",
                f"The change from {origin} is not applied; the started work goes on as planned.",
                f"Left {name} as it was; ignored {origin}.",
            ),
            Choice(
                TAKE,
                "",
                f"Cancel {name}" if cancels else f"Move {name}",
                f"{_cap(name)} is {'cancelled' if cancels else 'moved'} as {origin} says; tasks already "
                "started are not touched, so check them on the board.",
                f"{'Cancelled' if cancels else 'Moved'} {name} as {origin} says.",
            ),
        ]
    if conflict.kind == ConflictKind.MISSING_FROM_FEED:
        return [
            Choice(
                KEEP,
                "",
                f"Keep {name}",
                "The platform may have dropped it by mistake: it stays booked with its turnover tasks.",
                f"Kept {name}.",
            ),
            Choice(
                TAKE,
                "",
                f"Cancel {name}",
                "It was cancelled on the platform: it is cancelled here too, and its turnover tasks with it.",
                f"Cancelled {name}.",
            ),
        ]
    return []


def resolved_outcome(conflict: BookingConflict) -> str:
    """What a resolution did, in the words of the choice that did it."""
    return describe_resolution(conflict, conflict.resolution, (conflict.resolution_changes or {}).get("choice", ""))


def describe_resolution(conflict: BookingConflict, resolution: str, choice: str | None) -> str:
    """A resolution of this conflict in the past tense ("Kept … and cancelled …"), for the card and the audit trail."""
    choice = choice or ""
    if resolution == CANCEL_ONE and choice in ("other", "existing") and conflict.incoming:
        resolution, choice = TAKE, ""  # the same outcome as taking the incoming booking
    for option in _choices_for_kind(conflict):
        if option.resolution == resolution and option.choice == choice:
            return option.done
    label = ConflictResolution(resolution).label if resolution in ConflictResolution.values else ""
    return f"{label}" + (f" (cancelled the {choice} booking)" if choice else "") + "."


def can_reopen(conflict: BookingConflict) -> bool:
    """Resolutions recorded with what they changed can be undone (the service still checks nothing changed)."""
    return conflict.state == ConflictState.RESOLVED and "bookings" in (conflict.resolution_changes or {})


def _overlap_sides(conflict: BookingConflict) -> tuple[Stay, Stay]:
    """The newcomer (the file's or feed's booking, or the one saved last by hand) and the booking it collides with."""
    incoming = conflict.incoming or {}
    other = conflict.other_booking
    second = (
        _stay_of(other, _flag(conflict, "other_from_feed")) if other else Stay("someone", "", "no longer in StayOps")
    )
    if incoming:
        guest = incoming.get("guest_name") or (conflict.booking.guest_name if conflict.booking else "a guest")
        source = incoming.get("source") or (conflict.booking.source if conflict.booking else "")
        return Stay(guest, source, f"from {_incoming_origin(conflict)}"), second
    if conflict.booking is not None:
        return _stay_of(conflict.booking, _flag(conflict, "booking_from_feed")), second
    return Stay("a guest", "", "unknown"), second


def _overlap_nights(conflict: BookingConflict) -> str:
    incoming = conflict.incoming or {}
    other, booking = conflict.other_booking, conflict.booking
    if other is None:
        return ""
    try:
        start = datetime.date.fromisoformat(incoming["check_in"]) if "check_in" in incoming else None
        end = datetime.date.fromisoformat(incoming["check_out"]) if "check_out" in incoming else None
    except (TypeError, ValueError):
        return ""
    if booking is not None:
        start, end = start or booking.check_in, end or booking.check_out
    if start is None or end is None:
        return ""
    first, after = max(start, other.check_in), min(end, other.check_out)
    nights = (after - first).days
    if nights <= 0:
        return ""
    last = after - datetime.timedelta(days=1)
    if nights == 1:
        return f" on the night of {_day(first)}"
    return f" on the nights of {_day(first)} to {_day(last)} ({nights} nights)"


def _stay_of(booking: Booking, from_feed: bool) -> Stay:
    # from_feed is annotated by for_list_view: knowing it costs no query per card.
    if booking.last_import_batch_id:
        origin = f"already in StayOps from import #{booking.last_import_batch_id}"
    elif from_feed:
        origin = f"already in StayOps from the {SOURCE_LABELS.get(booking.source, '')} calendar feed"
    else:
        origin = "entered by hand in StayOps"
    return Stay(booking.guest_name, booking.source, origin)


def _flag(conflict: BookingConflict, name: str) -> bool:
    """An annotation of for_list_view(), False on a conflict read without it."""
    return bool(getattr(conflict, name, False))


def _incoming_origin(conflict: BookingConflict, *, row: bool = True) -> str:
    incoming = conflict.incoming or {}
    if conflict.batch_id:
        file_name = conflict.batch.file_name if conflict.batch else ""
        row_number = incoming.get("row_number")
        row_part = f", row {row_number}" if row and row_number else ""
        return f"import #{conflict.batch_id} ({file_name}{row_part})" if file_name else f"import #{conflict.batch_id}"
    if incoming.get("calendar_feed"):
        source = incoming.get("source") or (conflict.booking.source if conflict.booking else "")
        return f"the {SOURCE_LABELS.get(source, '')} calendar feed".replace("  ", " ")
    return "the change"


def _short_origin(conflict: BookingConflict) -> str:
    if conflict.batch_id:
        return "the file"
    if (conflict.incoming or {}).get("calendar_feed"):
        return "the calendar"
    return "the new change"


def _day(day: datetime.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _span(check_in: datetime.date, check_out: datetime.date) -> str:
    return f"{check_in.day} {check_in:%b} – {check_out.day} {check_out:%b %Y}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


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
