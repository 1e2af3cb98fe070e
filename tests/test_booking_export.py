"""Exporting the filtered booking table as .xlsx and .csv, with formula-like cells kept as text."""

import csv
import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bookings.services.bookings import booking_create
from bookings.services.properties import property_create

pytestmark = pytest.mark.django_db

URL = reverse("bookings:export")
HOSTILE = '=HYPERLINK("http://evil.example","click")'
PHONE = "+351 912 345 678"


@pytest.fixture
def stays(manager):
    beach = property_create(user=manager, name="Beach House", code="BEACH")
    day = datetime.date(2030, 6, 1)
    booking_create(
        user=manager, property=beach, guest_name=HOSTILE, check_in=day, check_out=day + datetime.timedelta(days=2),
        source="airbnb", external_code="HM1", notes="+1 extra bed", amount="240.50", currency="EUR",
        guest_contact=PHONE,
    )  # fmt: skip
    booking_create(
        user=manager, property=beach, guest_name="Bob Jones", check_in=day + datetime.timedelta(days=5),
        check_out=day + datetime.timedelta(days=7), status="cancelled",
    )  # fmt: skip


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_escapes_formulas_and_keeps_the_filters(manager_client, stays):
    response = manager_client.get(URL, {"format": "csv", "status": "confirmed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="bookings-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:5] == ["Property", "Property code", "Source", "Confirmation code", "Guest"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Guest"] == "'" + HOSTILE
    assert row["Notes"] == "'+1 extra bed"
    # .csv has no cell types: a leading + would make a spreadsheet compute, so the quote stays here.
    assert row["Contact"] == "'" + PHONE
    assert row["Check-in"] == "2030-06-01"
    assert row["Amount"] == "240.50"


def test_xlsx_keeps_hostile_names_as_text_and_dates_as_dates(manager_client, stays):
    response = manager_client.get(URL, {"format": "xlsx", "sort": "-check_in"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    # A string cell never runs, so the text is written as it is: no quote in front.
    assert [row[header.index("Guest")] for row in rows[1:]] == ["Bob Jones", HOSTILE]
    hostile_cell = sheet.cell(row=3, column=header.index("Guest") + 1)
    assert hostile_cell.data_type == "s"  # a string, not a formula
    assert rows[2][header.index("Check-in")] == datetime.datetime(2030, 6, 1)


def test_xlsx_writes_a_phone_number_as_text_without_an_apostrophe(manager_client, stays):
    response = manager_client.get(URL, {"format": "xlsx", "sort": "-check_in"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    contact = sheet.cell(row=3, column=header.index("Contact") + 1)
    notes = sheet.cell(row=3, column=header.index("Notes") + 1)
    assert (contact.value, contact.data_type) == (PHONE, "s")
    assert (notes.value, notes.data_type) == ("+1 extra bed", "s")
    # In the sheet's XML itself: inline strings, and no <f> (formula) element anywhere.
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<is><t>+351 912 345 678</t></is>" in xml


def test_an_unknown_format_is_refused_with_a_message(manager_client, stays):
    response = manager_client.get(URL, {"format": "pdf"})
    assert response.status_code == 400
    assert "Export as xlsx or csv" in response.content.decode()


def test_cleaners_cannot_export(cleaner_client):
    assert cleaner_client.get(URL, {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("count", [100, 2000])
def test_export_runs_a_fixed_number_of_queries(manager_client, django_assert_num_queries, count):
    from tests.test_booking_list import bulk_bookings

    bulk_bookings(count)
    # session, user, roles, then the filtered rows with their property, streamed in chunks from one query
    with django_assert_num_queries(4):
        response = manager_client.get(URL, {"format": "csv"})
    assert len(csv_rows(response)) == count + 1


def test_invalid_filters_are_refused_with_a_message(manager_client, stays):
    response = manager_client.get(URL, {"format": "csv", "start": "2030-06-10", "end": "2030-06-01"})
    assert response.status_code == 400
    assert "Staying until: “Staying until” must be on or after" in response.content.decode()


def test_deleted_bookings_are_not_exported(manager_client, manager, stays):
    from bookings.models import Booking
    from bookings.services.bookings import booking_delete

    booking_delete(booking=Booking.objects.get(guest_name="Bob Jones"), user=manager)
    header, *rows = csv_rows(manager_client.get(URL, {"format": "csv"}))
    assert [row[header.index("Guest")] for row in rows] == ["'" + HOSTILE]
