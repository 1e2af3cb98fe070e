"""Writing a previewed plan: bookings created and changed in bulk, conflicts recorded, audit entries in bulk."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from bookings.importing.planning import FIELDS, DatabaseState
from bookings.models import (
    Booking,
    BookingConflict,
    BookingStatus,
    ConflictKind,
    ImportBatch,
    ImportRow,
    ImportRowAction,
)
from core import audit
from core.models import AuditAction

BULK_SIZE = 500
DATE_FIELDS = ("check_in", "check_out", "booked_on")


def from_json(data: dict) -> dict:
    """ImportRow.data (JSON) back to model values."""
    values = {}
    for name, value in data.items():
        if name not in FIELDS:
            continue
        if name in DATE_FIELDS and value:
            value = datetime.date.fromisoformat(value)
        elif name == "amount" and value is not None:
            value = Decimal(value)
        values[name] = value
    return values


def apply_rows(*, batch: ImportBatch, state: DatabaseState, progress=None) -> tuple[list[int], dict[int, dict]]:
    """Write the batch's accepted rows. Returns the changed booking ids and their audit diffs."""
    rows = list(
        ImportRow.objects.filter(
            batch=batch,
            action__in=[
                ImportRowAction.CREATE,
                ImportRowAction.UPDATE,
                ImportRowAction.CANCEL,
                ImportRowAction.CONFLICT,
            ],
        )
        .order_by("row_number")
        .values_list("row_number", "action", "booking_id", "data", "diff", "errors")
    )
    by_id = {booking.pk: booking for booking in state.by_key.values()}
    content_type = ContentType.objects.get_for_model(Booking, for_concrete_model=False)
    now = timezone.now()
    entries = []
    changes: dict[int, dict] = {}

    created: list[Booking] = []
    created_data: list[dict] = []
    created_rows: dict[int, Booking] = {}
    for row_number, action, _booking_id, data, _diff, _errors in rows:
        if action != ImportRowAction.CREATE:
            continue
        booking = Booking(**from_json(data), last_import_batch=batch)
        created.append(booking)
        created_data.append(data)
        created_rows[row_number] = booking
    Booking.objects.bulk_create(created, batch_size=BULK_SIZE)
    for booking, data in zip(created, created_data, strict=True):
        # The row's data is already JSON (what audit.diff would produce), so the diff is built from it directly.
        diff = {name: [None, value] for name, value in data.items() if value is not None}
        entries.append(audit.build_entry(booking, AuditAction.CREATE, diff, content_type=content_type))
        changes[booking.pk] = {}
    if progress:
        progress(len(created), len(rows))

    updated: list[Booking] = []
    updated_fields: set[str] = set()
    for _row_number, action, booking_id, data, _diff, _errors in rows:
        if action not in (ImportRowAction.UPDATE, ImportRowAction.CANCEL):
            continue
        booking = by_id[booking_id]
        values = from_json(data)
        before = audit.snapshot(booking, values)
        for name, value in values.items():
            setattr(booking, name, value)
        diff = audit.diff(before, values)
        if action == ImportRowAction.CANCEL:
            booking.status = BookingStatus.CANCELLED
        booking.last_import_batch = batch
        booking.updated_at = now
        updated_fields.update(diff)
        updated.append(booking)
        verb = AuditAction.CANCEL if action == ImportRowAction.CANCEL else AuditAction.UPDATE
        entries.append(audit.build_entry(booking, verb, diff, content_type=content_type))
        changes[booking.pk] = diff
    if updated:
        Booking.objects.bulk_update(
            updated, sorted(updated_fields | {"last_import_batch", "updated_at"}), batch_size=BULK_SIZE
        )

    conflicts = []
    for row_number, action, booking_id, data, diff, errors in rows:
        if action != ImportRowAction.CONFLICT or not errors or not errors[0].get("new", True):
            continue
        details = errors[0]
        other_id = details.get("other_booking_id")
        other_row = details.get("other_row")
        if other_row is not None and other_row in created_rows:
            if details["conflict"] == ConflictKind.DUPLICATE_IN_FILE:
                booking_id = booking_id or created_rows[other_row].pk
            else:
                other_id = created_rows[other_row].pk
        incoming = dict(data, row_number=row_number)
        if diff:
            incoming["changes"] = diff
        conflicts.append(
            BookingConflict(
                kind=details["conflict"],
                booking_id=booking_id,
                other_booking_id=other_id,
                batch=batch,
                incoming=incoming,
                message=details["reason"][:300],
            )
        )
    BookingConflict.objects.bulk_create(conflicts, batch_size=BULK_SIZE)
    audit.record_many(entries)

    # Link the history's rows to the bookings they created: one UPDATE per source, not one per row. The
    # subquery filters by source and code so it walks the (source, external_code) index.
    for source in sorted({booking.source for booking in created}):
        ImportRow.objects.filter(batch=batch, action=ImportRowAction.CREATE, data__source=source).update(
            booking_id=Subquery(
                Booking.objects.filter(source=source, external_code=OuterRef("external_code")).values("pk")[:1]
            )
        )
    return sorted(changes), changes
