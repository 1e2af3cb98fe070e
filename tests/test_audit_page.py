"""The audit trail page (/audit/): filters, paging, access, query counts, object links and the history fragment."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Property
from core import audit
from core.audit_context import audit_context
from core.audit_presenting import lazy_history
from core.models import AuditAction, AuditEntry, AuditSource
from tests.factories import make_property

pytestmark = pytest.mark.django_db
URL = "/audit/"


def make_entries(count: int, *, actor=None, source=AuditSource.WEB, batch_id=None) -> list[Property]:
    properties = []
    with audit_context(actor=actor, source=source, batch_id=batch_id, request_id="req-1"):
        for index in range(count):
            prop = make_property(f"Villa {index}", code=f"P{index}")
            audit.record(prop, AuditAction.UPDATE, {"name": ["Old villa", prop.name]})
            properties.append(prop)
    return properties


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_cleaners(cleaner_client):
    assert cleaner_client.get(URL).status_code == 403


def test_it_lists_entries_with_who_what_and_changes(manager_client, manager):
    make_entries(1, actor=manager, batch_id=42)
    response = manager_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Villa 0" in html
    assert "Maria Santos" in html
    assert "Old villa" in html
    assert reverse("bookings:import_detail", args=[42]) in html
    assert response.context["page_obj"].paginator.count == 1


def test_it_answers_htmx_with_the_results_only(manager_client, manager, htmx_headers):
    make_entries(2, actor=manager)
    response = manager_client.get(URL, {"q": "Villa 1"}, headers=htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in html
    assert "Villa 1" in html
    assert "Villa 0" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "import"}, {"Imported villa"}),
        ({"action": "create"}, {"Imported villa"}),
        ({"object_type": "bookings.booking"}, {"Guest Booking (AB1)"}),
        ({"batch": "7"}, {"Imported villa"}),
        ({"q": "manual"}, {"Manual villa"}),
    ],
)
def test_it_filters(manager_client, manager, params, expected):
    with audit_context(actor=manager, source=AuditSource.WEB):
        manual = make_property("Manual villa", code="MAN")
        audit.record(manual, AuditAction.UPDATE, {"name": ["x", "Manual villa"]})
    with audit_context(source=AuditSource.IMPORT, batch_id=7):
        imported = make_property("Imported villa", code="IMP")
        audit.record_created(imported, ["name", "code"])
        booking = Booking.objects.create(
            property=imported,
            guest_name="Guest Booking",
            external_code="AB1",
            check_in=datetime.date(2026, 5, 1),
            check_out=datetime.date(2026, 5, 3),
        )
    with audit_context(actor=manager, source=AuditSource.WEB):
        audit.record(booking, AuditAction.UPDATE, {"guest_name": ["Guest", "Guest Booking"]})
    response = manager_client.get(URL, params)
    assert {entry.object_repr for entry in response.context["page_obj"]} == expected


def test_the_text_search_matches_the_object_or_the_message_in_any_case(manager):
    villa = make_property("Sea view villa", code="SEA")
    with audit_context(actor=manager, source=AuditSource.WEB):
        audit.record(villa, AuditAction.UPDATE, {"name": ["x", "Sea view villa"]}, message="Renamed after the survey")
    found = AuditEntry.objects.matching_text
    assert found("VIEW VILLA").count() == found("the SURVEY").count() == 1
    assert found("villa renamed").count() == 1  # the name, a space, then the message
    assert found("lagoon").count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no trigram index and scans")
def test_the_text_search_reads_the_one_trigram_index_on_postgresql():
    """core migration 0008 indexes the expression AuditEntry.objects.matching_text filters on: the plan must name
    the index, or every search would scan a million entries."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = AuditEntry.objects.matching_text("villa").explain()
    assert "audit_text_trgm_idx" in plan


