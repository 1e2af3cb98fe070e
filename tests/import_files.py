"""Builders for sample import files (Airbnb, Booking.com, StayOps template) as .xlsx or .csv bytes, for tests."""

import csv
import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from bookings.importing.template_columns import TEMPLATE_COLUMNS

AIRBNB_HEADERS = [
    "Confirmation code",
    "Status",
    "Guest name",
    "Contact",
    "# of adults",
    "# of children",
    "# of infants",
    "Start date",
    "End date",
    "# of nights",
    "Booked",
    "Listing",
    "Earnings",
]
BOOKINGCOM_HEADERS = [
    "Book number",
    "Booked by",
    "Guest name(s)",
    "Check-in",
    "Check-out",
    "Booked on",
    "Status",
    "Rooms",
    "Persons",
    "Adults",
    "Children",
    "Price",
    "Commission %",
    "Commission amount",
    "Payment status",
    "Remarks",
    "Unit type",
    "Duration (nights)",
    "Cancellation date",
]


def airbnb_row(
    code="HMABC12345",
    *,
    status="Confirmed",
    guest="Ana Ferreira",
    contact="+351 912 345 678",
    adults=2,
    children=0,
    infants=0,
    check_in=datetime.date(2026, 3, 14),
    check_out=datetime.date(2026, 3, 17),
    booked=datetime.date(2026, 1, 5),
    listing="Sunny Loft by the Beach",
    earnings="$1,020.00",
    as_text=True,
):
    """One Airbnb row; dates as Airbnb writes them (03/14/2026) unless as_text=False (real dates)."""

    def when(value):
        return value.strftime("%m/%d/%Y") if as_text and isinstance(value, datetime.date) else value

    nights = (check_out - check_in).days if isinstance(check_in, datetime.date) else ""
    return [
        code,
        status,
        guest,
        contact,
        adults,
        children,
        infants,
        when(check_in),
        when(check_out),
        nights,
        when(booked),
        listing,
        earnings,
    ]


def bookingcom_row(
    number="4021337788",
    *,
    guest="Jonas Müller",
    check_in="2026-04-02",
    check_out="2026-04-05",
    booked_on="2026-02-11",
    status="ok",
    persons=2,
    adults=2,
    children=0,
    price="1.020,00 €",
    remarks="Late arrival, around 22:00",
    unit="Sunny Loft by the Beach",
):
    return [
        number,
        guest,
        guest,
        check_in,
        check_out,
        booked_on,
        status,
        1,
        persons,
        adults,
        children,
        price,
        "15%",
        "153.00 EUR",
        "Paid online",
        remarks,
        unit,
        3,
        "",
    ]


def template_row(
    code="DIRECT-0001",
    *,
    property_code="LOFT",
    source="Direct",
    guest="Rui Costa",
    contact="rui@example.com",
    adults=2,
    children=1,
    infants=0,
    check_in=datetime.date(2026, 5, 1),
    check_out=datetime.date(2026, 5, 4),
    status="confirmed",
    amount=450,
    currency="EUR",
    notes="",
):
    return [
        property_code,
        code,
        source,
        guest,
        contact,
        adults,
        children,
        infants,
        check_in,
        check_out,
        status,
        amount,
        currency,
        notes,
    ]


def xlsx_bytes(headers, rows, *, title_rows=(), trailing_blank_rows=0, extra_blank_columns=0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Reservations"
    for title in title_rows:
        sheet.append(list(title))
    sheet.append(list(headers) + [None] * extra_blank_columns)
    for row in rows:
        sheet.append(list(row))
    for _ in range(trailing_blank_rows):
        sheet.append([None] * len(headers))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers, rows, *, bom=False, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def airbnb_xlsx(rows, **kwargs) -> bytes:
    return xlsx_bytes(AIRBNB_HEADERS, rows, **kwargs)


def bookingcom_xlsx(rows, **kwargs) -> bytes:
    return xlsx_bytes(BOOKINGCOM_HEADERS, rows, **kwargs)


def template_xlsx(rows, **kwargs) -> bytes:
    return xlsx_bytes(TEMPLATE_COLUMNS, rows, **kwargs)


def zip_bomb_xlsx(uncompressed_bytes: int) -> bytes:
    """A zip laid out like a workbook whose sheet inflates to `uncompressed_bytes` of zeros (~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            remaining = uncompressed_bytes
            while remaining > 0:
                member.write(chunk[: min(remaining, len(chunk))])
                remaining -= len(chunk)
    return buffer.getvalue()


def preview(content: bytes, name: str, user, source: str = "auto"):
    """Create and preview a batch from bytes, as the upload page does."""
    from bookings.importing import import_batch_create, import_batch_preview

    batch = import_batch_create(file=upload(name, content), file_name=name, user=user, source=source)
    return import_batch_preview(batch=batch)


def preview_and_apply(content: bytes, name: str, user, source: str = "auto"):
    from bookings.importing import import_batch_apply

    return import_batch_apply(batch=preview(content, name, user, source), user=user)
