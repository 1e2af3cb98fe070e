"""The booking detail page: every field, its conflicts, its history, panels from other apps; access rules."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import format_html

from bookings import hooks
from bookings.services.bookings import booking_create, booking_delete, booking_update
from bookings.services.properties import property_create
from core.audit_context import audit_context

pytestmark = pytest.mark.django_db

DAY = datetime.date(2030, 6, 1)


@pytest.fixture
def stay(manager):
    beach = property_create(user=manager, name="Beach House", code="BEACH")
    with audit_context(actor=manager, source="web"):
        booking = booking_create(
            user=manager, property=beach, guest_name="Ann Smith", check_in=DAY, check_out=DAY + datetime.timedelta(3),
            source="airbnb", external_code="HMANN", guest_contact="ann@example.com", adults=2, children=1,
            amount="480.00", currency="EUR", notes="Arrives late",
        )  # fmt: skip
        booking_update(booking=booking, user=manager, guest_name="Ann Smith-Lee")
    return booking


def url(booking) -> str:
    return reverse("bookings:detail", args=[booking.pk])


def test_it_shows_every_field(manager_client, stay):
    content = manager_client.get(url(stay)).content.decode()
    for text in ["Ann Smith-Lee", "Beach House", "HMANN", "ann@example.com", "2 adults, 1 child", "480.00 EUR",
                 "Arrives late", "Airbnb", "Confirmed", "3 nights", "Edited by hand"]:  # fmt: skip
        assert text in content, text


def test_it_shows_its_history(manager_client, stay):
    content = manager_client.get(url(stay)).content.decode()
    assert 'id="history"' in content
    assert "Maria Santos" in content
    assert "Ann Smith-Lee" in content


def test_its_history_reads_as_words(manager_client, manager, stay):
    loft = property_create(user=manager, name="City Loft", code="LOFT")
    booking_update(booking=stay, user=manager, property=loft, check_in=DAY + datetime.timedelta(1))
    page = manager_client.get(url(stay)).content.decode()
    history = page[page.index('id="history"') :]
    assert '<span class="audit-old">Beach House</span>' in history
    assert '<span class="audit-new">City Loft</span>' in history
    assert '<span class="audit-new">2 Jun 2030</span>' in history
    assert "2030-06-02" not in history


def test_it_shows_its_conflicts_from_both_sides(manager_client, manager, stay):
    clash = booking_create(
        user=manager, property=stay.property, guest_name="Bob Jones", check_in=DAY + datetime.timedelta(1),
        check_out=DAY + datetime.timedelta(4), confirm_overlap=True,
    )  # fmt: skip
    for booking, other in [(stay, "Bob Jones"), (clash, "Ann Smith-Lee")]:
        content = manager_client.get(url(booking)).content.decode()
        assert "Overlapping stays" in content
        assert other in content


def test_it_shows_panels_registered_by_other_apps(manager_client, stay):
    def panel(request, booking):
        return format_html('<section class="card" id="tasks-panel">Tasks of {}</section>', booking.guest_name)

    hooks.register_booking_panel(panel)
    try:
        content = manager_client.get(url(stay)).content.decode()
    finally:
        hooks._booking_panel_providers.remove(panel)
    assert '<section class="card" id="tasks-panel">Tasks of Ann Smith-Lee</section>' in content


def test_the_htmx_path_returns_the_detail_fragment(manager_client, stay, htmx_headers):
    response = manager_client.get(url(stay), headers=htmx_headers)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="booking-detail"')
    assert "<html" not in content


def test_access(client, cleaner, manager, stay):
    assert client.get(url(stay)).status_code == 302
    client.force_login(cleaner)
    assert client.get(url(stay)).status_code == 403
    client.force_login(manager)
    assert client.get(reverse("bookings:detail", args=[stay.pk + 100])).status_code == 404


def test_a_deleted_booking_is_not_found(manager_client, manager, stay):
    booking_delete(booking=stay, user=manager)
    assert manager_client.get(url(stay)).status_code == 404


@pytest.mark.parametrize("edits", [1, 12])
def test_it_runs_a_fixed_number_of_queries(
    manager_client, manager, stay, django_assert_num_queries, monkeypatch, edits
):
    loft = property_create(user=manager, name="City Loft", code="LOFT")
    for number in range(edits):
        booking_update(
            booking=stay, user=manager, guest_name=f"Ann {number}", property=loft if number % 2 else stay.property
        )
    # Panels are other apps' queries (wbs counts its own); here only the page's.
    monkeypatch.setattr(hooks, "_booking_panel_providers", [])
    # session, user, roles, booking+property, conflicts, history with actors, the properties its changes name;
    # the content type is cached after the first
    manager_client.get(url(stay))
    with django_assert_num_queries(7):
        manager_client.get(url(stay))


def test_a_history_restore_gets_the_whole_page(manager_client, stay):
    response = manager_client.get(url(stay), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content
    assert "HX-Request" in response["Vary"]