def test_it_filters_by_actor_and_date_range(manager_client, manager, cleaner):
    make_entries(1, actor=manager)
    with audit_context(actor=cleaner, source=AuditSource.WEB):
        prop = make_property("Cleaner villa", code="CLN")
        audit.record(prop, AuditAction.UPDATE, {"notes": ["", "towels"]})
    AuditEntry.objects.filter(object_repr="Villa 0").update(created_at=timezone.now() - datetime.timedelta(days=10))
    today = timezone.localdate().isoformat()

    by_actor = manager_client.get(URL, {"actor": cleaner.pk})
    by_date = manager_client.get(URL, {"date_from": today, "date_to": today})

    assert [entry.object_repr for entry in by_actor.context["page_obj"]] == ["Cleaner villa"]
    assert [entry.object_repr for entry in by_date.context["page_obj"]] == ["Cleaner villa"]


def test_it_explains_a_bad_filter_and_lists_nothing(manager_client, manager):
    make_entries(1, actor=manager)
    response = manager_client.get(URL, {"date_from": "next tuesday"})
    html = response.content.decode()
    assert "Please fix the filters" in html
    assert "Enter a valid date." in html
    assert response.context["page_obj"].paginator.count == 0


def test_it_shows_one_objects_history_from_its_link(manager_client, manager):
    first, second = make_entries(2, actor=manager)
    content_type = ContentType.objects.get_for_model(Property)
    response = manager_client.get(URL, {"content_type": content_type.pk, "object_id": second.pk})
    assert [entry.object_repr for entry in response.context["page_obj"]] == ["Villa 1"]
    assert "History of <strong>Villa 1</strong>" in response.content.decode()


def test_it_pages_and_keeps_the_filters_in_page_links(manager_client, manager, settings):
    settings.AUDIT_PAGE_SIZE = 3
    make_entries(7, actor=manager)
    response = manager_client.get(URL, {"source": "web", "page": 2})
    html = response.content.decode()
    assert response.context["page_obj"].number == 2
    assert len(response.context["page_obj"].object_list) == 3
    assert "?source=web&amp;page=3" in html
    assert "Page 2 of 3" in html


@pytest.mark.parametrize("count", [3, 30])
def test_it_runs_a_fixed_number_of_queries(manager_client, manager, django_assert_num_queries, count, htmx_headers):
    make_entries(count, actor=manager, batch_id=3)
    # session, user, roles, filter's user choices, count, page of entries
    with django_assert_num_queries(6):
        assert manager_client.get(URL).status_code == 200
    # The HTMX swap renders no filter form, so no user choices.
    with django_assert_num_queries(5):
        assert manager_client.get(URL, {"source": "web"}, headers=htmx_headers).status_code == 200


def test_it_links_an_entry_to_its_objects_page(manager_client, manager):
    (prop,) = make_entries(1, actor=manager)
    content_type = ContentType.objects.get_for_model(Property)
    url = reverse("core:audit_object", args=[content_type.pk, prop.pk])
    # Property pages belong to the bookings app; the redirect only needs the URL name to exist.
    response = manager_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == prop.get_absolute_url()


def test_it_answers_404_for_an_object_that_does_not_exist(manager_client):
    content_type = ContentType.objects.get_for_model(Property)
    assert manager_client.get(reverse("core:audit_object", args=[content_type.pk, 999999])).status_code == 404
    assert manager_client.get(reverse("core:audit_object", args=[content_type.pk, "nope"])).status_code == 404


def test_it_refuses_object_links_to_cleaners(cleaner_client):
    content_type = ContentType.objects.get_for_model(Property)
    assert cleaner_client.get(reverse("core:audit_object", args=[content_type.pk, 1])).status_code == 403


