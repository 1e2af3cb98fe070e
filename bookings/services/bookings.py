"""Writes to bookings by hand (pages, admin, command line): create, update, cancel, delete, restore."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from bookings.models import BOOKING_DATA_FIELDS, Booking, BookingConflict, BookingStatus, ConflictKind, ConflictState
from bookings.signals import announce_bookings_changed
from core import audit, softdelete
from core.audit_context import acting_user, current_audit_context
from core.errors import Conflict, InvalidInput
from core.models import AuditAction
from core.text import single_line_fields

# Single-line fields people type or exports fill: a line break in one breaks lists, calendars and email headers.
SINGLE_LINE_FIELDS = frozenset({"guest_name", "guest_contact", "external_code", "source_status"})
# Keyword names for booking_update: the property by its field name, the rest as imports fill them.
BOOKING_AUDIT_FIELDS = ["property", *BOOKING_DATA_FIELDS[1:], "edited_by_hand"]


class OverlapRefused(Conflict):
    """The stay shares a night with other live bookings; the form offers "Save anyway" from `.overlapping`."""

    title = "Overlapping booking"

    def __init__(self, message: str, *, overlapping: list[Booking]):
        super().__init__(message)
        self.overlapping = overlapping


def overlapping_bookings(booking: Booking) -> list[Booking]:
    """Live, non-cancelled bookings of the same property sharing a night with `booking` (not itself)."""
    if booking.status == BookingStatus.CANCELLED or not (booking.check_in and booking.check_out):
        return []
    others = (
        Booking.objects.not_cancelled()
        .filter(property_id=booking.property_id)
        .overlapping(booking.check_in, booking.check_out)
        .select_related("property")
        .order_by("check_in", "id")
    )
    if booking.pk:
        others = others.exclude(pk=booking.pk)
    return list(others)


def _describe(booking: Booking) -> str:
    code = booking.external_code or f"#{booking.pk}"
    return f"{booking.guest_name} ({code}, {booking.check_in} to {booking.check_out})"


def _check_overlap(booking: Booking, *, confirm_overlap: bool) -> list[Booking]:
    overlapping = overlapping_bookings(booking)
    if overlapping and not confirm_overlap:
        names = "; ".join(_describe(other) for other in overlapping)
        raise OverlapRefused(
            f"These dates overlap {names} at {booking.property}. Change the dates or confirm to save anyway.",
            overlapping=overlapping,
        )
    return overlapping


def check_code_free(booking: Booking) -> None:
    """A clear message instead of the database constraint's name when the code is taken."""
    if not booking.external_code:
        return
    taken = Booking.objects.filter(source=booking.source, external_code__iexact=booking.external_code)
    if booking.pk:
        taken = taken.exclude(pk=booking.pk)
    other = taken.first()
    if other is not None:
        raise ValidationError(
            {
                "external_code": (
                    f"{booking.get_source_display()} code {booking.external_code} is already used by "
                    f"{other.guest_name} ({other.check_in} to {other.check_out})."
                )
            }
        )


def _record_overlaps(booking: Booking, overlapping: list[Booking]) -> None:
    """A confirmed overlap stays visible on the conflicts page until someone resolves it."""
    existing = set(
        BookingConflict.objects.open()
        .filter(kind=ConflictKind.OVERLAP, booking=booking, other_booking__in=overlapping)
        .values_list("other_booking_id", flat=True)
    )
    BookingConflict.objects.bulk_create(
        BookingConflict(
            kind=ConflictKind.OVERLAP,
            booking=booking,
            other_booking=other,
            state=ConflictState.OPEN,
            message=f"Saved by hand although it overlaps {_describe(other)}"[:300],
        )
        for other in overlapping
        if other.pk not in existing
    )


def _validate(booking: Booking, *, confirm_overlap: bool) -> list[Booking]:
    if booking.property_id and booking.property.is_deleted:
        raise ValidationError({"property": f"{booking.property} is archived; restore it from the trash first."})
    check_code_free(booking)
    booking.full_clean()
    return _check_overlap(booking, confirm_overlap=confirm_overlap)


