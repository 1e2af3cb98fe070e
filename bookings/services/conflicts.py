"""Resolving booking conflicts that imports (and hand edits) raise: what each kind allows, and doing it.

`BookingConflict.incoming` holds the change that could not be applied, as JSON, with booking field names:

    {"property_id": 3, "source": "airbnb", "external_code": "HMABC12345", "guest_name": "Ana Ferreira",
     "guest_contact": "+351 …", "adults": 2, "children": 0, "infants": 0,
     "check_in": "2026-03-14", "check_out": "2026-03-17",          # ISO dates
     "status": "confirmed", "source_status": "Confirmed",
     "amount": "1020.00", "currency": "USD", "booked_on": "2026-01-05",   # amount as a string, or null
     "row_number": 7,                                               # the row in the uploaded file
     "changes": {"check_out": ["2026-03-16", "2026-03-17"]}}       # only when it changes an existing booking

Only the fields the file's format has are present (a Booking.com export has no guest contact, so that key is
absent and a resolution leaves the booking's contact alone). Per kind:

- overlap: `booking` is the booking the row would change (None for a new booking), `other_booking` the live
  booking it would overlap. keep_existing drops the incoming row; take_incoming writes it and cancels the
  other booking; cancel_one writes it and cancels the one chosen ("other"/"existing": the other booking;
  "incoming": the incoming booking is written as cancelled); accept writes it and keeps both.
  An overlap recorded without `incoming` (two bookings already saved) offers cancel_one and accept.
- edited_by_hand: `booking` was edited in StayOps since its last import; `incoming["changes"]` is what the file
  would change. keep_existing keeps the manager's edit (an import of the same values will not ask again);
  take_incoming writes the file's values and clears the edited-by-hand mark.
- duplicate_in_file: the same code appears twice in one file with different data. `booking` is the booking
  written from the first of them; `incoming` is the later row. keep_existing keeps the first; take_incoming
  writes the later one over it.
- started_tasks: the file cancels or moves `booking`, whose turnover work has started (`incoming["changes"]`
  says how). keep_existing leaves it; take_incoming writes the change (wbs hears of it through bookings_changed).

A resolution records what it changed (`BookingConflict.resolution_changes`: each booking's fields before and after,
and which bookings it created), so `conflict_reopen` can put the bookings and the conflict back exactly as they
were, unless one of those bookings changed again since (then it refuses and says which).
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from bookings import hooks
from bookings.importing.applying import from_json
from bookings.models import (
    BOOKING_DATA_FIELDS,
    Booking,
    BookingConflict,
    BookingStatus,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    Property,
)
from bookings.signals import announce_bookings_changed
from core import audit
from core.audit_context import acting_user, audit_context, current_audit_context
from core.errors import Conflict, InvalidInput
from core.models import AuditAction

KEEP = ConflictResolution.KEEP_EXISTING
TAKE = ConflictResolution.TAKE_INCOMING
CANCEL_ONE = ConflictResolution.CANCEL_ONE
ACCEPT = ConflictResolution.ACCEPT

ALLOWED: dict[str, list[str]] = {
    ConflictKind.OVERLAP: [KEEP, TAKE, CANCEL_ONE, ACCEPT],
    ConflictKind.EDITED_BY_HAND: [KEEP, TAKE],
    ConflictKind.DUPLICATE_IN_FILE: [KEEP, TAKE],
    ConflictKind.STARTED_TASKS: [KEEP, TAKE],
    # A stay a calendar feed no longer carries: keep it, or take the calendar's word and cancel it.
    ConflictKind.MISSING_FROM_FEED: [KEEP, TAKE],
}
CANCEL_CHOICES = {"incoming", "other", "existing"}
AUDITED_FIELDS = [*BOOKING_DATA_FIELDS, "edited_by_hand"]
# What an undo puts back: the audited fields, and the import a booking was last written by.
RESTORED_FIELDS = [*AUDITED_FIELDS, "last_import_batch"]


class _Changes:
    """The bookings a resolution touches: the audit diff per booking (for bookings_changed), and each booking's
    state before its first change and after its last (for the undo)."""

    def __init__(self) -> None:
        self.diffs: dict[int, dict] = {}
        self.states: dict[int, dict] = {}

    def before(self, booking: Booking | None) -> None:
        if booking is None:
            return
        self.states.setdefault(booking.pk, {"id": booking.pk, "created": False, "before": _state(booking)})

    def created(self, booking: Booking) -> None:
        self.diffs[booking.pk] = {}
        self.states[booking.pk] = {"id": booking.pk, "created": True, "before": None, "after": _state(booking)}

    def after(self, booking: Booking, diff: dict) -> None:
        self.diffs[booking.pk] = {**self.diffs.get(booking.pk, {}), **diff}
        self.states[booking.pk]["after"] = _state(booking)

    def record(self) -> list[dict]:
        return [state for state in self.states.values() if "after" in state]


def _state(booking: Booking) -> dict:
    """The booking's restorable fields as JSON (dates and amounts as strings, foreign keys by id)."""
    return json.loads(json.dumps(audit.snapshot(booking, RESTORED_FIELDS), cls=DjangoJSONEncoder))


