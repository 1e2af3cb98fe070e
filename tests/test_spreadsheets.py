"""core.spreadsheets: .xlsx text as string cells (never formulas, no quote), .csv escaped; reports import again."""

import csv
import io

import pytest
from openpyxl import load_workbook

from bookings.importing import import_error_report
from bookings.models import Booking
from core.spreadsheets import csv_response, xlsx_bytes
from tests.import_files import airbnb_row, airbnb_xlsx, preview, preview_and_apply

PHONE = "+351 912 345 678"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_it_writes_text_that_looks_like_a_formula_as_a_string_cell():
    sheet = sheet_of(xlsx_bytes(["Contact", "Notes", "Guests", "Empty"], [[PHONE, FORMULA, 2, None]]))
    contact, notes, guests, empty = sheet[2]
    assert (contact.value, contact.data_type) == (PHONE, "s")
    assert (notes.value, notes.data_type) == (FORMULA, "s")
    assert (guests.value, guests.data_type) == (2, "n")
    assert empty.value is None


def test_headers_are_string_cells_too():
    sheet = sheet_of(xlsx_bytes(["=A1", "-x"], []))
    assert [(cell.value, cell.data_type) for cell in sheet[1]] == [("=A1", "s"), ("-x", "s")]


def test_csv_keeps_escaping_formula_like_text():
    response = csv_response("x.csv", ["Contact", "Notes", "Name"], [[PHONE, FORMULA, "Ana"]])
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row == ["'" + PHONE, "'" + FORMULA, "Ana"]


@pytest.mark.django_db
def test_an_error_report_imports_again_with_the_phone_number_as_written(manager, loft):
    content = airbnb_xlsx([airbnb_row("HMRT1", contact=PHONE, guest="-Ana-", listing="Nowhere")])
    batch = preview(content, "r.xlsx", manager)
    report = import_error_report(batch)
    sheet = sheet_of(report)
    header = [cell.value for cell in sheet[1]]
    contact = sheet.cell(row=2, column=header.index("Contact") + 1)
    assert (contact.value, contact.data_type) == (PHONE, "s")

    # The manager fixes the listing in the report and imports it as it stands.
    sheet.cell(row=2, column=header.index("Listing") + 1).value = loft.code
    fixed = io.BytesIO()
    sheet.parent.save(fixed)
    again = preview_and_apply(fixed.getvalue(), "r-errors.xlsx", manager)
    assert again.counts["created"] == 1, list(again.rows.values_list("errors", flat=True))
    booking = Booking.objects.get(external_code="HMRT1")
    assert (booking.guest_contact, booking.guest_name) == (PHONE, "-Ana-")


@pytest.mark.django_db
def test_an_older_export_with_quoted_cells_still_reads_as_the_text(manager, loft):
    content = airbnb_xlsx([airbnb_row("HMRT2", contact="'" + PHONE, listing=loft.code)])
    preview_and_apply(content, "old.xlsx", manager)
    assert Booking.objects.get(external_code="HMRT2").guest_contact == PHONE
