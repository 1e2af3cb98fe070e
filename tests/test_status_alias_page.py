"""The status aliases page: managers add and remove status words, imports read them at once; audited."""

import pytest
from django.urls import reverse

from bookings.models import StatusAlias
from core.models import AuditAction, AuditEntry
from tests.factories import make_loft
from tests.import_files import airbnb_row, airbnb_xlsx, preview

pytestmark = pytest.mark.django_db
URL = "/bookings/import/status-aliases/"


def test_it_sends_anonymous_users_to_sign_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_it_refuses_cleaners(cleaner_client):
    alias = StatusAlias.objects.create(value="Awaiting payment", status="booked")
    assert cleaner_client.get(URL).status_code == 403
    assert cleaner_client.post(URL, {"value": "Paid", "status": "confirmed"}).status_code == 403
    assert cleaner_client.post(reverse("bookings:status_alias_delete", args=[alias.pk])).status_code == 403
    assert StatusAlias.objects.count() == 1


def test_it_lists_aliases_and_the_built_in_words(manager_client):
    StatusAlias.objects.create(value="Awaiting payment", source="airbnb", status="booked")
    html = manager_client.get(URL).content.decode()
    assert "Awaiting payment" in html and "Airbnb" in html
    assert "arriving soon" in html  # a built-in Airbnb word, listed under Confirmed
    assert "no_show" in html


def test_adding_an_alias_teaches_the_next_import(manager_client, manager):
    make_loft()
    response = manager_client.post(URL, {"value": "  Paid   in full ", "source": "", "status": "confirmed"})
    assert response.status_code == 302
    alias = StatusAlias.objects.get()
    assert (alias.value, alias.source, alias.status) == ("Paid in full", "", "confirmed")
    created = AuditEntry.objects.for_object(alias).get()
    assert (created.action, created.actor) == (AuditAction.CREATE, manager)

    batch = preview(airbnb_xlsx([airbnb_row("HMPAID", status="PAID IN FULL")]), "paid.xlsx", manager)
    assert batch.counts["created"] == 1


def test_adding_over_htmx_swaps_the_list_and_clears_the_form(manager_client, htmx_headers):
    response = manager_client.post(URL, {"value": "Awaiting payment", "status": "booked"}, headers=htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="status-aliases"')
    assert "<strong>Awaiting payment</strong>" in html
    assert 'value="Awaiting payment"' not in html
    assert "Imports now read “Awaiting payment” as booked." in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "   ", "status": "booked"}, "This field is required."),
        ({"value": "Paid", "status": "paid"}, "Select a valid choice."),
        ({"value": "AWAITING   payment", "status": "confirmed"}, "is already mapped to booked"),
    ],
)
def test_bad_input_is_explained_and_writes_nothing(manager_client, data, message):
    StatusAlias.objects.create(value="Awaiting payment", status="booked")
    response = manager_client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert StatusAlias.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_the_same_word_may_mean_something_else_for_one_source(manager_client):
    StatusAlias.objects.create(value="Awaiting payment", status="booked")
    response = manager_client.post(URL, {"value": "Awaiting payment", "source": "bookingcom", "status": "confirmed"})
    assert response.status_code == 302
    assert StatusAlias.objects.count() == 2


def test_overriding_a_built_in_word_says_so(manager_client):
    response = manager_client.post(URL, {"value": "Pending", "status": "confirmed"}, follow=True)
    assert "replaces the built-in meaning “booked”" in response.content.decode()


def test_removing_an_alias_is_audited_and_answers_htmx_in_place(manager_client, manager, htmx_headers):
    alias = StatusAlias.objects.create(value="Awaiting payment", status="booked")
    response = manager_client.post(reverse("bookings:status_alias_delete", args=[alias.pk]), headers=htmx_headers)
    assert response.content.decode().lstrip().startswith('<div id="status-aliases"')
    assert StatusAlias.objects.count() == 0
    removed = AuditEntry.objects.get()
    assert (removed.action, removed.actor, removed.changes["value"]) == (
        AuditAction.DELETE,
        manager,
        ["Awaiting payment", None],
    )


def test_removing_without_htmx_goes_back_to_the_page(manager_client):
    alias = StatusAlias.objects.create(value="Awaiting payment", status="booked")
    response = manager_client.post(reverse("bookings:status_alias_delete", args=[alias.pk]))
    assert response["Location"] == URL
    assert manager_client.post(reverse("bookings:status_alias_delete", args=[alias.pk])).status_code == 404


def test_a_history_restore_gets_the_whole_page(manager_client):
    response = manager_client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content
    assert "HX-Request" in response["Vary"]
