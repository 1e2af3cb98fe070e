"""The export formats StayOps recognises: header aliases per format and finding the header row."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bookings.importing.files import FileRejected
from bookings.importing.template_columns import TEMPLATE_COLUMNS
from bookings.models import BookingSource

HEADER_SEARCH_ROWS = 30
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_header(value) -> str:
    """`"# of adults"` -> `"ofadults"`, `"Check-in"` -> `"checkin"`: case, spaces and punctuation do not count."""
    if value is None:
        return ""
    return _NOT_ALNUM.sub("", str(value).casefold())


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    # normalized header -> field it fills; several headers may fill one field (first present wins).
    columns: dict[str, str]
    required: tuple[str, ...]
    # The booking source for every row; None: read from the "source" column (our template).
    source: str | None
    # How a date written with slashes is ordered: "mdy" for 03/14/2026, "dmy" for 14/03/2026.
    slash_order: str
    headers_for_humans: tuple[str, ...] = field(default=())


def _columns(pairs: dict[str, str]) -> dict[str, str]:
    return {normalize_header(header): target for header, target in pairs.items()}


AIRBNB = Format(
    key="airbnb",
    label="Airbnb reservations export",
    columns=_columns(
        {
            "Confirmation code": "external_code",
            "Status": "status",
            "Guest name": "guest_name",
            "Contact": "guest_contact",
            "# of adults": "adults",
            "# of children": "children",
            "# of infants": "infants",
            "Start date": "check_in",
            "End date": "check_out",
            "# of nights": "nights",
            "Booked": "booked_on",
            "Listing": "property",
            "Earnings": "amount",
        }
    ),
    required=tuple(normalize_header(h) for h in ("Confirmation code", "Status", "Start date", "End date", "Listing")),
    source=BookingSource.AIRBNB,
    slash_order="mdy",
    headers_for_humans=("Confirmation code", "Status", "Guest name", "Start date", "End date", "Listing"),
)

BOOKINGCOM = Format(
    key="bookingcom",
    label="Booking.com reservations export",
    columns=_columns(
        {
            "Book number": "external_code",
            "Reservation number": "external_code",
            "Booked by": "booked_by",
            "Guest name(s)": "guest_name",
            "Guest name": "guest_name",
            "Check-in": "check_in",
            "Arrival": "check_in",
            "Check-out": "check_out",
            "Departure": "check_out",
            "Booked on": "booked_on",
            "Status": "status",
            "Persons": "persons",
            "Adults": "adults",
            "Children": "children",
            "Price": "amount",
            "Remarks": "notes",
            "Property name": "property",
            "Property": "property",
            "Unit type": "unit_type",
            "Duration (nights)": "nights",
        }
    ),
    required=tuple(normalize_header(h) for h in ("Book number", "Check-in", "Check-out", "Status")),
    source=BookingSource.BOOKINGCOM,
    slash_order="dmy",
    headers_for_humans=("Book number", "Guest name(s)", "Check-in", "Check-out", "Status", "Unit type"),
)

TEMPLATE = Format(
    key="template",
    label="StayOps import template",
    columns=_columns(
        {
            "Property": "property",
            "Code": "external_code",
            "Source": "source",
            "Guest name": "guest_name",
            "Guest contact": "guest_contact",
            "Adults": "adults",
            "Children": "children",
            "Infants": "infants",
            "Check-in": "check_in",
            "Check-out": "check_out",
            "Status": "status",
            "Amount": "amount",
            "Currency": "currency",
            "Notes": "notes",
        }
    ),
    required=tuple(normalize_header(h) for h in ("Property", "Code", "Check-in", "Check-out", "Status")),
    source=None,
    slash_order="dmy",
    headers_for_humans=tuple(TEMPLATE_COLUMNS),
)

FORMATS = {fmt.key: fmt for fmt in (AIRBNB, BOOKINGCOM, TEMPLATE)}
SOURCE_CHOICES = ("auto", *FORMATS)


@dataclass
class HeaderMatch:
    format: Format
    header_index: int  # 0-based position of the header row among the file's rows
    headers: tuple[str, ...]  # the header cells as written, for messages and the error report
    # field -> column position; the first column with a header for the field wins.
    positions: dict[str, int]


def match_header(cells: tuple, fmt: Format) -> dict[str, int] | None:
    normalized = [normalize_header(cell) for cell in cells]
    if not all(name in normalized for name in fmt.required):
        return None
    positions: dict[str, int] = {}
    for index, name in enumerate(normalized):
        target = fmt.columns.get(name)
        if target and target not in positions:
            positions[target] = index
    return positions


def find_header(rows: Iterator[tuple], source: str = "auto") -> tuple[HeaderMatch, list[tuple]]:
    """Read rows until the header row of a known format; title rows above it are skipped.

    Returns the match and the rows read before it (kept for the error report's heading).
    """
    if source not in SOURCE_CHOICES:
        raise FileRejected(f"Unknown format {source!r}: choose one of {', '.join(SOURCE_CHOICES)}.")
    candidates = list(FORMATS.values()) if source == "auto" else [FORMATS[source]]
    seen: list[tuple] = []
    for index, cells in enumerate(rows):
        if index >= HEADER_SEARCH_ROWS:
            break
        cells = tuple(cells)
        # The format whose columns this row fills best, so the template (which shares "Check-in") wins on its own.
        best = None
        for fmt in candidates:
            positions = match_header(cells, fmt)
            if positions is not None and (best is None or len(positions) > len(best[1])):
                best = (fmt, positions)
        if best:
            headers = tuple("" if cell is None else str(cell).strip() for cell in cells)
            return HeaderMatch(format=best[0], header_index=index, headers=headers, positions=best[1]), seen
        seen.append(cells)
    expected = "; or ".join(f"{fmt.label}: {', '.join(fmt.headers_for_humans)}" for fmt in candidates)
    if not seen:
        raise FileRejected("The file has no rows. Export the reservations again and upload that file.")
    raise FileRejected(
        f"No header row found in the first {HEADER_SEARCH_ROWS} rows. Expected the columns of the {expected}. "
        "Check that this is a reservations export, or download the StayOps template and copy the bookings into it."
    )
