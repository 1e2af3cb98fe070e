"""Booking pages in real Chromium: filter and reload, open and edit a booking, timeline navigation, phones."""

import datetime
import re

import pytest
from django.utils import timezone

from bookings.models import Property
from bookings.services.bookings import booking_create, booking_delete
from bookings.services.properties import property_create
from tests.conftest import DESKTOP, PHONE, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stays(manager):
    today = timezone.localdate()

    def day(n: int) -> datetime.date:
        return today + datetime.timedelta(days=n)

    beach = property_create(user=manager, name="Beach House", code="BEACH", aliases=["Ericeira beach house"])
    loft = property_create(user=manager, name="Alfama Loft", code="LOFT")
    villa = property_create(user=manager, name="Sintra Garden Villa", code="SINTRA")
    made = {
        "ann": booking_create(user=manager, property=beach, guest_name="Ann Smith", check_in=day(-2),
                              check_out=day(1), source="airbnb", external_code="HMANN1", status="currently_hosting"),
        "bob": booking_create(user=manager, property=beach, guest_name="Bob Jones", check_in=day(1), check_out=day(4),
                              source="bookingcom", external_code="4711", amount="390.00", currency="EUR"),
        "cy": booking_create(user=manager, property=loft, guest_name="Cy Smithers", check_in=day(0), check_out=day(5),
                             source="direct", status="booked"),
        "di": booking_create(user=manager, property=loft, guest_name="Di Prince", check_in=day(3), check_out=day(6),
                             source="vrbo", external_code="HA-1", confirm_overlap=True),
        "ed": booking_create(user=manager, property=villa, guest_name="Ed Owner", check_in=day(6), check_out=day(9),
                             status="owner_staying"),
        "flo": booking_create(user=manager, property=villa, guest_name="Flo Cancelled", check_in=day(2),
                              check_out=day(4), status="cancelled"),
    }  # fmt: skip
    for n in range(8):
        booking_create(
            user=manager, property=villa, guest_name=f"Past guest {n}", check_in=day(-40 + n * 4),
            check_out=day(-37 + n * 4), source="airbnb", external_code=f"HMPAST{n}", status="completed",
        )  # fmt: skip
    return made


def rows(page) -> list[str]:
    return page.locator("#booking-table tbody td.bk-guest").all_inner_texts()


def test_a_manager_filters_the_table_and_the_reloaded_url_shows_the_same_view(
    page, live_server, login_as, manager, stays, screenshot
):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/")
    assert "Ann Smith" in rows(page)
    page.fill("#id_q", "smith")
    page.wait_for_url(re.compile(r"q=smith"))
    page.wait_for_function("document.querySelectorAll('#booking-table td.bk-guest').length === 2")
    page.select_option("#id_status", "booked")
    page.wait_for_url(re.compile(r"status=booked"))
    page.wait_for_function("document.querySelectorAll('#booking-table td.bk-guest').length === 1")
    assert rows(page) == ["Cy Smithers"]
    page.select_option("#id_status", "")
    page.wait_for_function("document.querySelectorAll('#booking-table td.bk-guest').length === 2")
    # htmx pushes the URL before it swaps: wait for the swapped header, not the address bar.
    guest_header = page.locator("#booking-table th", has_text="Guest")
    guest_header.locator("a").click()
    page.wait_for_selector("#booking-table th[aria-sort=ascending] >> text=Guest")
    guest_header.locator("a").click()
    page.wait_for_selector("#booking-table th[aria-sort=descending] >> text=Guest")
    assert "sort=-guest_name" in page.url
    assert rows(page) == ["Cy Smithers", "Ann Smith"]
    filtered_url = page.url
    assert "q=smith" in filtered_url

    page.reload()
    assert page.url == filtered_url
    assert rows(page) == ["Cy Smithers", "Ann Smith"]
    assert page.input_value("#id_q") == "smith"
    assert no_horizontal_scroll(page)
    screenshot(page, "bookings-table-filtered-desktop")


def test_the_table_pages_by_htmx_and_shows_every_booking(
    page, live_server, login_as, manager, stays, settings, screenshot
):
    settings.PAGE_SIZE = 5
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/")
    assert len(rows(page)) == 5
    screenshot(page, "bookings-table-desktop")
    page.click("#booking-table .pagination >> text=Next ›")
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function(
        "document.querySelector('#booking-table .pagination .current').textContent.includes('Page 2')"
    )
    assert len(rows(page)) == 5


