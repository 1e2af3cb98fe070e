"""Turning a file's rows into a plan: parse each row, then decide its action against the database in bulk.

The plan is made with a fixed number of queries whatever the row count: properties, status aliases, the
bookings with the file's codes, the bookings around the file's stays, earlier conflicts, started work.
"""

import bisect
import datetime
import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings

from bookings import hooks
from bookings.importing.files import FileRejected
from bookings.importing.formats import HeaderMatch, normalize_header
from bookings.importing.parsing import (
    CellError,
    parse_count,
    parse_date,
    parse_long_text,
    parse_money,
    parse_text,
)
from bookings.models import (
    BOOKING_DATA_FIELDS,
    Booking,
    BookingConflict,
    BookingSource,
    BookingStatus,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    ImportRowAction,
    Property,
)
from bookings.status_mapping import StatusMapper, UnknownStatus

# The booking fields an import fills, in the order a row's parsed values are kept (a tuple, not a dict:
# a 100,000-row file has to fit in memory with room to spare).
FIELDS = BOOKING_DATA_FIELDS
INDEX = {name: position for position, name in enumerate(FIELDS)}
# Fields whose change moves or ends a stay: with started work these need the manager.
STAY_FIELDS = ("property_id", "check_in", "check_out")
QUERY_CHUNK = 900  # stays under SQLite's and PostgreSQL's parameter limits with room for other filters

SOURCE_WORDS = {normalize_header(label): value for value, label in BookingSource.choices} | {
    normalize_header(value): value for value in BookingSource.values
}


def source_word(value) -> str | None:
    return SOURCE_WORDS.get(normalize_header(value))


@dataclass(slots=True)
class PlannedRow:
    number: int  # the row number a spreadsheet shows (1-based, counting title and header rows)
    raw: tuple | None  # None once parsed cleanly: the report gives back only rows with errors
    data: tuple | None = None
    errors: list | None = None
    action: str = ImportRowAction.ERROR
    booking_id: int | None = None
    diff: dict | None = None
    conflict_kind: str = ""
    conflict_message: str = ""
    other_booking_id: int | None = None
    other_row: int | None = None  # an earlier row of the file this one conflicts with
    new_conflict: bool = True  # False: the same conflict already waits for the manager

    def value(self, name: str) -> Any:
        assert self.data is not None, "only a parsed row has values"
        return self.data[INDEX[name]]

    def key(self) -> tuple[str, str]:
        assert self.data is not None, "only a parsed row has a key"
        return self.data[INDEX["source"]], self.data[INDEX["external_code"]]


@dataclass
class Plan:
    rows: list[PlannedRow]
    provided: tuple[str, ...]  # the fields this file fills; others are left as they are on update
    scope: dict = field(default_factory=dict)
    fingerprint: str = ""
    counts: dict = field(default_factory=dict)


# --- Reading rows -------------------------------------------------------------------------------------


