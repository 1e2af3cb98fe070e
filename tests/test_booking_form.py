"""Creating, editing, cancelling and deleting a booking by hand, with the overlap confirmation flow."""

import datetime

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingConflict
from bookings.services.bookings import booking_create
from bookings.services.properties import property_create
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

CREATE = reverse("bookings:create")


@pytest.fixture
def stay(manager, beach):
    return booking_create(
        user=manager, property=beach, guest_name="Ann Smith", check_in=datetime.date(2030, 6, 1),
        check_out=datetime.date(2030, 6, 4), source="airbnb", external_code="HMANN", edited_by_hand=False,
    )  # fmt: skip


def form_data(beach, **overrides) -> dict:
    data = {
        "property": beach.pk,
        "guest_name": "Bob Jones",
        "guest_contact": "",
        "check_in": "2030-06-04",
        "check_out": "2030-06-07",
        "adults": 2,
        "children": 0,
        "infants": 0,
        "status": "confirmed",
        "source": "direct",
        "external_code": "",
        "amount": "",
        "currency": "eur",
        "booked_on": "",
        "notes": "",
    }
    return {**data, **overrides}


def test_the_form_page_renders_with_the_property_preselected(manager_client, beach):
    response = manager_client.get(CREATE, {"property": beach.pk, "check_in": "2030-06-04"})
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<option value="{beach.pk}" selected>Beach House</option>' in content
    assert 'value="2030-06-04"' in content


def test_it_creates_a_booking_and_goes_to_it(manager_client, manager, beach):
    response = manager_client.post(CREATE, form_data(beach))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == booking.get_absolute_url()
    assert (booking.guest_name, booking.currency, booking.edited_by_hand) == ("Bob Jones", "EUR", True)
    entry = AuditEntry.objects.for_object(booking).get()
    assert (entry.actor, entry.source) == (manager, "web")


def test_invalid_input_shows_what_to_fix_and_writes_nothing(manager_client, beach):
    response = manager_client.post(
        CREATE, form_data(beach, check_out="2030-06-01", guest_name="", currency="E1R", adults="-1")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Check-out must be after check-in." in content
    assert "This field is required." in content
    assert "Use a three-letter currency code" in content
    assert "Ensure this value is greater than or equal to 0." in content
    assert 'value="2030-06-04"' in content  # the input is kept
    assert Booking.all_objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_a_code_in_use_gets_a_clear_message(manager_client, beach, stay):
    response = manager_client.post(
        CREATE, form_data(beach, source="airbnb", external_code="HMANN", check_in="2030-07-01", check_out="2030-07-03")
    )
    assert "Airbnb code HMANN is already used by Ann Smith" in response.content.decode()
    assert Booking.objects.count() == 1


def test_an_overlap_asks_for_confirmation_then_saves_with_a_conflict(manager_client, beach, stay):
    data = form_data(beach, check_in="2030-06-02")
    response = manager_client.post(CREATE, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "These dates overlap 1 other booking at the same property" in content
    assert "Ann Smith" in content and "HMANN" in content
    assert 'name="confirm_overlap"' in content
    assert Booking.objects.count() == 1

    response = manager_client.post(CREATE, {**data, "confirm_overlap": "on"})
    assert response.status_code == 302
    clash = Booking.objects.get(guest_name="Bob Jones")
    assert BookingConflict.objects.filter(kind="overlap", booking=clash, other_booking=stay, state="open").exists()


def test_the_htmx_path_re_renders_the_form_in_place_and_redirects_when_saved(manager_client, beach, htmx_headers):
    response = manager_client.post(CREATE, form_data(beach, guest_name=""), headers=htmx_headers)
    content = response.content.decode()
    assert content.lstrip().startswith('<form id="booking-form"')
    assert "<html" not in content
    response = manager_client.post(CREATE, form_data(beach), headers=htmx_headers)
    assert response.status_code == 200
    assert response["HX-Redirect"] == Booking.objects.get().get_absolute_url()


def test_editing_records_the_diff_and_marks_edited_by_hand(manager_client, beach, stay):
    url = reverse("bookings:edit", args=[stay.pk])
    assert 'value="Ann Smith"' in manager_client.get(url).content.decode()
    data = form_data(beach, guest_name="Ann Smith-Lee", check_in="2030-06-01", check_out="2030-06-05",
                     source="airbnb", external_code="HMANN")  # fmt: skip
    response = manager_client.post(url, data)
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.edited_by_hand is True
    changes = AuditEntry.objects.for_object(stay).get(action="update").changes
    assert changes["guest_name"] == ["Ann Smith", "Ann Smith-Lee"]
    assert changes["check_out"] == ["2030-06-04", "2030-06-05"]
    assert changes["edited_by_hand"] == [False, True]


def test_an_edit_that_fails_leaves_the_booking_unchanged(manager_client, beach, stay):
    url = reverse("bookings:edit", args=[stay.pk])
    response = manager_client.post(url, form_data(beach, guest_name="X", check_out="2030-05-01"))
    assert "Check-out must be after check-in." in response.content.decode()
    stay.refresh_from_db()
    assert stay.guest_name == "Ann Smith"
    assert not AuditEntry.objects.for_object(stay).filter(action="update").exists()


def test_cancel_asks_for_a_reason_and_keeps_it(manager_client, stay, htmx_headers):
    url = reverse("bookings:cancel", args=[stay.pk])
    assert "Cancel this booking?" in manager_client.get(url).content.decode()
    fragment = manager_client.get(url, headers=htmx_headers).content.decode()
    assert fragment.lstrip().startswith('<form id="confirm"')
    response = manager_client.post(url, {"reason": "Guest called"})
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.status == "cancelled"
    assert AuditEntry.objects.for_object(stay).get(action="cancel").message == "Guest called"


def test_delete_moves_the_booking_to_the_trash(manager_client, stay, htmx_headers):
    url = reverse("bookings:delete", args=[stay.pk])
    assert "Delete this booking?" in manager_client.get(url).content.decode()
    response = manager_client.post(url, headers=htmx_headers)
    assert response["HX-Redirect"] == reverse("bookings:list")
    assert not Booking.objects.filter(pk=stay.pk).exists()
    assert Booking.all_objects.get(pk=stay.pk).is_deleted


def test_writes_need_a_manager(client, cleaner, beach, stay):
    urls = [CREATE] + [reverse(f"bookings:{name}", args=[stay.pk]) for name in ("edit", "cancel", "delete")]
    for url in urls:
        assert client.post(url, form_data(beach)).status_code == 302
    client.force_login(cleaner)
    for url in urls:
        assert client.post(url, form_data(beach)).status_code == 403
    assert Booking.objects.get(pk=stay.pk).status == "confirmed"
    assert Booking.objects.count() == 1


def test_only_active_properties_are_offered_but_an_edited_booking_keeps_its_own(manager, beach, stay):
    from bookings.forms import BookingForm
    from bookings.models import Property

    resting = property_create(user=manager, name="Resting Cabin", code="REST")
    Property.objects.filter(pk__in=[resting.pk, beach.pk]).update(active=False)
    assert list(BookingForm().fields["property"].queryset) == []
    stay.refresh_from_db()
    assert list(BookingForm(instance=stay).fields["property"].queryset) == [beach]
