"""Property pages: list, detail with upcoming stays, create and edit with aliases one per line, archive."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Property
from bookings.services.bookings import booking_create
from bookings.services.properties import property_create
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST = reverse("bookings:properties")
CREATE = reverse("bookings:property_create")


@pytest.fixture
def beach(manager):
    return property_create(user=manager, name="Beach House", code="BEACH", aliases=["Sea view", "Ericeira beach"])


def current_stay(manager, prop) -> Booking:
    today = timezone.localdate()
    return booking_create(
        user=manager, property=prop, guest_name="Ann", check_in=today, check_out=today + datetime.timedelta(2)
    )


def form_data(**overrides) -> dict:
    data = {
        "name": "Alfama Loft",
        "code": "loft",
        "address": "Beco do Carneiro 3",
        "time_zone": "Europe/Lisbon",
        "check_in_time": "15:00",
        "check_out_time": "11:00",
        "aliases": "Cosy Alfama loft\n\nAlfama loft with river view\n",
        "active": "on",
    }
    return {**data, **overrides}


def test_the_list_shows_codes_aliases_and_upcoming_stays(manager_client, manager, beach):
    today = timezone.localdate()
    booking_create(
        user=manager, property=beach, guest_name="Ann", check_in=today, check_out=today + datetime.timedelta(2)
    )
    content = manager_client.get(LIST).content.decode()
    assert "Beach House" in content and "BEACH" in content
    assert '<span class="pr-alias">Sea view</span>' in content
    assert '<td class="num">1</td>' in content


@pytest.mark.parametrize("count", [5, 200])
def test_the_list_htmx_path_and_query_count(
    manager_client, manager, beach, django_assert_num_queries, htmx_headers, count
):
    props = Property.objects.bulk_create(Property(name=f"P{n:03}", code=f"P{n}") for n in range(count))
    today = timezone.localdate()
    Booking.objects.bulk_create(
        Booking(property=prop, guest_name="Guest", check_in=today, check_out=today + datetime.timedelta(days=2))
        for prop in props
    )
    # session, user, roles, the properties with their upcoming count
    with django_assert_num_queries(4):
        content = manager_client.get(LIST, headers=htmx_headers).content.decode()
    assert content.lstrip().startswith('<section id="property-table"')
    assert content.count("<tr>") == count + 2  # header + beach + the others
    with django_assert_num_queries(4):
        manager_client.get(LIST)


def test_the_detail_shows_upcoming_stays_and_history(manager_client, manager, beach, htmx_headers):
    today = timezone.localdate()
    booking_create(
        user=manager, property=beach, guest_name="Ann", check_in=today, check_out=today + datetime.timedelta(2)
    )
    booking_create(
        user=manager, property=beach, guest_name="Old guest", check_in=today - datetime.timedelta(10),
        check_out=today - datetime.timedelta(8),
    )  # fmt: skip
    url = reverse("bookings:property_detail", args=[beach.pk])
    content = manager_client.get(url).content.decode()
    assert "Ann" in content and "Old guest" not in content
    assert 'id="history"' in content
    fragment = manager_client.get(url, headers=htmx_headers).content.decode()
    assert fragment.lstrip().startswith('<div id="property-detail"')


def test_it_creates_a_property_with_aliases_one_per_line(manager_client):
    response = manager_client.post(CREATE, form_data())
    prop = Property.objects.get()
    assert response.status_code == 302
    assert response["Location"] == prop.get_absolute_url()
    assert prop.code == "LOFT"
    assert prop.aliases == ["Cosy Alfama loft", "Alfama loft with river view"]
    assert AuditEntry.objects.for_object(prop).get().source == "web"


def test_bad_input_says_what_to_fix_and_writes_nothing(manager_client, beach):
    response = manager_client.post(CREATE, form_data(code="beach", time_zone="Lisbon", aliases="Sea view"))
    content = response.content.decode()
    assert "The code BEACH is already used by Beach House; choose another." in content
    assert "&#x27;Lisbon&#x27; is not a time zone name; use one like Europe/Lisbon." in content
    assert "“Sea view” (Beach House)" in content
    assert Property.all_objects.count() == 1


def test_the_htmx_path_re_renders_the_form(manager_client, htmx_headers):
    response = manager_client.post(CREATE, form_data(name=""), headers=htmx_headers)
    assert response.content.decode().lstrip().startswith('<form id="property-form"')
    response = manager_client.post(CREATE, form_data(), headers=htmx_headers)
    assert response["HX-Redirect"] == Property.objects.get().get_absolute_url()


def test_edit_shows_aliases_one_per_line_and_records_the_diff(manager_client, beach):
    url = reverse("bookings:property_edit", args=[beach.pk])
    assert "Sea view\nEriceira beach</textarea>" in manager_client.get(url).content.decode()
    response = manager_client.post(url, form_data(name="Beach House", code="BEACH", aliases="Sea view"))
    assert response.status_code == 302
    beach.refresh_from_db()
    assert beach.aliases == ["Sea view"]
    changes = AuditEntry.objects.for_object(beach).get(action="update").changes
    assert changes["aliases"] == [["Sea view", "Ericeira beach"], ["Sea view"]]


def test_edit_names_who_gets_the_problems_reported_there(manager_client, beach, cleaner, django_user_model):
    url = reverse("bookings:property_edit", args=[beach.pk])
    response = manager_client.post(url, form_data(name="Beach House", code="BEACH", maintenance_owner=cleaner.pk))
    assert response.status_code == 302
    beach.refresh_from_db()
    assert beach.maintenance_owner == cleaner
    changes = AuditEntry.objects.for_object(beach).get(action="update").changes
    assert changes["maintenance_owner"] == [None, cleaner.pk]
    assert "Carla Lopes" in manager_client.get(beach.get_absolute_url()).content.decode()
    # Only people with a role can take problems: a user without one is not a choice.
    stranger = django_user_model.objects.create_user(username="stranger", password="x")
    response = manager_client.post(url, form_data(name="Beach House", code="BEACH", maintenance_owner=stranger.pk))
    assert "Select a valid choice" in response.content.decode()
    beach.refresh_from_db()
    assert beach.maintenance_owner == cleaner


def test_archive_asks_then_moves_the_property_to_the_trash(manager_client, beach):
    url = reverse("bookings:property_archive", args=[beach.pk])
    assert "Archive Beach House?" in manager_client.get(url).content.decode()
    response = manager_client.post(url)
    assert response["Location"] == LIST
    assert not Property.objects.exists()
    assert "Beach House archived." in manager_client.get(LIST).content.decode()  # the message
    assert "Beach House</a>" not in manager_client.get(LIST).content.decode()


def test_archive_with_upcoming_stays_is_refused_with_a_message(manager_client, manager, beach):
    today = timezone.localdate()
    booking_create(
        user=manager, property=beach, guest_name="Ann", check_in=today, check_out=today + datetime.timedelta(2)
    )
    response = manager_client.post(reverse("bookings:property_archive", args=[beach.pk]))
    assert response.status_code == 400
    assert "has 1 current or upcoming booking" in response.content.decode()
    assert Property.objects.filter(pk=beach.pk).exists()
    assert Booking.objects.count() == 1


def test_access(client, cleaner, manager, beach):
    urls = [LIST, CREATE] + [
        reverse(f"bookings:property_{name}", args=[beach.pk]) for name in ("detail", "edit", "archive")
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(cleaner)
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(reverse("bookings:property_detail", args=[beach.pk + 99])).status_code == 404


@pytest.mark.parametrize("page", ["list", "detail"])
def test_a_history_restore_gets_the_whole_page(manager_client, beach, page):
    url = LIST if page == "list" else reverse("bookings:property_detail", args=[beach.pk])
    response = manager_client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content
    assert "HX-Request" in response["Vary"]