class RowReader:
    """Parses data rows of one file into booking values; one instance per import (lookups loaded once)."""

    def __init__(self, match: HeaderMatch, properties: Iterable[Property], statuses: StatusMapper):
        self.match = match
        self.format = match.format
        self.positions = match.positions
        self.statuses = statuses
        self.property_lookup = property_lookup(properties)
        self.max_chars = settings.IMPORT_MAX_CELL_CHARS
        self.provided = self._provided_fields()

    def _provided_fields(self) -> tuple[str, ...]:
        present = set(self.positions)
        wanted = {
            "property_id": {"property", "unit_type"},
            "source": {"source"} if self.format.source is None else set(),
            "external_code": {"external_code"},
            "guest_name": {"guest_name", "booked_by"},
            "guest_contact": {"guest_contact"},
            "adults": {"adults", "persons"},
            "children": {"children"},
            "infants": {"infants"},
            "check_in": {"check_in"},
            "check_out": {"check_out"},
            "status": {"status"},
            "source_status": {"status"},
            "amount": {"amount"},
            "currency": {"amount", "currency"},
            "notes": {"notes"},
            "booked_on": {"booked_on"},
        }
        always = {"source", "external_code", "property_id", "check_in", "check_out", "status"}
        return tuple(name for name in FIELDS if name in always or wanted[name] & present)

    def header(self, column: str) -> str:
        position = self.positions.get(column)
        return self.match.headers[position] if position is not None else column

    def cell(self, cells: tuple, column: str):
        position = self.positions.get(column)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def read(self, number: int, cells: tuple) -> PlannedRow:
        """One row's values, or its errors: each step below appends what it refuses, in column order."""
        row = PlannedRow(number=number, raw=cells)
        errors: list[dict] = []

        def take(column: str, parse: Callable, *args):
            value = self.cell(cells, column)
            try:
                return parse(value, *args)
            except CellError as exc:
                errors.append(row_error(self.header(column), value, str(exc)))
                return None
            except UnknownStatus as exc:
                errors.append(row_error(self.header(column), value, str(exc), cause=UNKNOWN_STATUS))
                return None

        values: dict = {}
        source = self._source(cells, errors)
        values["source"] = source or ""
        values["external_code"] = self._external_code(take, errors)
        values["property_id"] = self._property(cells, errors)
        values["guest_name"] = self._guest_name(take, errors)
        values["guest_contact"] = take("guest_contact", parse_text, 200) or ""
        values["adults"], values["children"], values["infants"] = self._party(take)
        values["check_in"], values["check_out"] = self._stay(cells, take, errors)
        values["status"], values["source_status"] = self._status(cells, take, source)
        values["amount"], values["currency"] = self._money(take)
        values["notes"] = take("notes", parse_long_text, 10_000) or ""
        values["booked_on"] = take("booked_on", parse_date, self.format.slash_order)

        if errors:
            row.errors = errors
        else:
            row.data = tuple(values[name] for name in FIELDS)
        return row

    def _source(self, cells: tuple, errors: list) -> str | None:
        """The format's own platform, or (for our template) the row's Source cell; a blank one means direct."""
        if self.format.source is not None:
            return self.format.source
        written = self.cell(cells, "source")
        source = source_word(written) if written not in (None, "") else BookingSource.DIRECT
        if source is None:
            errors.append(
                row_error(
                    self.header("source"),
                    written,
                    "is not a source; use one of " + ", ".join(label for _, label in BookingSource.choices),
                )
            )
        return source

    def _external_code(self, take: Callable, errors: list) -> str:
        code = take("external_code", parse_text, 64)
        if code == "" and not self._has_error(errors, "external_code"):
            errors.append(
                row_error(
                    self.header("external_code"),
                    "",
                    "is empty: every booking needs its platform's code (or your own, e.g. DIRECT-0042) so a "
                    "later import updates it instead of adding it twice",
                )
            )
        return code or ""

    def _guest_name(self, take: Callable, errors: list) -> str:
        guest_name = take("guest_name", parse_text, 200) or take("booked_by", parse_text, 200)
        if not guest_name and "guest_name" in self.provided:
            errors.append(row_error(self.header("guest_name"), "", "is empty: write the guest's name"))
        return guest_name or ""

    def _party(self, take: Callable) -> tuple:
        """Adults, children and infants; a format that gives only a head count ("Persons") counts them as adults."""
        persons = take("persons", parse_count, 0)
        return (
            take("adults", parse_count, persons or 1),
            take("children", parse_count, 0),
            take("infants", parse_count, 0),
        )

    def _stay(self, cells: tuple, take: Callable, errors: list) -> tuple:
        slash_order = self.format.slash_order
        check_in = take("check_in", parse_date, slash_order)
        check_out = take("check_out", parse_date, slash_order)
        for column, value in (("check_in", check_in), ("check_out", check_out)):
            if value is None and not self._has_error(errors, column):
                errors.append(row_error(self.header(column), "", "is empty: every booking needs its dates"))
        if check_in and check_out and check_out <= check_in:
            errors.append(
                row_error(
                    self.header("check_out"),
                    self.cell(cells, "check_out"),
                    f"is not after check-in ({check_in.isoformat()}): check the dates",
                )
            )
        return check_in, check_out

    def _status(self, cells: tuple, take: Callable, source: str | None) -> tuple:
        """Our status, mapped from the platform's word, and the word as written (kept to show and to map later)."""
        status_cell = self.cell(cells, "status")
        # Status words and currency codes are interned: a file repeats a handful of each over thousands of rows.
        return take("status", self.statuses.map, source), sys.intern(parse_text(status_cell, 10_000)[:64])

    def _money(self, take: Callable) -> tuple:
        """The amount and its currency: a Currency column wins over a code written with the amount."""
        money = take("amount", parse_money)
        amount, currency = money if money else (None, "")
        written_currency = take("currency", parse_text, 3)
        return amount, sys.intern((written_currency or currency).upper())

    def _has_error(self, errors: list, column: str) -> bool:
        header = self.header(column)
        return any(error["column"] == header for error in errors)

    def cells_from_data(self, data: tuple) -> tuple:
        """A parsed row written back as cells under the file's own columns, for a row the planner refused after
        parsing (its raw cells are not kept, to save memory): the error report can then give it back to fix.
        Dates come back as ISO dates and money with its currency code, which the importer reads as well."""
        values = dict(zip(FIELDS, data, strict=True))
        codes = {pk: code for code, pk in self.property_lookup.items()}
        by_column = {
            "property": codes.get(values["property_id"], ""),
            "unit_type": codes.get(values["property_id"], ""),
            "status": values["source_status"],
            "amount": f"{values['amount']} {values['currency']}".strip() if values["amount"] is not None else "",
            "booked_by": values["guest_name"],
            "persons": values["adults"] + values["children"],
        }
        cells = [None] * len(self.match.headers)
        for column, position in self.positions.items():
            value = by_column[column] if column in by_column else values.get(column)
            cells[position] = to_json(value)
        return tuple(cells)

    def _property(self, cells: tuple, errors: list) -> int | None:
        column = "property" if "property" in self.positions else "unit_type"
        value = self.cell(cells, column)
        text = " ".join(str(value).split()) if value is not None else ""
        if not text:
            errors.append(row_error(self.header(column), "", "is empty: write the property's code or name"))
            return None
        property_id = self.property_lookup.get(text.casefold())
        if property_id is None:
            errors.append(
                row_error(
                    self.header(column),
                    text,
                    "matches no property: map it to one (kept as its alias) or create the property under "
                    "“Fix and check again” on the preview, or write the property's code",
                    cause=UNKNOWN_PROPERTY,
                )
            )
        return property_id


