"""Writing a previewed plan: bookings created and changed in bulk, conflicts recorded, audit entries in bulk."""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from bookings.importing.planning import FIELDS, QUERY_CHUNK
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
from core.bulk import insert_rows
from core.models import AuditAction

BULK_SIZE = 500
CHUNK_ROWS = 2000
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


def apply_rows(*, batch: ImportBatch, progress=None) -> tuple[list[int], dict[int, dict]]:
    """Write the batch's accepted rows, CHUNK_ROWS at a time so a 100,000-row file never sits in memory whole.

    Returns the changed booking ids and, per booking, its audit diff ({} for a new booking).
    """
    conflict_rows = list(
        ImportRow.objects.filter(batch=batch, action=ImportRowAction.CONFLICT)
        .order_by("row_number")
        .values_list("row_number", "booking_id", "data", "diff", "errors")
    )
    # Rows a conflict points at (an earlier row of the file): their new booking ids are kept for the conflict.
    referenced_rows = {errors[0].get("other_row") for *_, errors in conflict_rows if errors} - {None}
    writer = ChunkWriter(batch=batch, referenced_rows=referenced_rows)
    write_accepted_rows(batch, writer, progress)
    record_conflicts(batch, conflict_rows, writer.created_by_row)
    link_created_rows(batch, writer.created_sources)
    return sorted(writer.changes), writer.changes


def write_accepted_rows(batch: ImportBatch, writer: "ChunkWriter", progress=None) -> None:
    """The rows that create, update or cancel a booking, in file order, one chunk at a time."""
    total = sum(batch.counts.get(name, 0) for name in ("created", "updated", "cancelled"))
    written = ImportRow.objects.filter(
        batch=batch, action__in=[ImportRowAction.CREATE, ImportRowAction.UPDATE, ImportRowAction.CANCEL]
    ).order_by("row_number")
    last_row = 0
    while True:
        # Keyset pages: each is a fresh query, so nothing stays open while the chunk is written.
        chunk = list(
            written.filter(row_number__gt=last_row).values_list("row_number", "action", "booking_id", "data")[
                :CHUNK_ROWS
            ]
        )
        if not chunk:
            break
        writer.write(chunk)
        last_row = chunk[-1][0]
        if progress:
            progress(writer.done, total)


def record_conflicts(batch: ImportBatch, conflict_rows: list[tuple], created_by_row: dict[int, int]) -> None:
    """A BookingConflict for each new conflict row; one pointing at an earlier row of the file gets the booking
    that row has just created."""
    conflicts = []
    for row_number, booking_id, data, diff, errors in conflict_rows:
        if not errors or not errors[0].get("new", True):
            continue
        details = errors[0]
        other_id = details.get("other_booking_id")
        other_row = details.get("other_row")
        if other_row in created_by_row:
            if details["conflict"] == ConflictKind.DUPLICATE_IN_FILE:
                booking_id = booking_id or created_by_row[other_row]
            else:
                other_id = created_by_row[other_row]
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


def link_created_rows(batch: ImportBatch, sources: set[str]) -> None:
    """Link the history's rows to the bookings they created: one UPDATE per source, not one per row. The
    subquery filters by source and code so it walks the (source, external_code) index."""
    for source in sorted(sources):
        ImportRow.objects.filter(batch=batch, action=ImportRowAction.CREATE, data__source=source).update(
            booking_id=Subquery(
                Booking.objects.filter(source=source, external_code=OuterRef("external_code")).values("pk")[:1]
            )
        )


class NewBooking(NamedTuple):
    """A booking just written from an import row, as its audit entry reads it (id and str())."""

    pk: int
    source: str
    external_code: str
    guest_name: str

    def __str__(self) -> str:
        # As Booking.__str__ words it: the audit entry's object_repr.
        return f"{self.guest_name} ({self.external_code or f'#{self.pk}'})"