def conflict_allowed_resolutions(conflict: BookingConflict) -> list[str]:
    """The resolutions the conflicts page should offer for this conflict (none once it is resolved)."""
    if conflict.state != ConflictState.OPEN:
        return []
    if conflict.kind == ConflictKind.OVERLAP and not conflict.incoming:
        return [CANCEL_ONE, ACCEPT]
    return list(ALLOWED.get(conflict.kind, ()))


@acting_user
def conflict_resolve(
    *, conflict: BookingConflict, resolution: str, user, choice: str | None = None, summary: str = ""
) -> BookingConflict:
    """Carry out a manager's resolution in one transaction; every booking change and the resolution are audited.

    `summary` is the outcome as the page phrased it ("Kept … and cancelled …"): the audit entry says it.
    """
    with audit_context(actor=user), transaction.atomic():
        conflict = BookingConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.state != ConflictState.OPEN:
            raise Conflict("This conflict was resolved in the meantime; reload the page to see how.")
        allowed = conflict_allowed_resolutions(conflict)
        if resolution not in allowed:
            labels = ", ".join(str(ConflictResolution(value).label) for value in allowed)
            raise InvalidInput(f"A {conflict.get_kind_display().lower()} conflict can be resolved by: {labels}.")
        if resolution == CANCEL_ONE and choice not in CANCEL_CHOICES:
            raise InvalidInput('Choose which booking to cancel: "incoming" or "other".')
        if resolution != CANCEL_ONE and choice:
            raise InvalidInput("Only “cancel one” takes a choice of booking.")

        original_booking_id = conflict.booking_id
        changed = _Changes()
        if resolution == TAKE and conflict.kind == ConflictKind.MISSING_FROM_FEED:
            _cancel(conflict.booking, changed)
        elif resolution == TAKE:
            _write_incoming(conflict, changed)
            if conflict.kind == ConflictKind.OVERLAP:
                _cancel(conflict.other_booking, changed)
        elif resolution == ACCEPT:
            if conflict.incoming:
                _write_incoming(conflict, changed)
        elif resolution == CANCEL_ONE:
            if choice == "incoming":
                if conflict.incoming:
                    _write_incoming(conflict, changed, status=BookingStatus.CANCELLED)
                else:
                    _cancel(conflict.booking, changed)
            else:
                if conflict.incoming:
                    _write_incoming(conflict, changed)
                _cancel(conflict.other_booking, changed)

        conflict.state = ConflictState.RESOLVED
        conflict.resolution = resolution
        conflict.resolved_by = user if user is not None and user.is_authenticated else None
        conflict.resolved_at = timezone.now()
        message = summary or f"{ConflictResolution(resolution).label}" + (f" (cancel {choice})" if choice else "")
        conflict.resolution_changes = {
            "summary": message,
            "choice": choice or "",
            "booking_id": original_booking_id,
            "bookings": changed.record(),
        }
        conflict.save(
            update_fields=["state", "resolution", "resolved_by", "resolved_at", "booking", "resolution_changes"]
        )
        audit.record(conflict, AuditAction.RESOLVE, {"resolution": ["", resolution]}, message=message)
        announce_bookings_changed(list(changed.diffs), source=current_audit_context().source, changes=changed.diffs)
    return conflict