def property_lookup(properties: Iterable[Property]) -> dict[str, int]:
    """Code, name and every alias, case- and space-insensitive, to the property's id. Codes win over names."""
    lookup: dict[str, int] = {}
    ordered = list(properties)
    for prop in ordered:
        for alias in prop.aliases or []:
            lookup[" ".join(str(alias).split()).casefold()] = prop.pk
    for prop in ordered:
        lookup[" ".join(prop.name.split()).casefold()] = prop.pk
    for prop in ordered:
        lookup[prop.code.strip().casefold()] = prop.pk
    return lookup


# Causes the preview offers a fix for; a row error without one is fixed in the file.
UNKNOWN_PROPERTY = "unknown_property"
UNKNOWN_STATUS = "unknown_status"


def row_error(column: str, value, reason: str, *, cause: str = "") -> dict:
    shown = "" if value is None else str(value)
    error = {"column": column, "value": shown[:200], "reason": reason}
    if cause:
        error["cause"] = cause
    return error


def read_rows(
    rows: Iterator[tuple],
    reader: RowReader,
    *,
    first_number: int,
    progress: Callable[[int, int], None] | None = None,
    total_estimate: int = 0,
) -> list[PlannedRow]:
    """Parse every data row after the header. Blank rows are skipped; trailing blank columns never count."""
    planned: list[PlannedRow] = []
    max_rows = settings.IMPORT_MAX_ROWS
    max_chars = settings.IMPORT_MAX_CELL_CHARS
    headers = reader.match.headers
    for number, cells in enumerate(rows, start=first_number):
        if not any(cell is not None and cell != "" for cell in cells):
            continue
        for position, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > max_chars:
                column = (
                    headers[position] if position < len(headers) and headers[position] else f"column {position + 1}"
                )
                raise FileRejected(
                    f"Row {number}, {column}: a cell holds {len(cell):,} characters; the limit is {max_chars:,}. "
                    "Shorten it and upload the file again."
                )
        if len(planned) >= max_rows:
            raise FileRejected(
                f"The file has more than {max_rows:,} bookings, the most one import takes. "
                "Split it into smaller files (for example one per year) and import them one by one."
            )
        row = reader.read(number, trim(cells, len(headers)))
        if row.data is not None:
            # The cells as written are kept only for rows the error report may give back.
            row.raw = None
        planned.append(row)
        if progress and len(planned) % 1000 == 0:
            progress(len(planned), max(total_estimate, len(planned)))
    return planned


