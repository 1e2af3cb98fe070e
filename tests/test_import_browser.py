"""In real Chromium: a manager imports a file from upload to the bookings table, watches a background job,
filters a preview, resolves a conflict in place, and reads the audit trail."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingConflict, BookingStatus, ConflictState, ImportBatch, ImportState
from tests.conftest import DESKTOP, PHONE, no_horizontal_scroll
from tests.factories import make_loft
from tests.import_files import (
    AIRBNB_HEADERS,
    airbnb_row,
    airbnb_xlsx,
    csv_bytes,
    preview,
    preview_and_apply,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 768, "height": 1024}


def march_rows():
    return [
        airbnb_row("HMA1", guest="Ana Ferreira"),
        airbnb_row(
            "HMA2", guest="Bruno Lima", check_in=datetime.date(2026, 3, 20), check_out=datetime.date(2026, 3, 23)
        ),
        airbnb_row("HMA3", guest="Carla Dias", check_in=datetime.date(2026, 4, 1), check_out=datetime.date(2026, 4, 4)),
        airbnb_row("HMBAD", guest="Duarte Reis", listing="Nowhere Villa"),
    ]


def test_a_manager_uploads_previews_confirms_and_finds_the_bookings(
    page, live_server, login_as, manager, screenshot, tmp_path
):
    make_loft()
    upload = tmp_path / "airbnb-march.csv"
    upload.write_bytes(csv_bytes(AIRBNB_HEADERS, march_rows()))
    login_as(manager, DESKTOP)

    page.goto(f"{live_server.url}/bookings/import/")
    expect(page.get_by_role("heading", name="Import bookings")).to_be_visible()
    screenshot(page, "import-upload-desktop")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Upload and preview").click()

    page.wait_for_url(re.compile(r"/bookings/import/\d+/$"))
    expect(page.locator(".import-title")).to_contain_text("airbnb-march.csv")
    expect(page.locator(".import-stat-create .stat-value")).to_have_text("3")
    expect(page.locator(".import-stat-error .stat-value")).to_have_text("1")
    expect(page.locator(".import-errors")).to_contain_text("Nowhere Villa")
    assert Booking.objects.count() == 0
    assert no_horizontal_scroll(page)
    screenshot(page, "import-preview-desktop")

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".import-applied")).to_contain_text("3 created")
    expect(page.locator(".toast")).to_contain_text("Import applied")
    screenshot(page, "import-applied-desktop")

    page.get_by_role("link", name="Open the bookings table").click()
    page.wait_for_url(f"{live_server.url}/bookings/")
    for guest in ("Ana Ferreira", "Bruno Lima", "Carla Dias"):
        expect(page.get_by_text(guest).first).to_be_visible()
    expect(page.get_by_text("Duarte Reis")).to_have_count(0)
    screenshot(page, "import-bookings-table-desktop")


def test_the_preview_filters_rows_in_place_and_keeps_the_filter_in_the_url(
    page, live_server, login_as, manager, screenshot
):
    make_loft()
    batch = preview(airbnb_xlsx(march_rows()), "march.xlsx", manager)
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}{batch.get_absolute_url()}")

    page.locator(".chips").get_by_role("link", name=re.compile("^Error")).click()
    page.wait_for_url(re.compile(r"\?action=error$"))
    expect(page.locator("#import-rows tbody tr")).to_have_count(1)
    expect(page.locator("#import-rows")).to_contain_text("Nowhere Villa")
    screenshot(page, "import-preview-errors-desktop")

    page.reload()
    expect(page.locator("#import-rows tbody tr")).to_have_count(1)


def test_a_background_job_shows_a_progress_bar_that_survives_a_reload(page, live_server, login_as, manager, screenshot):
    make_loft()
    batch = preview(airbnb_xlsx(march_rows()), "march.xlsx", manager)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING, rows_done=1200, rows_total=4000)
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}{batch.get_absolute_url()}")
    expect(page.locator("#import-progress")).to_contain_text("1,200 of about 4,000 rows")
    screenshot(page, "import-progress-desktop")

    page.reload()
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "1200")
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.PREVIEWED, rows_done=0)
    # The page polls every second; once the job is done it reloads itself and shows the preview.
    expect(page.get_by_role("button", name="Confirm import")).to_be_visible(timeout=5000)
    expect(page.locator("#import-progress")).to_have_count(0)


def test_a_bad_upload_shows_what_to_fix(page, live_server, login_as, manager, screenshot, tmp_path):
    old = tmp_path / "reservations.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    login_as(manager, TABLET)
    page.goto(f"{live_server.url}/bookings/import/")
    page.set_input_files("input[type=file]", str(old))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator(".import-error")).to_contain_text("save it as .xlsx or .csv")
    assert ImportBatch.objects.count() == 0
    assert no_horizontal_scroll(page)
    screenshot(page, "import-bad-file-tablet")


def test_a_manager_resolves_a_conflict_in_place_and_undoes_it(page, live_server, login_as, manager, screenshot):
    loft = make_loft()
    Booking.objects.create(
        property=loft,
        source="airbnb",
        external_code="HMOLD",
        guest_name="Olga Dias",
        check_in=datetime.date(2026, 3, 14),
        check_out=datetime.date(2026, 3, 17),
    )
    preview_and_apply(airbnb_xlsx([airbnb_row("HMNEW", guest="Ana Ferreira")]), "march.xlsx", manager)
    conflict = BookingConflict.objects.get()
    login_as(manager, DESKTOP)

    page.goto(f"{live_server.url}/bookings/conflicts/")
    card = page.locator(f"#conflict-{conflict.pk}")
    expect(card).to_contain_text("Olga Dias")
    expect(card).to_contain_text("Ana Ferreira")
    assert no_horizontal_scroll(page)
    screenshot(page, "conflicts-open-desktop")

    # Three choices, each saying beside it what happens; none hides its meaning in a tooltip.
    expect(card.locator(".conflict-choice")).to_have_count(3)
    keep_ana = "Keep Ana Ferreira's Airbnb booking, cancel Olga Dias's Airbnb booking"
    card.get_by_role("button", name=keep_ana).click()
    banner = card.locator(".conflict-undo")
    expect(banner).to_contain_text("Resolved — Kept Ana Ferreira's Airbnb booking and cancelled Olga Dias's")
    expect(page.locator("#conflict-open-count")).to_have_text("0 open")
    assert page.url == f"{live_server.url}/bookings/conflicts/"
    screenshot(page, "conflicts-resolved-desktop")
    assert Booking.objects.get(external_code="HMOLD").status == BookingStatus.CANCELLED

    banner.get_by_role("button", name="Undo").click()
    expect(card.locator(".conflict-choice")).to_have_count(3)
    expect(page.locator(".toast")).to_contain_text("Undone")
    expect(page.locator("#conflict-open-count")).to_have_text("1 open")
    screenshot(page, "conflicts-undone-desktop")
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.OPEN
    assert Booking.objects.get(external_code="HMOLD").status == BookingStatus.CONFIRMED
    assert not Booking.objects.filter(external_code="HMNEW").exists()

    card.get_by_role("button", name="Keep both (double booking)").click()
    expect(banner).to_contain_text("Kept both bookings, overlapping.")
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.RESOLVED

    card.get_by_role("link", name="Overlapping stays").click()
    page.wait_for_url(f"{live_server.url}{conflict.get_absolute_url()}")
    expect(page.locator("#history")).to_contain_text("Resolved")
    expect(page.locator("#history")).to_contain_text("Reopened")
    expect(page.locator("#history")).to_contain_text("Maria Santos")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    screenshot(page, "conflict-detail-desktop")


def test_the_manager_pages_fit_a_phone(page, live_server, login_as, manager, screenshot):
    loft = make_loft()
    Booking.objects.create(
        property=loft,
        source="airbnb",
        external_code="HMOLD",
        guest_name="Olga Dias",
        check_in=datetime.date(2026, 3, 14),
        check_out=datetime.date(2026, 3, 17),
    )
    batch = preview_and_apply(airbnb_xlsx([*march_rows(), airbnb_row("HMNEW", guest="Eva Sousa")]), "m.xlsx", manager)
    login_as(manager, PHONE)
    for name, path in [
        ("import", "/bookings/import/"),
        ("import-detail", batch.get_absolute_url()),
        ("conflicts", "/bookings/conflicts/"),
        ("audit", "/audit/"),
        ("status-aliases", "/bookings/import/status-aliases/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        screenshot(page, f"{name}-phone")
        assert no_horizontal_scroll(page), path


def test_a_manager_filters_the_audit_trail(page, live_server, login_as, manager, screenshot):
    make_loft()
    preview_and_apply(airbnb_xlsx(march_rows()), "march.xlsx", manager)
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator(".audit-count")).to_contain_text("3 entries")
    page.fill("input[name=q]", "Bruno")
    page.wait_for_url(re.compile(r"q=Bruno"))
    expect(page.locator(".audit-list .audit-row")).to_have_count(1)
    expect(page.locator(".audit-list")).to_contain_text("Bruno Lima")
    assert no_horizontal_scroll(page)
    screenshot(page, "audit-filtered-desktop")


def test_the_status_aliases_page_adds_an_alias_in_place(page, live_server, login_as, manager, screenshot):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/import/status-aliases/")
    page.fill("input[name=value]", "Awaiting payment")
    page.select_option("select[name=status]", "booked")
    page.get_by_role("button", name="Add alias").click()
    expect(page.locator(".alias-list")).to_contain_text("Awaiting payment")
    expect(page.locator("input[name=value]")).to_have_value("")
    screenshot(page, "status-aliases-desktop")
