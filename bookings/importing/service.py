"""The import services: create a batch from an upload, preview it, apply it; import a file in one go."""

import datetime
import hashlib
import logging
import os
from decimal import Decimal

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from bookings.importing.applying import apply_rows
from bookings.importing.files import (
    FileRejected,
    check_content,
    check_size,
    estimate_rows,
    file_kind,
    iter_rows,
)
from bookings.importing.formats import SOURCE_CHOICES, HeaderMatch, find_header
from bookings.importing.planning import (
    PlannedRow,
    RowReader,
    count,
    data_json,
    decide,
    earlier_conflicts,
    load_state,
    read_rows,
    scope_of,
)
from bookings.models import Booking, ImportBatch, ImportRow, ImportRowAction, ImportState, Property
from bookings.signals import announce_bookings_changed
from bookings.status_mapping import load_status_mapper
from core.audit_context import acting_user, audit_context
from core.bulk import analyze_after_commit, insert_rows
from core.errors import Conflict
from core.gc_pause import gc_paused
from core.models import AuditEntry, AuditSource

logger = logging.getLogger(__name__)

ROW_BULK_SIZE = 1000
HASH_CHUNK = 1 << 20
# Any constant works: PostgreSQL advisory locks are keyed by a number; this one means "applying an import".
IMPORT_APPLY_LOCK = 0x5354_4159_494D  # "STAYIM"
STALE_RETRIES = 2