def trim(cells: tuple, width: int) -> tuple:
    """Cells under the header only: blank columns to the right of the table are not part of a row."""
    if len(cells) > width:
        if any(cell not in (None, "") for cell in cells[width:]):
            return tuple(cells)
        return tuple(cells[:width])
    return tuple(cells)


# --- The database side ---------------------------------------------------------------------------------


STORED_COLUMNS = ("pk", "deleted_at", "edited_by_hand", *FIELDS)


class StoredBooking(NamedTuple):
    """A booking as the planner compares it: its data fields and the flags that decide an action.

    A plain tuple, not a model instance: a file's bookings are read by the thousand and only compared.
    Its fields are STORED_COLUMNS, spelled out so the type checker knows them (checked below).
    """

    pk: int
    deleted_at: datetime.datetime | None
    edited_by_hand: bool
    property_id: int
    source: str
    external_code: str
    guest_name: str
    guest_contact: str
    adults: int
    children: int
    infants: int
    check_in: datetime.date
    check_out: datetime.date
    status: str
    source_status: str
    amount: Decimal | None
    currency: str
    notes: str
    booked_on: datetime.date | None

    def __str__(self) -> str:
        return f"{self.guest_name} ({self.external_code or '#' + str(self.pk)})"


if StoredBooking._fields != STORED_COLUMNS:
    raise ImportError("StoredBooking's fields must be STORED_COLUMNS: update both with BOOKING_DATA_FIELDS.")


@dataclass
class DatabaseState:
    """What the database holds for one import's rows, loaded with a fixed number of queries."""

    scope: dict
    by_key: dict[tuple[str, str], StoredBooking]  # live bookings by (source, code)
    deleted_keys: set[tuple[str, str]]
    started: set[int]
    digest: "hashlib._Hash"
    calendars: dict[int, "Calendar"] = field(default_factory=dict)
    stays: dict[int, tuple] = field(default_factory=dict)  # stay id -> (guest, code, check-in, check-out)
    stays_loaded: bool = False

    @property
    def fingerprint(self) -> str:
        """A digest of every value the plan was made from: applying refuses when it changed since the preview."""
        return self.digest.hexdigest()

    def load_stays(self) -> None:
        """Live stays on the file's properties around its dates, for overlap checks. Only a plan that creates or
        moves a stay needs them: an import of unchanged bookings skips the query (and its share of the digest)."""
        scope = self.scope
        self.stays_loaded = True
        if not (scope.get("properties") and scope.get("start")):
            return
        queryset = (
            Booking.objects.not_cancelled()
            .filter(property_id__in=scope["properties"])
            .overlapping(datetime.date.fromisoformat(scope["start"]), datetime.date.fromisoformat(scope["end"]))
            .order_by("pk")
            .values_list("pk", "property_id", "check_in", "check_out", "guest_name", "external_code")
        )
        calendars, stays, digest = self.calendars, self.stays, self.digest
        for pk, property_id, check_in, check_out, guest_name, code in queryset.iterator(chunk_size=5000):
            calendar = calendars.get(property_id)
            if calendar is None:
                calendar = calendars[property_id] = Calendar()
            calendar.add(check_in, check_out, pk)
            stays[pk] = (guest_name, code, check_in, check_out)
            digest.update(f"{pk}|{property_id}|{check_in}|{check_out}\n".encode())

    def label(self, pk: int) -> str:
        """`Guest (CODE), 14 Mar – 17 Mar 2026`: how a conflict message names an existing stay."""
        if pk not in self.stays:
            return f"booking #{pk}"
        guest_name, code, check_in, check_out = self.stays[pk]
        return f"{guest_name} ({code or '#' + str(pk)}), {check_in:%d %b} – {check_out:%d %b %Y}"