def store_new_bookings(rows: list[dict], *, batch: ImportBatch) -> list[NewBooking]:
    """Insert new bookings (each a dict of field values, as from_json gives them) in bulk, as plain rows: no model
    instance per booking. Returns them in order, with their ids.

    COPY (core.bulk) returns no ids, so they are read back by (source, code), which is unique among live bookings.
    """
    default_source = Booking._meta.get_field("source").get_default()
    # The rows of one file name the same fields; grouped all the same, so a row never takes another's columns.
    by_fields: dict[tuple[str, ...], list[dict]] = {}
    for values in rows:
        by_fields.setdefault(tuple(values), []).append(values)
    for names, group in by_fields.items():
        columns = (*names, "last_import_batch_id")
        insert_rows(Booking, columns, ((*values.values(), batch.pk) for values in group), batch_size=BULK_SIZE)
    codes_by_source: dict[str, list[str]] = {}
    for values in rows:
        codes_by_source.setdefault(values.get("source", default_source), []).append(values["external_code"])
    ids: dict[tuple[str, str], int] = {}
    for source, codes in codes_by_source.items():
        for start in range(0, len(codes), QUERY_CHUNK):
            found = Booking.objects.filter(source=source, external_code__in=codes[start : start + QUERY_CHUNK])
            ids.update(((source, code), pk) for pk, code in found.values_list("pk", "external_code"))
    new = []
    for values in rows:
        source, code = values.get("source", default_source), values["external_code"]
        new.append(NewBooking(ids[(source, code)], source, code, values.get("guest_name", "")))
    return new


class ChunkWriter:
    """Creates and updates one chunk of rows' bookings and their audit entries, in bulk."""

    def __init__(self, *, batch: ImportBatch, referenced_rows: set[int]):
        self.batch = batch
        self.referenced_rows = referenced_rows
        self.content_type = ContentType.objects.get_for_model(Booking, for_concrete_model=False)
        self.now = timezone.now()
        self.changes: dict[int, dict] = {}
        self.created_by_row: dict[int, int] = {}
        self.created_sources: set[str] = set()
        self.done = 0

    def write(self, chunk: list[tuple]) -> None:
        entries = audit.EntryRows(self.content_type)
        created: list[tuple[int, dict, dict]] = []
        updated: list[Booking] = []
        updated_fields: set[str] = set()
        # The plan compared plain values; the bookings it changes are read whole here, a chunk at a time.
        # apply locked them already (load_state(lock=True)), so they are the rows the plan was made from.
        changing = [booking_id for _number, action, booking_id, _data in chunk if action != ImportRowAction.CREATE]
        by_id = Booking.objects.in_bulk(changing) if changing else {}
        for row_number, action, booking_id, data in chunk:
            if action == ImportRowAction.CREATE:
                created.append((row_number, from_json(data), data))
                continue
            booking = by_id[booking_id]
            values = from_json(data)
            before = audit.snapshot(booking, values)
            for name, value in values.items():
                setattr(booking, name, value)
            diff = audit.diff(before, values)
            if action == ImportRowAction.CANCEL:
                booking.status = BookingStatus.CANCELLED
            booking.last_import_batch = self.batch
            booking.updated_at = self.now
            updated_fields.update(diff)
            updated.append(booking)
            verb = AuditAction.CANCEL if action == ImportRowAction.CANCEL else AuditAction.UPDATE
            entries.add(booking, verb, diff)
            self.changes[booking.pk] = diff

        new_bookings = store_new_bookings([values for _, values, _ in created], batch=self.batch)
        for (row_number, _values, data), new in zip(created, new_bookings, strict=True):
            # The row's data is already JSON (what audit.diff would produce), so the diff is built from it directly.
            diff = {name: [None, value] for name, value in data.items() if value is not None}
            entries.add(new, AuditAction.CREATE, diff, changes_are_json=True)
            self.changes[new.pk] = {}
            self.created_sources.add(new.source)
            if row_number in self.referenced_rows:
                self.created_by_row[row_number] = new.pk
        if updated:
            fields = sorted(updated_fields | {"last_import_batch", "updated_at"})
            Booking.objects.bulk_update(updated, fields, batch_size=BULK_SIZE)
        entries.write()
        self.done += len(chunk)
