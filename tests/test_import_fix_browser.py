"""In real Chromium at 1440 px: a file whose listings match no property is fixed from its preview (one listing
mapped to an existing property, another created), and the preview recomputes in place without a new upload."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from bookings.models import ImportBatch, Property
from tests.conftest import DESKTOP, PHONE, no_horizontal_scroll
from tests.factories import make_loft
from tests.import_files import AIRBNB_HEADERS, airbnb_row, airbnb_xlsx, csv_bytes, preview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rows():
    def stay(index):
        start = datetime.date(2026, 6, 1) + datetime.timedelta(days=3 * index)
        return {"check_in": start, "check_out": start + datetime.timedelta(days=2)}

    def listed(prefix, listing, count):
        return [
            airbnb_row(f"HM{prefix.upper()}{index}", guest=f"{prefix} guest {index}", listing=listing, **stay(index))
            for index in range(count)
        ]

    return [
        *listed("City", "City Loft", 4),
        *listed("Sea", "Sea View Apartment", 3),
        airbnb_row("HMSTAT", guest="Rita Status", status="Awaiting payment", **stay(9)),
        airbnb_row("HMOK", guest="Ana Ferreira", **stay(10)),
    ]


def test_a_manager_maps_and_creates_properties_from_the_preview_and_it_recomputes_in_place(
    page, live_server, login_as, manager, screenshot, tmp_path
):
    loft = make_loft()
    upload = tmp_path / "airbnb-june.csv"
    upload.write_bytes(csv_bytes(AIRBNB_HEADERS, rows()))
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r"/bookings/import/\d+/$"))
    preview_url = page.url

    causes = page.locator(".import-causes")
    expect(causes).to_contain_text("8 rows refused, for 2 causes")
    expect(causes).to_contain_text("2 listings match no property: City Loft (4 rows), Sea View Apartment (3 rows)")
    expect(causes).to_contain_text("1 status is unknown: Awaiting payment (1 row)")
    expect(page.locator(".import-stat-error .stat-value")).to_have_text("8")
    assert no_horizontal_scroll(page)
    screenshot(page, "import-fix-before-desktop")

    city = page.get_by_label("Property for City Loft")
    city.select_option(label=f"{loft.name} ({loft.code})")
    sea = page.get_by_label("Property for Sea View Apartment")
    sea.select_option("new")
    new_row = page.locator(".fix-row", has_text="Sea View Apartment")
    expect(new_row.get_by_label("New property's name")).to_have_value("Sea View Apartment")
    new_row.get_by_label("Code").fill("SEA")
    page.get_by_label("Status for Awaiting payment").select_option("booked")
    screenshot(page, "import-fix-choices-desktop")

    uploads = ImportBatch.objects.count()
    page.get_by_role("button", name="Save and check again").click()

    expect(page.locator(".import-stat-error .stat-value")).to_have_text("0")
    expect(page.locator(".import-stat-create .stat-value")).to_have_text("9")
    expect(page.locator(".import-causes")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text("checked again")
    # In place: the same page, the same batch, no new upload.
    assert page.url == preview_url and ImportBatch.objects.count() == uploads
    assert Property.objects.get(code="SEA").name == "Sea View Apartment"
    loft.refresh_from_db()
    assert "City Loft" in loft.aliases
    assert no_horizontal_scroll(page)
    screenshot(page, "import-fix-after-desktop")

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".import-applied")).to_contain_text("9 created")


def test_a_refused_fix_says_what_to_fix_in_place(page, live_server, login_as, manager, screenshot, tmp_path):
    make_loft()
    upload = tmp_path / "airbnb-june.csv"
    upload.write_bytes(csv_bytes(AIRBNB_HEADERS, rows()))
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r"/bookings/import/\d+/$"))

    page.get_by_label("Property for City Loft").select_option("new")
    page.locator(".fix-row", has_text="City Loft").get_by_label("Code").fill("loft")
    page.get_by_role("button", name="Save and check again").click()

    expect(page.locator(".import-fix .alert-error")).to_contain_text("The code LOFT is already used by Sunny Loft")
    # The choice is kept, with the new property's fields open to correct it.
    expect(page.locator(".fix-row", has_text="City Loft").get_by_label("Code")).to_be_visible()
    assert Property.objects.count() == 1
    screenshot(page, "import-fix-refused-desktop")


def test_the_fix_step_fits_a_phone(page, live_server, login_as, manager, screenshot):
    make_loft()
    batch = preview(airbnb_xlsx(rows()), "june.xlsx", manager)
    login_as(manager, PHONE)
    page.goto(f"{live_server.url}{batch.get_absolute_url()}")
    page.get_by_label("Property for Sea View Apartment").select_option("new")
    expect(page.locator(".fix-row", has_text="Sea View Apartment").get_by_label("Code")).to_be_visible()
    assert no_horizontal_scroll(page)
    page.locator(".import-causes").scroll_into_view_if_needed()
    screenshot(page, "import-fix-phone", full_page=False)
