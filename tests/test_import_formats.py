"""Import engine: recognising each export's headers, and reading its dates, money and counts."""

import datetime
from decimal import Decimal

import pytest

from bookings.importing.parsing import CellError, parse_count, parse_date, parse_money
from bookings.models import Booking, BookingSource, BookingStatus
from tests.import_files import (
    AIRBNB_HEADERS,
    BOOKINGCOM_HEADERS,
    airbnb_row,
    airbnb_xlsx,
    bookingcom_row,
    bookingcom_xlsx,
    csv_bytes,
    preview,
    preview_and_apply,
    template_row,
    template_xlsx,
)

pytestmark = pytest.mark.django_db


def test_it_imports_an_airbnb_export_with_title_rows_and_trailing_blanks(manager, loft):
    content = airbnb_xlsx(
        [
            airbnb_row(),
            airbnb_row(
                "HMDEF67890", guest="Bo Li", check_in=datetime.date(2026, 3, 20), check_out=datetime.date(2026, 3, 22)
            ),
        ],
        title_rows=[["Reservations"], ["Exported 2026-01-10"], []],
        trailing_blank_rows=5,
        extra_blank_columns=3,
    )
    batch = preview_and_apply(content, "reservations.xlsx", manager)
    assert batch.source_format == "airbnb"
    assert batch.counts["created"] == 2 and batch.counts["errors"] == 0
    booking = Booking.objects.get(external_code="HMABC12345")
    assert booking.source == BookingSource.AIRBNB
    assert booking.property == loft
    assert (booking.check_in, booking.check_out) == (datetime.date(2026, 3, 14), datetime.date(2026, 3, 17))
    assert (booking.amount, booking.currency) == (Decimal("1020.00"), "USD")
    assert booking.status == BookingStatus.CONFIRMED and booking.source_status == "Confirmed"
    assert booking.guest_contact == "+351 912 345 678"
    assert booking.booked_on == datetime.date(2026, 1, 5)
    assert booking.last_import_batch == batch
    assert sorted(batch.rows.values_list("row_number", flat=True)) == [5, 6]


def test_it_reads_airbnb_real_excel_dates(manager, loft):
    batch = preview(airbnb_xlsx([airbnb_row(as_text=False)]), "r.xlsx", manager)
    assert batch.rows.get().data["check_in"] == "2026-03-14"


def test_it_imports_a_bookingcom_export(manager, loft):
    rows = [
        bookingcom_row(),
        bookingcom_row("4021337799", check_in="14 Apr 2026", check_out="17 Apr 2026", status="no_show"),
    ]
    batch = preview_and_apply(bookingcom_xlsx(rows), "Check-in 2026.xlsx", manager)
    assert batch.source_format == "bookingcom"
    assert batch.counts["created"] == 2
    booking = Booking.objects.get(external_code="4021337788")
    assert booking.source == BookingSource.BOOKINGCOM
    assert (booking.amount, booking.currency) == (Decimal("1020.00"), "EUR")
    assert booking.guest_name == "Jonas Müller" and booking.notes == "Late arrival, around 22:00"
    assert booking.adults == 2 and booking.property == loft
    assert Booking.objects.get(external_code="4021337799").status == BookingStatus.CANCELLED


def test_it_imports_our_template_matching_property_by_code(manager, loft):
    batch = preview_and_apply(template_xlsx([template_row()]), "template.xlsx", manager)
    assert batch.source_format == "template"
    booking = Booking.objects.get()
    assert (booking.source, booking.external_code, booking.children) == (BookingSource.DIRECT, "DIRECT-0001", 1)
    assert (booking.amount, booking.currency) == (Decimal("450.00"), "EUR")


@pytest.mark.parametrize("bom", [False, True])
def test_it_reads_utf8_csv_with_or_without_bom(manager, loft, bom):
    content = csv_bytes(AIRBNB_HEADERS, [airbnb_row(guest="Zoë Ångström")], bom=bom)
    preview_and_apply(content, "r.csv", manager)
    assert Booking.objects.get().guest_name == "Zoë Ångström"


def test_it_reads_semicolon_csv_and_headers_in_any_case_and_punctuation(manager, loft):
    headers = [h.upper().replace("#", "No.").replace(" ", "_") for h in BOOKINGCOM_HEADERS]
    content = csv_bytes(headers, [bookingcom_row()], delimiter=";")
    batch = preview(content, "bookings.csv", manager)
    assert batch.source_format == "bookingcom" and batch.counts["created"] == 1


