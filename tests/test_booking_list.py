"""The booking table at /bookings/: filters, sorting, paging, the HTMX path, access and a fixed query count."""

import datetime

import pytest
from django.urls import reverse

from bookings.models import Booking, Property
from bookings.services.bookings import booking_create, booking_delete

pytestmark = pytest.mark.django_db

URL = reverse("bookings:list")
DAY = datetime.date(2030, 6, 1)


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def bulk_bookings(count: int, properties: int = 5) -> None:
    """`count` bookings spread over `properties` properties, inserted in bulk (the services are tested elsewhere)."""
    props = Property.objects.bulk_create(Property(name=f"Property {n}", code=f"P{n}") for n in range(properties))
    Booking.objects.bulk_create(
        (
            Booking(
                property=props[n % properties],
                guest_name=f"Guest {n}",
                source=["airbnb", "bookingcom", "direct"][n % 3],
                external_code=f"CODE{n}",
                check_in=days(n // properties * 3),
                check_out=days(n // properties * 3 + 2),
                status=["confirmed", "booked", "cancelled"][n % 3],
            )
            for n in range(count)
        ),
        batch_size=1000,
    )


@pytest.fixture
def stays(manager):
    from bookings.services.properties import property_create

    beach = property_create(user=manager, name="Beach House", code="BEACH")
    loft = property_create(user=manager, name="Alfama Loft", code="LOFT")
    return {
        "ann": booking_create(
            user=manager, property=beach, guest_name="Ann Smith", check_in=days(0), check_out=days(3),
            source="airbnb", external_code="HMANN",
        ),
        "bob": booking_create(
            user=manager, property=loft, guest_name="Bob Jones", check_in=days(10), check_out=days(12),
            source="bookingcom", external_code="4711", status="booked",
        ),
        "cy": booking_create(
            user=manager, property=beach, guest_name="Cy Young", check_in=days(20), check_out=days(25),
            status="cancelled",
        ),
    }  # fmt: skip


def guests(response) -> list[str]:
    return [row.record.guest_name for row in response.context["table"].paginated_rows]


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_forbids_cleaners(cleaner_client):
    assert cleaner_client.get(URL).status_code == 403


def test_it_lists_bookings_by_check_in(manager_client, stays):
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert guests(response) == ["Ann Smith", "Bob Jones", "Cy Young"]
    assert b'id="booking-filters"' in response.content
    assert b"<html" in response.content


def test_the_htmx_path_returns_only_the_table(manager_client, stays, htmx_headers):
    response = manager_client.get(URL, {"q": "bob"}, headers=htmx_headers)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="booking-table"')
    assert "<html" not in content
    assert guests(response) == ["Bob Jones"]
    assert response["Vary"].count("HX-Request") == 1


def test_a_history_restore_gets_the_whole_page(manager_client, stays):
    response = manager_client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "smith"}, ["Ann Smith"]),
        ({"q": "4711"}, ["Bob Jones"]),
        ({"status": "cancelled"}, ["Cy Young"]),
        ({"source": "bookingcom"}, ["Bob Jones"]),
        # A stay that checks out on the first day of the range does not share a night with it.
        ({"start": "2030-06-04", "end": "2030-06-11"}, ["Bob Jones"]),
        ({"start": "2030-06-03"}, ["Ann Smith", "Bob Jones", "Cy Young"]),
        ({"end": "2030-06-10"}, ["Ann Smith"]),
        ({"sort": "-guest_name"}, ["Cy Young", "Bob Jones", "Ann Smith"]),
        ({"sort": "property"}, ["Bob Jones", "Ann Smith", "Cy Young"]),
    ],
)
def test_it_filters_and_sorts(manager_client, stays, params, expected):
    assert guests(manager_client.get(URL, params)) == expected


def test_it_filters_by_property(manager_client, stays):
    loft = stays["bob"].property
    assert guests(manager_client.get(URL, {"property": loft.pk})) == ["Bob Jones"]


def test_a_range_ending_before_it_starts_gets_a_message(manager_client, stays):
    response = manager_client.get(URL, {"start": "2030-06-10", "end": "2030-06-01"})
    assert response.status_code == 200
    assert "“Staying until” must be on or after “Staying from”." in response.content.decode()


def test_deleted_bookings_are_not_listed(manager_client, manager, stays):
    booking_delete(booking=stays["ann"], user=manager)
    assert guests(manager_client.get(URL)) == ["Bob Jones", "Cy Young"]


def test_it_pages_with_the_page_size_setting(manager_client, settings):
    settings.PAGE_SIZE = 10
    bulk_bookings(25)
    response = manager_client.get(URL, {"page": 3})
    assert guests(response) == [f"Guest {n}" for n in range(20, 25)]
    assert "Page 3 of 3" in response.content.decode()


@pytest.mark.parametrize("count", [100, 3000])
def test_it_runs_a_fixed_number_of_queries(manager_client, django_assert_num_queries, count):
    bulk_bookings(count)
    # session, user, roles, property choices in the filter form, count, the page of bookings with their property
    with django_assert_num_queries(6):
        response = manager_client.get(URL, {"status": "confirmed", "sort": "-check_in"})
    assert response.status_code == 200
    # The fragment leaves out the filter form, and with it the property choices.
    with django_assert_num_queries(5):
        response = manager_client.get(URL, {"page": 2}, headers={"HX-Request": "true"})
    assert len(response.context["table"].paginated_rows) == 50


@pytest.mark.parametrize(
    "params",
    [{"per_page": "-1"}, {"per_page": "0"}, {"per_page": str(10**12)}, {"page": str(10**12)}, {"page": "abc"},
     {"sort": "garbage"}, {"start": "0001-01-01", "end": "9999-12-31"}, {"property": "9" * 20}],
)  # fmt: skip
def test_garbage_in_the_url_answers_a_page(manager_client, stays, params):
    assert manager_client.get(URL, params).status_code == 200


def test_a_page_size_beyond_the_limit_is_clamped(manager_client, stays, settings):
    settings.PAGE_SIZE_MAX = 2
    response = manager_client.get(URL, {"per_page": "1000"})
    assert len(guests(response)) == 2