@acting_user
def booking_create(*, user, confirm_overlap: bool = False, **fields) -> Booking:
    """Create a booking by hand. It is marked edited by hand unless the caller says otherwise, so that an
    import carrying the same code raises a conflict instead of overwriting what the manager typed."""
    fields.setdefault("edited_by_hand", True)
    booking = Booking(**single_line_fields(fields, SINGLE_LINE_FIELDS))
    with transaction.atomic():
        overlapping = _validate(booking, confirm_overlap=confirm_overlap)
        booking.save()
        if overlapping:
            _record_overlaps(booking, overlapping)
        audit.record_created(booking, BOOKING_AUDIT_FIELDS)
        announce_bookings_changed([booking.pk], source=current_audit_context().source, changes={booking.pk: {}})
    return booking


@acting_user
def booking_update(*, booking: Booking, user, confirm_overlap: bool = False, **changes) -> dict:
    """Apply changes, validate, save and audit. Returns the audit diff; {} (and no write) when nothing changed.

    A change by hand sets `edited_by_hand` unless the caller passes it (an import taking its own data does).
    """
    unknown = set(changes) - set(BOOKING_AUDIT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable booking fields: {sorted(unknown)}")
    before = audit.snapshot(booking, BOOKING_AUDIT_FIELDS)
    for name, value in single_line_fields(changes, SINGLE_LINE_FIELDS).items():
        setattr(booking, name, value)
    if audit.diff(before, audit.snapshot(booking, BOOKING_AUDIT_FIELDS)) and "edited_by_hand" not in changes:
        booking.edited_by_hand = True
    diff = audit.diff(before, audit.snapshot(booking, BOOKING_AUDIT_FIELDS))
    if not diff:
        return {}
    with transaction.atomic():
        overlapping = _validate(booking, confirm_overlap=confirm_overlap)
        booking.save()
        if overlapping:
            _record_overlaps(booking, overlapping)
        audit.record(booking, AuditAction.UPDATE, diff)
        announce_bookings_changed([booking.pk], source=current_audit_context().source, changes={booking.pk: diff})
    return diff


@acting_user
def booking_cancel(*, booking: Booking, user, reason: str = "") -> dict:
    """Cancel a booking, keeping it (and its reason, in the audit entry). Cancelling twice changes nothing."""
    if booking.status == BookingStatus.CANCELLED:
        return {}
    reason = reason.strip()
    before = audit.snapshot(booking, BOOKING_AUDIT_FIELDS)
    booking.status = BookingStatus.CANCELLED
    booking.edited_by_hand = True
    diff = audit.diff(before, audit.snapshot(booking, BOOKING_AUDIT_FIELDS))
    with transaction.atomic():
        booking.full_clean()
        booking.save(update_fields=["status", "edited_by_hand", "updated_at"])
        audit.record(booking, AuditAction.CANCEL, diff, message=reason)
        announce_bookings_changed([booking.pk], source=current_audit_context().source, changes={booking.pk: diff})
    return diff


@acting_user
def booking_delete(*, booking: Booking, user) -> None:
    """Soft delete: the booking leaves every list and the timeline, and waits in the trash."""
    if booking.is_deleted:
        return
    with transaction.atomic():
        softdelete.soft_delete(booking, user=user)
        announce_bookings_changed(
            [booking.pk],
            source=current_audit_context().source,
            changes={booking.pk: {"deleted_at": [None, _isoformat(booking.deleted_at)]}},
        )


@acting_user
def booking_restore(*, booking: Booking, user) -> None:
    """Bring a booking back from the trash, unless a live booking took its code or its property is archived."""
    if not booking.is_deleted:
        return
    if booking.external_code:
        taken = (
            Booking.objects.filter(source=booking.source, external_code__iexact=booking.external_code)
            .exclude(pk=booking.pk)
            .first()
        )
        if taken is not None:
            raise InvalidInput(
                f"Cannot restore {booking}: {booking.get_source_display()} code {booking.external_code} now belongs "
                f"to {taken.guest_name} ({taken.check_in} to {taken.check_out}). Delete or re-code that booking first."
            )
    if booking.property.is_deleted:
        raise InvalidInput(f"Cannot restore {booking}: its property {booking.property} is archived. Restore it first.")
    with transaction.atomic():
        deleted_at = booking.deleted_at
        softdelete.restore(booking, user=user)
        announce_bookings_changed(
            [booking.pk],
            source=current_audit_context().source,
            changes={booking.pk: {"deleted_at": [_isoformat(deleted_at), None]}},
        )


def _isoformat(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