@acting_user
def conflict_reopen(*, conflict: BookingConflict, user) -> BookingConflict:
    """Undo a resolution: put every booking it changed back as it was, and open the conflict again.

    Refused, with nothing written, when a booking the resolution changed has changed since (by hand, an import
    or a feed): putting it back would silently throw that later change away. The turnover tasks follow the
    bookings through bookings_changed, as they did for the resolution: a booking no longer cancelled gets back
    the tasks the automation cancelled, a booking the resolution created is deleted and its tasks cancelled.
    """
    with audit_context(actor=user), transaction.atomic():
        conflict = BookingConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.state != ConflictState.RESOLVED:
            raise Conflict("This conflict is already open; reload the page to see it.")
        record = conflict.resolution_changes or {}
        if "bookings" not in record:
            raise Conflict(
                "This conflict was resolved before StayOps kept what a resolution changed, so it cannot be "
                "undone; change the bookings by hand instead."
            )
        entries = record["bookings"]
        bookings = Booking.all_objects.select_for_update().in_bulk([entry["id"] for entry in entries])
        for entry in entries:
            _refuse_if_changed_since(bookings.get(entry["id"]), entry, conflict)
        # Work started since on a stay the undo would take away or move: the turnover automation would not cancel
        # it silently anyway (it raises a conflict), so say so now and change nothing.
        moved = [entry["id"] for entry in entries if _undo_moves_or_removes(entry)]
        started = sorted(hooks.bookings_with_started_work(moved))
        if started:
            names = ", ".join(f"{bookings[pk].guest_name}'s booking" for pk in started)
            raise Conflict(
                f"Turnover work for {names} has started since this conflict was resolved; undoing would cancel or "
                "move it. Change the bookings by hand instead."
            )

        reason = f"Undo of the resolution of conflict #{conflict.pk}"
        diffs: dict[int, dict] = {}
        for entry in entries:
            booking = bookings[entry["id"]]
            if entry["created"]:
                # It did not exist before the resolution: deleted (softly, like every delete), its tasks follow.
                booking.deleted_at = timezone.now()
                booking.deleted_by = user if user is not None and user.is_authenticated else None
                booking.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
                audit.record(booking, AuditAction.DELETE, {"deleted_at": [None, booking.deleted_at]}, message=reason)
                diffs[booking.pk] = {"deleted_at": [None, booking.deleted_at.isoformat()]}
                continue
            before = audit.snapshot(booking, AUDITED_FIELDS)
            for name, value in _values(entry["before"]).items():
                setattr(booking, name, value)
            booking.save()
            diff = audit.diff(before, audit.snapshot(booking, AUDITED_FIELDS))
            audit.record(booking, AuditAction.UPDATE, diff, message=reason)
            diffs[booking.pk] = diff

        resolution = conflict.resolution
        undone = record.get("summary") or ConflictResolution(resolution).label
        conflict.state = ConflictState.OPEN
        conflict.resolution = ""
        conflict.resolved_by = None
        conflict.resolved_at = None
        conflict.booking_id = record.get("booking_id")
        conflict.resolution_changes = {}
        conflict.save(
            update_fields=["state", "resolution", "resolved_by", "resolved_at", "booking", "resolution_changes"]
        )
        audit.record(
            conflict,
            AuditAction.UPDATE,
            {"state": [ConflictState.RESOLVED, ConflictState.OPEN], "resolution": [resolution, ""]},
            message=f"Reopened, undoing: {undone}",
        )
        announce_bookings_changed(list(diffs), source=current_audit_context().source, changes=diffs)
    return conflict


