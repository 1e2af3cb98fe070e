"""The trash: deleted properties and bookings with who and when, restore, and unique rules on live rows only."""

import datetime

import pytest
from django.urls import reverse

from bookings.models import Booking, Property
from bookings.services.bookings import booking_create, booking_delete
from bookings.services.properties import property_archive, property_create

pytestmark = pytest.mark.django_db

URL = reverse("bookings:trash")
DAY = datetime.date(2020, 6, 1)


@pytest.fixture
def deleted(manager):
    beach = property_create(user=manager, name="Beach House", code="BEACH")
    loft = property_create(user=manager, name="Alfama Loft", code="LOFT")
    booking = booking_create(
        user=manager, property=beach, guest_name="Ann Smith", check_in=DAY, check_out=DAY + datetime.timedelta(3),
        source="airbnb", external_code="HMANN",
    )  # fmt: skip
    booking_delete(booking=booking, user=manager)
    property_archive(property=loft, user=manager)
    return {"beach": beach, "loft": loft, "booking": booking}


def restore_url(kind: str, pk: int) -> str:
    return reverse("bookings:restore", args=[kind, pk])


def test_it_lists_deleted_rows_with_who_and_when(manager_client, deleted):
    response = manager_client.get(URL)
    content = response.content.decode()
    assert "Ann Smith" in content and "HMANN" in content
    assert "Alfama Loft" in content
    assert content.count("Maria Santos") == 2
    assert "Beach House</td>" not in content.split('id="trash-bookings"')[0]  # the live property is not in the trash


@pytest.mark.parametrize("count", [1, 150])
def test_the_htmx_path_and_query_count(
    manager_client, manager, deleted, django_assert_num_queries, htmx_headers, count
):
    for n in range(count):
        booking = booking_create(
            user=manager, property=deleted["beach"], guest_name=f"Guest {n}", check_in=DAY + datetime.timedelta(n * 3),
            check_out=DAY + datetime.timedelta(n * 3 + 2),
        )  # fmt: skip
        booking_delete(booking=booking, user=manager)
    # session, user, roles, deleted properties with their deleter, deleted bookings with property and deleter
    with django_assert_num_queries(5):
        content = manager_client.get(URL, headers=htmx_headers).content.decode()
    assert content.lstrip().startswith('<div id="trash"')
    assert content.count("<tr>") == 2 + 1 + count + 1  # two headers, the loft, the bookings, Ann


def test_restore_brings_a_booking_back(manager_client, deleted):
    booking = deleted["booking"]
    response = manager_client.post(restore_url("booking", booking.pk))
    assert response["Location"] == URL
    assert Booking.objects.filter(pk=booking.pk).exists()
    assert "Ann Smith" in manager_client.get(reverse("bookings:list")).content.decode()


def test_restore_brings_a_property_back_by_htmx(manager_client, deleted, htmx_headers):
    response = manager_client.post(restore_url("property", deleted["loft"].pk), headers=htmx_headers)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="trash"')
    assert Property.objects.filter(pk=deleted["loft"].pk).exists()


def test_restore_is_refused_when_a_live_row_took_the_code(manager_client, manager, deleted):
    booking_create(
        user=manager, property=deleted["beach"], guest_name="New guest", check_in=DAY + datetime.timedelta(10),
        check_out=DAY + datetime.timedelta(12), source="airbnb", external_code="HMANN",
    )  # fmt: skip
    response = manager_client.post(restore_url("booking", deleted["booking"].pk))
    assert response.status_code == 400
    assert "code HMANN now belongs to New guest" in response.content.decode()
    assert Booking.all_objects.get(pk=deleted["booking"].pk).is_deleted


def test_a_refusal_by_htmx_comes_back_as_a_toast(manager_client, manager, deleted, htmx_headers):
    property_create(user=manager, name="New Loft", code="LOFT")
    response = manager_client.post(restore_url("property", deleted["loft"].pk), headers=htmx_headers)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#toasts"
    assert "now belongs to New Loft" in response.content.decode()


def test_live_rows_and_unknown_kinds_are_not_found(manager_client, deleted):
    assert manager_client.post(restore_url("booking", 999)).status_code == 404
    assert manager_client.post(restore_url("property", deleted["beach"].pk)).status_code == 404
    assert manager_client.post(restore_url("task", deleted["booking"].pk)).status_code == 404


def test_access(client, cleaner, deleted):
    assert client.get(URL).status_code == 302
    client.force_login(cleaner)
    assert client.get(URL).status_code == 403
    assert client.post(restore_url("booking", deleted["booking"].pk)).status_code == 403
    assert Booking.all_objects.get(pk=deleted["booking"].pk).is_deleted


def test_a_history_restore_gets_the_whole_page(manager_client, deleted):
    response = manager_client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    html = response.content.decode()
    assert "<html" in html and 'id="trash"' in html
    assert "HX-Request" in response["Vary"]