def scope_of(rows: list[PlannedRow]) -> dict:
    codes: dict[str, set[str]] = {}
    properties: set[int] = set()
    start = end = None
    for row in rows:
        if row.data is None:
            continue
        source, code = row.key()
        codes.setdefault(source, set()).add(code)
        properties.add(row.value("property_id"))
        check_in, check_out = row.value("check_in"), row.value("check_out")
        start = check_in if start is None or check_in < start else start
        end = check_out if end is None or check_out > end else end
    return {
        "codes": {source: sorted(values) for source, values in sorted(codes.items())},
        "properties": sorted(properties),
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }


def load_state(scope: dict, *, lock: bool = False, with_stays: bool = True) -> DatabaseState:
    """Bookings with the file's codes (live and deleted), which of them have started work, and (with_stays)
    the live stays around the file's dates.

    With lock=True (applying), the bookings with the file's codes are locked until the transaction ends.
    """
    by_key: dict[tuple[str, str], StoredBooking] = {}
    deleted_keys: set[tuple[str, str]] = set()
    digest = hashlib.sha256()
    matched: list[StoredBooking] = []
    for source, codes in scope.get("codes", {}).items():
        for start in range(0, len(codes), QUERY_CHUNK):
            queryset = Booking.all_objects.filter(source=source, external_code__in=codes[start : start + QUERY_CHUNK])
            if lock:
                queryset = queryset.select_for_update()
            matched.extend(map(StoredBooking._make, queryset.values_list(*STORED_COLUMNS)))
    matched.sort()  # by pk: the fingerprint must not depend on the order the database returned rows in
    for booking in matched:
        key = (booking.source, booking.external_code)
        if booking.deleted_at is None:
            by_key[key] = booking
        else:
            deleted_keys.add(key)
        # The values the plan was made from, not updated_at: a bulk UPDATE elsewhere does not touch updated_at.
        digest.update(repr(tuple(booking)).encode())
    started = hooks.bookings_with_started_work([booking.pk for booking in by_key.values()]) if by_key else set()
    digest.update(("started:" + ",".join(str(pk) for pk in sorted(started)) + "\n").encode())
    state = DatabaseState(scope=scope, by_key=by_key, deleted_keys=deleted_keys, started=started, digest=digest)
    if with_stays:
        state.load_stays()
    return state


class Calendar:
    """One property's stays, sorted by check-in, to find overlaps without a query per row."""

    def __init__(self):
        self.starts: list[datetime.date] = []
        self.entries: list[tuple[datetime.date, datetime.date, object]] = []
        self.longest = datetime.timedelta(0)

    def add(self, check_in, check_out, key) -> None:
        position = bisect.bisect_right(self.starts, check_in)
        self.starts.insert(position, check_in)
        self.entries.insert(position, (check_in, check_out, key))
        self.longest = max(self.longest, check_out - check_in)

    def remove(self, key) -> None:
        for position, entry in enumerate(self.entries):
            if entry[2] == key:
                del self.starts[position]
                del self.entries[position]
                return

    def first_overlap(self, check_in, check_out, *, ignore=None):
        """The key of a stay sharing a night with [check_in, check_out); a check-out on check-in day does not."""
        position = bisect.bisect_left(self.starts, check_out)
        earliest = check_in - self.longest
        for index in range(position - 1, -1, -1):
            start, end, key = self.entries[index]
            if start < earliest:
                break
            if end > check_in and key != ignore:
                return key
        return None


# --- Deciding each row's action ------------------------------------------------------------------------