def _refuse_if_changed_since(booking: Booking | None, entry: dict, conflict: BookingConflict) -> None:
    if booking is None:
        raise Conflict("A booking this resolution changed no longer exists, so it cannot be undone.")
    label = f"{booking.guest_name}'s booking ({booking.external_code or f'#{booking.pk}'})"
    if booking.is_deleted:
        raise Conflict(f"{label} was deleted after this conflict was resolved, so the resolution cannot be undone.")
    # Compared as model values, not as JSON text: an amount written as "1020" reads back as 1020.00.
    now, then = _values(_state(booking)), _values(entry["after"])
    changed = sorted(name.removesuffix("_id").replace("_", " ") for name in now if now[name] != then.get(name))
    if changed:
        raise Conflict(
            f"{label} changed after this conflict was resolved ({', '.join(changed)}); undoing would throw that "
            "change away. Edit the booking by hand instead."
        )


def _undo_moves_or_removes(entry: dict) -> bool:
    """Whether putting this booking back deletes it, cancels it or changes its nights or property."""
    if entry["created"]:
        return True
    before, after = entry["before"], entry["after"]
    if before.get("status") == BookingStatus.CANCELLED and after.get("status") != BookingStatus.CANCELLED:
        return True
    return any(before.get(name) != after.get(name) for name in ("property_id", "check_in", "check_out"))


def _values(state: dict) -> dict:
    """A recorded state (JSON) back to model values, through each field's own parsing."""
    values = {}
    for name, value in state.items():
        field = Booking._meta.get_field(name)
        assert isinstance(field, models.Field), f"{name} is a reverse relation, not a column"
        values[field.attname] = None if value is None else field.to_python(value)
    return values


def _write_incoming(conflict: BookingConflict, changed: _Changes, *, status: str | None = None) -> Booking:
    """Write the incoming values onto the conflict's booking, or create the booking if it has none yet."""
    values = from_json(conflict.incoming)
    if status:
        values["status"] = status
    if values.get("check_in") and values.get("check_out") and values["check_out"] <= values["check_in"]:
        raise InvalidInput("The incoming booking's check-out is not after its check-in; it cannot be written.")
    if "property_id" in values and not Property.objects.filter(pk=values["property_id"]).exists():
        raise InvalidInput("The incoming booking's property was deleted; restore the property first.")
    booking = conflict.booking
    if booking is None and values.get("external_code"):
        # A booking with this code may have been created since the conflict was recorded.
        booking = Booking.objects.filter(source=values.get("source"), external_code=values["external_code"]).first()
    if booking is None:
        booking = Booking(**values, last_import_batch=conflict.batch)
        booking.full_clean(exclude=["last_import_batch"])
        booking.save()
        audit.record(booking, AuditAction.CREATE, audit.diff({}, audit.snapshot(booking, AUDITED_FIELDS)))
        changed.created(booking)
        conflict.booking = booking
        return booking
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    changed.before(booking)
    before = audit.snapshot(booking, AUDITED_FIELDS)
    for name, value in values.items():
        setattr(booking, name, value)
    booking.edited_by_hand = False
    if conflict.batch_id:
        booking.last_import_batch_id = conflict.batch_id
    booking.full_clean(exclude=["last_import_batch"], validate_unique=False)
    booking.save()
    diff = audit.diff(before, audit.snapshot(booking, AUDITED_FIELDS))
    cancelled = diff.get("status", [None, None])[1] == BookingStatus.CANCELLED
    audit.record(booking, AuditAction.CANCEL if cancelled else AuditAction.UPDATE, diff)
    changed.after(booking, diff)
    conflict.booking = booking
    return booking


def _cancel(booking: Booking | None, changed: _Changes) -> None:
    if booking is None:
        raise InvalidInput("The booking to cancel no longer exists.")
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return
    changed.before(booking)
    old_status = booking.status
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    diff = {"status": [old_status, BookingStatus.CANCELLED]}
    audit.record(booking, AuditAction.CANCEL, diff)
    changed.after(booking, diff)