def test_the_history_fragment_lists_an_objects_entries_newest_first(rf, manager, django_assert_num_queries):
    (prop,) = make_entries(1, actor=manager)
    with audit_context(source=AuditSource.IMPORT, batch_id=5):
        audit.record(prop, AuditAction.UPDATE, {"address": ["", "Rua Nova 1"]})
    history = lazy_history(AuditEntry.objects.for_object(prop))
    # the entries with their actors; the users named in the changes (none here) would be one more
    with django_assert_num_queries(1):
        html = render_to_string("core/_history.html", {"history": history, "user_is_manager": True})
    assert html.index("Rua Nova 1") < html.index("Old villa")
    assert "Maria Santos" in html
    assert "System" in html
    assert reverse("bookings:import_detail", args=[5]) in html
    assert f"object_id={prop.pk}" in html


def test_the_history_fragment_says_when_nothing_was_recorded(manager):
    prop = make_property("New villa", code="NEW")
    html = render_to_string("core/_history.html", {"history": lazy_history(AuditEntry.objects.for_object(prop))})
    assert "No changes recorded yet." in html


def test_a_history_restore_after_filtering_gets_the_whole_page(manager_client, manager):
    make_entries(2, actor=manager)
    response = manager_client.get(
        URL, {"q": "Villa 1"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" in html and 'id="audit-results"' in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("params", [{"batch": "9" * 20}, {"content_type": "9" * 20}, {"date_from": "9999-12-31"}])
def test_out_of_range_filters_answer_a_page(manager_client, params):
    assert manager_client.get(URL, params).status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_readable_changes_cost_one_query_per_related_model_at_any_size(
    manager_client, manager, cleaner, django_assert_num_queries, count
):
    loft = make_property("City Loft", code="CL")
    with audit_context(actor=manager, source=AuditSource.WEB):
        for index in range(count):
            booking = Booking.objects.create(
                property=loft,
                guest_name=f"Guest {index}",
                check_in=datetime.date(2026, 5, 1),
                check_out=datetime.date(2026, 5, 3),
                external_code=f"X{index}",
            )
            audit.record(booking, AuditAction.UPDATE, {"property": [None, loft.pk], "edited_by_hand": [False, True]})
            audit.record(manager, AuditAction.UPDATE, {"groups": [[], []], "last_login": [None, None]})
    # session, user, roles, filter's user choices, count, page of entries, properties named in the changes
    with django_assert_num_queries(7):
        response = manager_client.get(URL)
    html = response.content.decode()
    assert "City Loft" in html and "Edited by hand" in html and "Yes" in html
    assert "<details" in html


def test_it_counts_up_to_a_limit_and_says_more_than_past_it(manager_client, manager, settings):
    settings.AUDIT_COUNT_LIMIT = 4
    settings.AUDIT_PAGE_SIZE = 2
    make_entries(6, actor=manager)
    response = manager_client.get(URL, {"page": 2})
    html = response.content.decode()
    assert response.context["page_obj"].paginator.is_capped
    assert "More than 4 entries" in html
    assert "Page 2" in html and "Page 2 of" not in html
    assert not manager_client.get(URL, {"q": "Villa 1"}).context["page_obj"].paginator.is_capped


def test_the_date_range_is_whole_days_in_the_sites_time_zone(manager_client, manager, settings):
    (late, early) = make_entries(2, actor=manager)
    zone = timezone.get_current_timezone()
    # 23:30 in Lisbon on 1 June is 22:30 UTC: still 1 June for the reader.
    late_moment = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=zone)
    AuditEntry.objects.filter(object_repr="Villa 0").update(created_at=late_moment)
    AuditEntry.objects.filter(object_repr="Villa 1").update(created_at=late_moment + datetime.timedelta(hours=1))
    response = manager_client.get(URL, {"date_from": "2026-06-01", "date_to": "2026-06-01"})
    assert [entry.object_repr for entry in response.context["page_obj"]] == ["Villa 0"]
    response = manager_client.get(URL, {"date_from": "2026-06-02", "date_to": "9999-12-31"})
    assert [entry.object_repr for entry in response.context["page_obj"]] == ["Villa 1"]