def test_a_manager_opens_a_booking_and_edits_it(page, live_server, login_as, manager, stays, screenshot):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/")
    page.click("text=Bob Jones")
    page.wait_for_url(re.compile(r"/bookings/\d+/$"))
    assert page.locator("h1").inner_text().startswith("Bob Jones")
    assert "390.00 EUR" in page.content()
    screenshot(page, "booking-detail-desktop")

    page.click(".page-header >> text=Edit")
    page.wait_for_url(re.compile(r"/edit/$"))
    page.fill("#id_guest_name", "Bob Jones-Lee")
    page.fill("#id_check_in", (timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    page.click("#booking-form button[type=submit]")
    # Moving the check-in back overlaps Ann Smith: the form asks before saving.
    warning = page.locator(".bk-overlap")
    warning.wait_for()
    assert "Ann Smith" in warning.inner_text()
    screenshot(page, "booking-edit-overlap-desktop")
    page.check("#id_confirm_overlap")
    page.click("#booking-form button[type=submit]")
    page.wait_for_url(re.compile(r"/bookings/\d+/$"))
    assert page.locator("h1").inner_text().startswith("Bob Jones-Lee")
    assert "Overlapping stays" in page.locator("#conflicts-title + *, .bk-conflicts").first.inner_text() or (
        "Overlapping stays" in page.content()
    )
    assert "Booking saved." in page.locator("#toasts").inner_text()
    screenshot(page, "booking-detail-after-edit-desktop")


def test_a_manager_creates_a_booking_with_validation(page, live_server, login_as, manager, stays, screenshot):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/new/")
    page.select_option("#id_property", label="Alfama Loft")
    page.fill("#id_guest_name", "Gil Newman")
    page.fill("#id_check_in", "2031-01-10")
    page.fill("#id_check_out", "2031-01-08")
    page.click("#booking-form button[type=submit]")
    page.locator(".errorlist >> text=Check-out must be after check-in.").wait_for()
    screenshot(page, "booking-create-error-desktop")
    page.fill("#id_check_out", "2031-01-12")
    page.click("#booking-form button[type=submit]")
    page.wait_for_url(re.compile(r"/bookings/\d+/$"))
    assert page.locator("h1").inner_text().startswith("Gil Newman")


def test_timeline_navigation_by_week_month_and_span(page, live_server, login_as, manager, stays, screenshot):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/timeline/")
    assert page.locator(".tl-day-head").count() == 14
    assert page.locator(".tl-day-head.tl-is-today").count() == 1
    assert page.locator(".tl-cell.tl-turnover").count() >= 1
    assert page.locator(".tl-bar.tl-overlap").count() == 2
    assert no_horizontal_scroll(page)
    grid_fits = page.evaluate(
        "(() => { const s = document.querySelector('.tl-scroll'); return s.scrollWidth <= s.clientWidth; })()"
    )
    assert grid_fits, "two weeks fit a 1440 px desktop without scrolling"
    screenshot(page, "timeline-desktop")

    first_day = page.locator(".tl-range").inner_text()
    page.click("text=Week ›")
    page.wait_for_url(re.compile(r"start=\d{4}-\d\d-\d\d&days=14"))
    page.wait_for_function(f"document.querySelector('.tl-range').textContent !== {first_day!r}")
    assert page.locator(".tl-day-head.tl-is-today").count() == 0
    after_a_week = page.locator(".tl-range").inner_text()
    page.click("text=« Month")
    page.wait_for_function(f"document.querySelector('.tl-range').textContent !== {after_a_week!r}")
    # htmx wires up the swapped-in form as it settles; a change before that would go unheard.
    page.wait_for_function("!document.querySelector('.htmx-settling, .htmx-swapping, .htmx-request')")
    page.wait_for_timeout(100)
    page.select_option("#tl-days", "28")
    page.wait_for_url(re.compile(r"days=28"))
    page.wait_for_function("document.querySelectorAll('.tl-day-head').length === 28")
    before_this_week = page.url
    page.click("text=This week")
    # A 28-day window may already hold today, so wait for the pushed URL rather than the today marker.
    page.wait_for_function(f"location.href !== {before_this_week!r}")
    page.wait_for_function("document.querySelectorAll('.tl-day-head.tl-is-today').length === 1")
    page.wait_for_function("!document.querySelector('.htmx-settling, .htmx-swapping, .htmx-request')")
    reached = page.url
    page.reload()
    assert page.url == reached
    assert page.locator(".tl-day-head").count() == 28
    screenshot(page, "timeline-4-weeks-desktop")


@pytest.mark.parametrize("path", ["/bookings/", "/bookings/timeline/", "/bookings/properties/", "/bookings/trash/"])
def test_pages_do_not_scroll_sideways_on_a_phone(page, live_server, login_as, manager, stays, screenshot, path):
    booking_delete(booking=stays["flo"], user=manager)
    login_as(manager, PHONE)
    page.goto(f"{live_server.url}{path}")
    screenshot(page, path.strip("/").replace("/", "-") + "-phone")
    assert no_horizontal_scroll(page)


def test_booking_detail_and_form_on_a_phone(page, live_server, login_as, manager, stays, screenshot):
    login_as(manager, PHONE)
    page.goto(f"{live_server.url}{stays['bob'].get_absolute_url()}")
    assert no_horizontal_scroll(page)
    screenshot(page, "booking-detail-phone")
    page.goto(f"{live_server.url}/bookings/{stays['bob'].pk}/edit/")
    assert no_horizontal_scroll(page)
    screenshot(page, "booking-edit-phone")


def test_the_timeline_scrolls_inside_its_own_box_on_a_phone(page, live_server, login_as, manager, stays, screenshot):
    login_as(manager, PHONE)
    page.goto(f"{live_server.url}/bookings/timeline/?days=28")
    assert no_horizontal_scroll(page)
    inner_scroll = page.evaluate(
        "(() => { const s = document.querySelector('.tl-scroll'); return s.scrollWidth > s.clientWidth; })()"
    )
    assert inner_scroll
    page.locator(".tl-scroll").evaluate("box => box.scrollLeft = 400")
    assert no_horizontal_scroll(page)
    screenshot(page, "timeline-scrolled-phone", full_page=False)


def test_a_manager_cancels_deletes_and_restores_a_booking(page, live_server, login_as, manager, stays, screenshot):
    login_as(manager, DESKTOP)
    bob = stays["bob"]
    page.goto(f"{live_server.url}{bob.get_absolute_url()}")
    page.click(".page-header >> text=Cancel booking")
    page.wait_for_url(re.compile(r"/cancel/$"))
    page.fill("#id_reason", "Guest called to cancel")
    screenshot(page, "booking-cancel-desktop")
    page.click("#confirm button[type=submit]")
    page.wait_for_url(re.compile(r"/bookings/\d+/$"))
    assert "Cancelled" in page.locator("h1").inner_text()
    assert "Guest called to cancel" in page.locator("#history").inner_text()

    page.click(".page-header >> text=Delete")
    page.wait_for_url(re.compile(r"/delete/$"))
    screenshot(page, "booking-delete-desktop")
    page.click("#confirm button[type=submit]")
    page.wait_for_url(f"{live_server.url}/bookings/")
    assert "Bob Jones" not in rows(page)

    page.goto(f"{live_server.url}/bookings/trash/")
    row = page.locator("#trash tr", has_text="Bob Jones")
    assert "Maria Santos" in row.inner_text()
    screenshot(page, "trash-desktop")
    row.locator("button", has_text="Restore").click()
    page.wait_for_function("!document.querySelector('#trash').textContent.includes('Bob Jones')")
    assert "is back" in page.locator("#toasts").inner_text()
    page.goto(f"{live_server.url}/bookings/")
    assert "Bob Jones" in rows(page)


def test_a_manager_adds_edits_and_archives_a_property(page, live_server, login_as, manager, stays, screenshot):
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/properties/")
    screenshot(page, "properties-desktop")
    page.click(".page-header >> text=New property")
    page.fill("#id_name", "Ribeira Studio")
    page.fill("#id_code", "beach")
    page.fill("#id_time_zone", "Porto")
    page.fill("#id_aliases", "Porto Ribeira studio\nEriceira beach house")
    page.click("#property-form button[type=submit]")
    page.locator("#property-form .errorlist").first.wait_for()
    errors = page.locator("#property-form .errorlist").all_inner_texts()
    assert any("The code BEACH is already used by Beach House" in error for error in errors)
    assert any("not a time zone name" in error for error in errors)
    assert any("“Ericeira beach house” (Beach House)" in error for error in errors)
    screenshot(page, "property-form-errors-desktop")
    page.fill("#id_code", "RIB")
    page.fill("#id_time_zone", "Europe/Lisbon")
    page.fill("#id_aliases", "Porto Ribeira studio")
    page.click("#property-form button[type=submit]")
    page.wait_for_url(re.compile(r"/properties/\d+/$"))
    assert "Porto Ribeira studio" in page.locator(".pr-alias").all_inner_texts()
    screenshot(page, "property-detail-desktop")

    page.click(".page-header >> text=Archive")
    page.wait_for_url(re.compile(r"/archive/$"))
    page.click("#confirm button[type=submit]")
    page.wait_for_url(f"{live_server.url}/bookings/properties/")
    assert page.locator("#property-table a", has_text="Ribeira Studio").count() == 0
    page.goto(f"{live_server.url}/bookings/timeline/")
    assert page.locator(".tl-prop", has_text="Ribeira Studio").count() == 0


def test_an_inactive_property_shows_on_the_timeline_only_with_stays_in_view(
    page, live_server, login_as, manager, stays, screenshot
):
    villa = stays["ed"].property
    Property.objects.filter(pk=villa.pk).update(active=False)
    property_create(user=manager, name="Closed Cabin", code="CABIN")
    Property.objects.filter(code="CABIN").update(active=False)
    login_as(manager, DESKTOP)
    page.goto(f"{live_server.url}/bookings/timeline/")
    names = page.locator(".tl-prop a").all_inner_texts()
    assert villa.name in names and "Closed Cabin" not in names
    row = page.locator(".tl-prop", has_text=villa.name)
    assert row.locator(".badge", has_text="Inactive").is_visible()
    screenshot(page, "timeline-inactive-property")