def test_it_matches_the_property_by_name_and_alias_ignoring_case_and_spaces(manager, loft):
    rows = [
        airbnb_row("A1", listing="  sunny   LOFT "),
        airbnb_row(
            "A2",
            listing="SUNNY LOFT BY THE BEACH",
            check_in=datetime.date(2026, 4, 1),
            check_out=datetime.date(2026, 4, 3),
        ),
    ]
    batch = preview(airbnb_xlsx(rows), "r.xlsx", manager)
    assert batch.counts["created"] == 2


def test_an_unknown_property_is_a_row_error_saying_how_to_add_the_alias(manager, loft):
    batch = preview(airbnb_xlsx([airbnb_row(listing="Harbour View")]), "r.xlsx", manager)
    error = batch.rows.get().errors[0]
    assert error["column"] == "Listing" and error["value"] == "Harbour View"
    assert "alias" in error["reason"] and "Fix and check again" in error["reason"]


def test_a_forced_source_that_does_not_match_rejects_the_file(manager, loft):
    from bookings.importing import FileRejected

    with pytest.raises(FileRejected, match="No header row"):
        preview(airbnb_xlsx([airbnb_row()]), "r.xlsx", manager, source="bookingcom")


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("03/14/2026", "mdy", datetime.date(2026, 3, 14)),
        ("14/03/2026", "dmy", datetime.date(2026, 3, 14)),
        ("2026-03-14", "mdy", datetime.date(2026, 3, 14)),
        ("2026-03-14 15:00:00", "dmy", datetime.date(2026, 3, 14)),
        ("14 Mar 2026", "dmy", datetime.date(2026, 3, 14)),
        ("Sat, 14 March 2026", "dmy", datetime.date(2026, 3, 14)),
        ("Mar 14, 2026", "mdy", datetime.date(2026, 3, 14)),
        (46095, "dmy", datetime.date(2026, 3, 14)),  # an Excel serial number
        (datetime.datetime(2026, 3, 14, 0, 0), "dmy", datetime.date(2026, 3, 14)),
        ("", "dmy", None),
    ],
)
def test_it_reads_dates(value, order, expected):
    assert parse_date(value, order) == expected


@pytest.mark.parametrize("value", ["31/02/2026", "tomorrow", "13/14/2026", 12.5])
def test_it_refuses_what_is_not_a_date(value):
    with pytest.raises(CellError):
        parse_date(value, "dmy")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$1,020.00", (Decimal("1020.00"), "USD")),
        ("1.020,00 €", (Decimal("1020.00"), "EUR")),
        ("EUR 1020", (Decimal("1020.00"), "EUR")),
        ("1 020,50 EUR", (Decimal("1020.50"), "EUR")),
        ("£85", (Decimal("85.00"), "GBP")),
        (1020.5, (Decimal("1020.50"), "")),
        ("", (None, "")),
    ],
)
def test_it_reads_money(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize("value", ["lots", "12,34,5", "EUR 10 USD"])
def test_it_refuses_what_is_not_money(value):
    with pytest.raises(CellError):
        parse_money(value)


def test_it_reads_counts():
    assert parse_count("3") == 3 and parse_count(2.0) == 2 and parse_count(None, 1) == 1
    for bad in ("two", -1, 2.5, 500):
        with pytest.raises(CellError):
            parse_count(bad)


def test_row_errors_name_row_column_value_and_reason(manager, loft):
    rows = [
        airbnb_row(check_in="02/30/2026"),
        airbnb_row("HM2", earnings="lots"),
        airbnb_row("", check_in=datetime.date(2026, 6, 1), check_out=datetime.date(2026, 6, 3)),
    ]
    batch = preview(airbnb_xlsx(rows), "r.xlsx", manager)
    errors = {row.row_number: row.errors for row in batch.rows.all()}
    assert errors[2][0]["column"] == "Start date" and errors[2][0]["value"] == "02/30/2026"
    assert "not a real date" in errors[2][0]["reason"]
    assert errors[3][0] == {"column": "Earnings", "value": "lots", "reason": errors[3][0]["reason"]}
    assert "is empty" in errors[4][0]["reason"]
    assert batch.counts["errors"] == 3 and Booking.objects.count() == 0