def to_json(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def data_json(row: PlannedRow, provided: tuple[str, ...]) -> dict:
    return {name: to_json(row.value(name)) for name in provided}


def conflict_signature(kind: str, incoming: dict) -> str:
    """What makes two conflicts the same: the kind and the incoming values (not the row number)."""
    kept = {name: incoming.get(name) for name in FIELDS if name in incoming}
    return kind + "|" + "|".join(f"{name}={kept[name]}" for name in sorted(kept))


def earlier_conflicts(scope: dict) -> tuple[set[str], set[str]]:
    """Signatures of conflicts already raised for these codes: still open, or settled by keeping the existing."""
    open_signatures: set[str] = set()
    kept_signatures: set[str] = set()
    codes = sorted({code for values in scope.get("codes", {}).values() for code in values})
    for start in range(0, len(codes), QUERY_CHUNK):
        conflicts = BookingConflict.objects.filter(incoming__external_code__in=codes[start : start + QUERY_CHUNK])
        for kind, state, resolution, incoming in conflicts.values_list("kind", "state", "resolution", "incoming"):
            signature = conflict_signature(kind, incoming)
            if state == ConflictState.OPEN:
                open_signatures.add(signature)
            elif resolution == ConflictResolution.KEEP_EXISTING:
                kept_signatures.add(signature)
    return open_signatures, kept_signatures


def decide(rows: list[PlannedRow], provided: tuple[str, ...], state: DatabaseState, earlier) -> None:
    """Give every row its action; conflicts are decided here, before anything is written."""
    first_by_key: dict[tuple[str, str], PlannedRow] = {}
    compared = [name for name in provided if name not in ("source", "external_code")]
    for row in rows:
        decide_row(row, first_by_key, compared, state)
    if any(row.action in (ImportRowAction.CREATE, ImportRowAction.UPDATE) for row in rows):
        if not state.stays_loaded:
            state.load_stays()
        find_overlaps(rows, state)
    settle_earlier_conflicts(rows, provided, earlier)


def decide_row(row: PlannedRow, first_by_key: dict, compared: list[str], state: DatabaseState) -> None:
    """One row's action from the file's earlier rows and the stored booking with its code (overlaps come later)."""
    if row.data is None:
        row.action = ImportRowAction.ERROR
        return
    key = row.key()
    first = first_by_key.get(key)
    if first is not None:
        decide_repeat(row, first)
        return
    first_by_key[key] = row
    if key in state.deleted_keys and key not in state.by_key:
        row.action = ImportRowAction.ERROR
        row.errors = [
            row_error(
                "Code",
                key[1],
                "belongs to a booking that was deleted; restore it from the trash to import changes to it",
            )
        ]
        return
    booking = state.by_key.get(key)
    if booking is None:
        row.action = ImportRowAction.CREATE
        return
    row.booking_id = booking.pk
    changes = changed_fields(booking, row, compared)
    if not changes:
        row.action = ImportRowAction.UNCHANGED
        return
    row.diff = changes
    decide_change(row, booking, changes, state.started)


def decide_repeat(row: PlannedRow, first: PlannedRow) -> None:
    """A code the file already gave: the same data again is unchanged, different data is a conflict."""
    row.booking_id = first.booking_id
    if first.data == row.data:
        row.action = ImportRowAction.UNCHANGED
        return
    row.action = ImportRowAction.CONFLICT
    row.conflict_kind = ConflictKind.DUPLICATE_IN_FILE
    row.other_row = first.number
    row.conflict_message = f"Code {row.key()[1]} appears in rows {first.number} and {row.number} with different data."


def changed_fields(booking: StoredBooking, row: PlannedRow, compared: list[str]) -> dict:
    """{field: [stored, incoming]} for the fields the file fills and the booking holds otherwise, as JSON values."""
    changes = {}
    for name in compared:
        old, new = to_json(getattr(booking, name)), to_json(row.value(name))
        if old != new:
            changes[name] = [old, new]
    return changes


def decide_change(row: PlannedRow, booking: StoredBooking, changes: dict, started: set[int]) -> None:
    """A change to a stored booking: a conflict if edited by hand or if it moves or cancels started work."""
    cancelling = row.value("status") == BookingStatus.CANCELLED and booking.status != BookingStatus.CANCELLED
    if booking.edited_by_hand:
        row.action = ImportRowAction.CONFLICT
        row.conflict_kind = ConflictKind.EDITED_BY_HAND
        row.conflict_message = (
            f"{booking} was edited by hand; the import would change " + ", ".join(sorted(changes)) + "."
        )
    elif booking.pk in started and (cancelling or any(name in changes for name in STAY_FIELDS)):
        row.action = ImportRowAction.CONFLICT
        row.conflict_kind = ConflictKind.STARTED_TASKS
        what = "cancels" if cancelling else "moves"
        row.conflict_message = f"The import {what} {booking}, whose turnover work has started."
    elif cancelling:
        row.action = ImportRowAction.CANCEL
    else:
        row.action = ImportRowAction.UPDATE


def settle_earlier_conflicts(rows: list[PlannedRow], provided: tuple[str, ...], earlier) -> None:
    """A conflict the manager settled by keeping the existing booking is not raised again; one still open is
    not recorded twice."""
    open_signatures, kept_signatures = earlier
    for row in rows:
        if row.action != ImportRowAction.CONFLICT:
            continue
        signature = conflict_signature(row.conflict_kind, data_json(row, provided))
        if signature in kept_signatures:
            row.action = ImportRowAction.UNCHANGED
        elif signature in open_signatures:
            row.new_conflict = False


def find_overlaps(rows: list[PlannedRow], state: DatabaseState) -> None:
    """Rows that would give a property two stays on one night become overlap conflicts.

    Cancellations free their nights first; then rows claim nights in file order, so of two overlapping
    new bookings in one file the first is created and the second waits for the manager.
    """
    calendars = state.calendars
    for row in rows:
        if row.action == ImportRowAction.CANCEL and row.booking_id is not None:
            booking_calendar = state_calendar(state, row)
            if booking_calendar:
                booking_calendar.remove(row.booking_id)
    for row in rows:
        if row.action not in (ImportRowAction.CREATE, ImportRowAction.UPDATE):
            continue
        if row.value("status") == BookingStatus.CANCELLED:
            if row.booking_id is not None:
                calendar = state_calendar(state, row)
                if calendar:
                    calendar.remove(row.booking_id)
            continue
        property_id = row.value("property_id")
        calendar = calendars.get(property_id)
        if calendar is None:
            calendar = calendars[property_id] = Calendar()
        # A new booking has no id yet: its row number, negated, cannot collide with a booking's id.
        own_key = row.booking_id if row.booking_id is not None else -row.number
        other = calendar.first_overlap(row.value("check_in"), row.value("check_out"), ignore=own_key)
        if other is None:
            if row.booking_id is not None:
                old_calendar = state_calendar(state, row)
                if old_calendar:
                    old_calendar.remove(row.booking_id)
            calendar.add(row.value("check_in"), row.value("check_out"), own_key)
            continue
        row.action = ImportRowAction.CONFLICT
        row.conflict_kind = ConflictKind.OVERLAP
        if other < 0:
            row.other_row = -other
            where = f"the booking in row {-other}"
        else:
            row.other_booking_id = other
            where = state.label(other)
        row.conflict_message = (
            f"{row.value('guest_name')} ({row.value('external_code')}), {row.value('check_in'):%d %b} – "
            f"{row.value('check_out'):%d %b %Y}, overlaps {where} on the same property."
        )


def state_property(state: DatabaseState, row: PlannedRow) -> int | None:
    booking = state.by_key.get(row.key())
    return booking.property_id if booking else None


def state_calendar(state: DatabaseState, row: PlannedRow) -> "Calendar | None":
    """The calendar of the property the row's booking is at in the database, if any."""
    property_id = state_property(state, row)
    return state.calendars.get(property_id) if property_id is not None else None


def count(rows: list[PlannedRow]) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "cancelled": 0, "conflicts": 0, "errors": 0}
    names: dict[str, str] = {
        ImportRowAction.CREATE: "created",
        ImportRowAction.UPDATE: "updated",
        ImportRowAction.UNCHANGED: "unchanged",
        ImportRowAction.CANCEL: "cancelled",
        ImportRowAction.CONFLICT: "conflicts",
        ImportRowAction.ERROR: "errors",
    }
    for row in rows:
        counts[names[row.action]] += 1
    return counts