@acting_user
def import_batch_create(*, file, file_name: str, user, source: str = "auto") -> ImportBatch:
    """Check an upload cheaply, keep it privately and start its history. Raises FileRejected."""
    if source not in SOURCE_CHOICES:
        raise FileRejected(f"Unknown format {source!r}: choose one of {', '.join(SOURCE_CHOICES)}.")
    file_name = os.path.basename(file_name or getattr(file, "name", "") or "upload")[:255]
    kind = file_kind(file_name)
    size = file.size if getattr(file, "size", None) is not None else _size_of(file)
    check_size(size)
    check_content(file, kind, file_name)
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(HASH_CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    batch = ImportBatch(
        created_by=user if user is not None and user.is_authenticated else None,
        file_name=file_name,
        sha256=digest.hexdigest(),
        source_format=source,
        state=ImportState.QUEUED,
    )
    batch.file.save(file_name, file if isinstance(file, File) else File(file, name=file_name), save=False)
    batch.save()
    return batch


def import_batch_estimate_rows(batch: ImportBatch) -> int:
    """Roughly how many bookings the file holds, without parsing it: decides whether to run in the background."""
    with batch.file.open("rb") as handle:
        return estimate_rows(handle, file_kind(batch.file_name))


def import_batch_preview(*, batch: ImportBatch, progress=None) -> ImportBatch:
    """Parse and plan every row against the database and keep the per-row results. Writes no booking.

    A problem with the file as a whole sets state=rejected with the message, and raises FileRejected.
    """
    if batch.state == ImportState.APPLIED:
        raise Conflict("This import was applied already; upload the file again to import it anew.")
    if progress and not batch.rows_total:
        batch.rows_total = import_batch_estimate_rows(batch)
    try:
        match, reader, planned = _read_file_rows(batch, progress)
    except FileRejected as exc:
        _reject(batch, exc.message)
        raise
    scope = scope_of(planned)
    with gc_paused():
        # Stays around the file's dates are read only if some row creates or moves one (decide loads them).
        state = load_state(scope, with_stays=False)
        decide(planned, reader.provided, state, earlier_conflicts(scope))
    counts = count(planned)
    raw_keys = column_names(match.headers)
    with transaction.atomic():
        ImportRow.objects.filter(batch=batch).delete()
        rows = (import_row(batch, row, reader, raw_keys) for row in planned)
        insert_rows(ImportRow, IMPORT_ROW_COLUMNS, rows, batch_size=ROW_BULK_SIZE)
        batch.source_format = match.format.key
        batch.state = ImportState.PREVIEWED
        batch.message = ""
        batch.counts = counts
        batch.rows_total = len(planned)
        batch.rows_done = 0
        # PostgreSQL's jsonb does not keep key order, so the file's column order is kept here for pages and reports.
        batch.scope = {**scope, "columns": raw_keys, "stays": state.stays_loaded}
        batch.fingerprint = state.fingerprint
        batch.save(
            update_fields=[
                "source_format",
                "state",
                "message",
                "counts",
                "rows_total",
                "rows_done",
                "scope",
                "fingerprint",
            ]
        )
    if progress:
        progress(len(planned), len(planned))
    return batch


def _read_file_rows(batch: ImportBatch, progress=None) -> tuple[HeaderMatch, RowReader, list[PlannedRow]]:
    """The batch file's header, its row reader and every data row parsed; FileRejected if it holds no booking."""
    requested = batch.source_format if batch.source_format in SOURCE_CHOICES else "auto"
    with batch.file.open("rb") as handle, gc_paused():
        rows = iter_rows(handle, file_kind(batch.file_name), batch.file_name)
        match, _title_rows = find_header(rows, requested)
        reader = RowReader(match, Property.objects.all(), load_status_mapper())
        planned = read_rows(
            rows, reader, first_number=match.header_index + 2, progress=progress, total_estimate=batch.rows_total
        )
    if not planned:
        raise FileRejected("The file has a header row but no bookings under it.")
    return match, reader, planned


@acting_user
def import_batch_apply(
    *, batch: ImportBatch, user, progress=None, audit_source: str = AuditSource.IMPORT
) -> ImportBatch:
    """Apply a previewed batch's accepted rows in one transaction, audited, announced once.

    Refuses a batch applied already, and a stale preview (its bookings changed since): state=stale, Conflict.
    """
    stale_message = ""
    with audit_context(source=audit_source, batch_id=batch.pk, actor=user), transaction.atomic():
        _serialize_imports()
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state == ImportState.APPLIED:
            raise Conflict(
                f"This import was applied on {timezone.localtime(locked.applied_at):%d %b %Y %H:%M}; "
                "applying it twice would change nothing."
            )
        if locked.state != ImportState.PREVIEWED:
            raise Conflict(f"This import is {locked.get_state_display().lower()}, not previewed: preview it again.")
        with gc_paused():
            state = load_state(locked.scope, lock=True, with_stays=locked.scope.get("stays", True))
        if state.fingerprint != locked.fingerprint:
            stale_message = (
                "Bookings in this file changed after the preview (another import or a manager's edit). "
                "Nothing was written: preview again to see the current differences."
            )
        else:
            try:
                # The writes (and the turnover tasks the announcement plans) build rows by the ten thousand too.
                with transaction.atomic(), gc_paused():
                    booking_ids, changes = apply_rows(batch=locked, progress=progress)
                    announce_bookings_changed(booking_ids, source=audit_source, changes=changes)
                    # A large import leaves the planner fresh statistics of what it filled (wbs does the same
                    # for the tasks it created on the announcement).
                    analyze_after_commit([Booking, ImportRow, AuditEntry], rows=len(booking_ids))
            except IntegrityError:
                logger.warning("import %s lost a race for a booking code", locked.pk, exc_info=True)
                stale_message = (
                    "Another change created some of these bookings while this import ran. "
                    "Nothing was written: preview again."
                )
        if stale_message:
            locked.state = ImportState.STALE
            locked.message = stale_message
            locked.save(update_fields=["state", "message"])
        else:
            locked.state = ImportState.APPLIED
            locked.applied_at = timezone.now()
            locked.rows_done = locked.rows_total
            locked.message = ""
            locked.save(update_fields=["state", "applied_at", "rows_done", "message"])
    batch.refresh_from_db()
    if stale_message:
        raise Conflict(stale_message)
    return batch


@acting_user
def import_file(
    *, path, user, source: str = "auto", dry_run: bool = False, audit_source: str = AuditSource.CLI
) -> ImportBatch:
    """Create, preview and (unless dry_run) apply a file on disk: the command line's import.

    A preview gone stale while applying (another import of the same bookings won the race) is previewed
    again and retried: from a terminal nobody else is looking at the preview.
    """
    with open(path, "rb") as handle:
        batch = import_batch_create(
            file=File(handle, name=os.path.basename(path)), file_name=str(path), user=user, source=source
        )
    import_batch_preview(batch=batch)
    if dry_run:
        return batch
    for attempt in range(STALE_RETRIES + 1):
        try:
            return import_batch_apply(batch=batch, user=user, audit_source=audit_source)
        except Conflict:
            batch.refresh_from_db()
            if batch.state != ImportState.STALE or attempt == STALE_RETRIES:
                raise
            import_batch_preview(batch=batch)
    return batch


# --- helpers ---------------------------------------------------------------------------------------------


def column_names(headers: tuple[str, ...]) -> list[str]:
    """Keys for ImportRow.raw: the header text, made unique; a blank header becomes "Column N"."""
    names: list[str] = []
    seen: set[str] = set()
    for position, header in enumerate(headers):
        name = header or f"Column {position + 1}"
        candidate, suffix = name, 2
        while candidate in seen:
            candidate, suffix = f"{name} ({suffix})", suffix + 1
        seen.add(candidate)
        names.append(candidate)
    return names


def raw_json(cells: tuple, keys: list[str]) -> dict:
    raw = {}
    for position, cell in enumerate(cells):
        key = keys[position] if position < len(keys) else f"Column {position + 1}"
        raw[key] = cell_json(cell)
    return raw


def cell_text(cell) -> str:
    value = cell_json(cell)
    return "" if value is None else str(value).strip()


def cell_json(cell):
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time(0) else cell.isoformat()
    if isinstance(cell, (datetime.date, datetime.time)):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def raw_cells(row: PlannedRow, reader: RowReader) -> tuple:
    if row.raw is not None:
        return row.raw
    assert row.data is not None, "a row keeps its cells or its parsed values"
    return reader.cells_from_data(row.data)


# The columns import_row gives, in its order.
IMPORT_ROW_COLUMNS = (
    "batch_id",
    "row_number",
    "action",
    "external_code",
    "booking_id",
    "data",
    "raw",
    "diff",
    "errors",
)


def import_row(batch: ImportBatch, row: PlannedRow, reader: RowReader, raw_keys: list[str]) -> tuple:
    """The history's row for one planned row, as the values of IMPORT_ROW_COLUMNS."""
    errors = row.errors or []
    if row.action == ImportRowAction.CONFLICT:
        # For a conflict row, `errors` holds one entry describing the conflict (the pages show its reason).
        errors = [
            {
                "column": "",
                "value": "",
                "reason": row.conflict_message,
                "conflict": row.conflict_kind,
                "other_booking_id": row.other_booking_id,
                "other_row": row.other_row,
                "new": row.new_conflict,
            }
        ]
    return (
        batch.pk,
        row.number,
        row.action,
        (row.key()[1] if row.data is not None else cell_text(reader.cell(raw_cells(row, reader), "external_code")))[
            :64
        ],
        row.booking_id,
        data_json(row, reader.provided) if row.data is not None else {},
        # The cells as written are what the error report gives back to fix; a parsed row is kept as `data`.
        raw_json(raw_cells(row, reader), raw_keys) if row.action == ImportRowAction.ERROR else {},
        row.diff or {},
        errors,
    )


def _reject(batch: ImportBatch, message: str) -> None:
    batch.state = ImportState.REJECTED
    batch.message = message
    batch.save(update_fields=["state", "message"])


def _serialize_imports() -> None:
    """One import applies at a time: two uploads of the same file must not both create its bookings."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_APPLY_LOCK])
    # SQLite: the IMMEDIATE transaction mode (settings) already lets one writer in at a time.


def _size_of(file) -> int:
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size
