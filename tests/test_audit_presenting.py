"""core.audit_presenting: an audit entry's changes in words, with related rows read once per page."""

import datetime

import pytest
from django.utils import timezone, translation

from bookings.models import CalendarFeed, CalendarFeedStay
from core import audit
from core.audit_context import audit_context
from core.audit_presenting import ChangeLine, present_entries, present_history
from core.models import AuditAction, AuditEntry, AuditSource
from core.softdelete import soft_delete
from tests.factories import make_booking, make_property, make_tag, make_task

pytestmark = pytest.mark.django_db


def lines_of(obj, changes: dict) -> list[ChangeLine]:
    entry = audit.record(obj, AuditAction.UPDATE, changes)
    (presented,) = present_entries(AuditEntry.objects.filter(pk=entry.pk))
    return presented.change_lines


def test_it_names_a_related_row_instead_of_its_id():
    beach, loft = make_property("Beach House", code="BH"), make_property("City Loft", code="CL")
    booking = make_booking(beach, datetime.date(2026, 5, 1))
    assert lines_of(booking, {"property": [beach.pk, loft.pk]}) == [
        ChangeLine(label="Property", old="Beach House", new="City Loft")
    ]


def test_it_names_a_user_by_full_name(manager, cleaner):
    task = make_task("Clean")
    assert lines_of(task, {"assignee": [None, cleaner.pk]}) == [
        ChangeLine(label="Assignee", old=None, new="Carla Lopes")
    ]


def test_it_says_yes_and_no():
    booking = make_booking(make_property(), datetime.date(2026, 5, 1))
    (line,) = lines_of(booking, {"edited_by_hand": [False, True]})
    assert (line.label, line.old, line.new) == ("Edited by hand", "No", "Yes")


def test_it_writes_dates_and_moments_in_the_readers_language():
    task = make_task("Clean")
    moment = timezone.make_aware(datetime.datetime(2026, 11, 30, 14, 5))
    changes = {"due_date": ["2026-11-29", "2026-12-03"], "due_at": [None, moment.isoformat()]}
    with translation.override("en"):
        english = lines_of(task, changes)
    with translation.override("pt"):
        portuguese = lines_of(task, changes)
    assert [(line.old, line.new) for line in english] == [("29 Nov 2026", "3 Dec 2026"), (None, "30 Nov 2026, 14:05")]
    assert portuguese[0].new == "3 Dez 2026"


def test_it_shows_a_choices_label():
    task = make_task("Clean")
    (line,) = lines_of(task, {"status": ["todo", "in_progress"]})
    assert (line.label, line.old, line.new) == ("Status", "To do", "In progress")


def test_it_marks_a_related_row_that_was_deleted():
    gone, kept = make_property("Old Mill", code="OM"), make_property("Beach House", code="BH")
    booking = make_booking(kept, datetime.date(2026, 5, 1))
    soft_delete(gone, user=None)
    (line,) = lines_of(booking, {"property": [gone.pk, kept.pk]})
    assert line.old == "Old Mill (deleted)"
    (line,) = lines_of(booking, {"property": [987654, kept.pk]})
    assert line.old == "#987654 (deleted)"


def test_it_names_many_to_many_rows_and_keeps_names_services_wrote():
    kitchen, urgent = make_tag("kitchen"), make_tag("urgent")
    task = make_task("Clean")
    (by_id,) = lines_of(task, {"tags": [[kitchen.pk], [kitchen.pk, urgent.pk]]})
    (by_name,) = lines_of(task, {"tags": [None, ["kitchen", "urgent"]]})
    assert (by_id.old, by_id.new) == ("kitchen", "kitchen, urgent")
    assert (by_name.old, by_name.new) == (None, "kitchen, urgent")


def test_it_keeps_keys_that_are_no_field_and_skips_empty_creations():
    task = make_task("Clean")
    lines = lines_of(task, {"checklist: Beds": [False, True], "notes": ["", ""], "checklist": [None, "Towels"]})
    # Keys that name no field keep the order the database returns (jsonb sorts them its own way).
    assert set(lines) == {ChangeLine("Checklist: Beds", "No", "Yes"), ChangeLine("Checklist", None, "Towels")}


def test_a_page_of_entries_costs_one_query_per_related_model(django_assert_num_queries, manager, cleaner):
    beach, loft = make_property("Beach House", code="BH"), make_property("City Loft", code="CL")
    for count in (3, 30):
        with audit_context(actor=manager, source=AuditSource.WEB):
            for index in range(count):
                booking = make_booking(beach, datetime.date(2026, 1, 1) + datetime.timedelta(days=index * 4))
                audit.record(booking, AuditAction.UPDATE, {"property": [beach.pk, loft.pk], "edited_by_hand": [0, 1]})
                audit.record(make_task(f"T{index}"), AuditAction.UPDATE, {"assignee": [None, cleaner.pk]})
        entries = list(AuditEntry.objects.for_list_view()[: count * 2])
        # properties, users
        with django_assert_num_queries(2):
            presented = present_entries(entries)
        assert {line.new for entry in presented for line in entry.change_lines} >= {"City Loft", "Carla Lopes"}


def test_history_keeps_the_newest_and_says_when_older_ones_were_left_out():
    prop = make_property("Beach House", code="BH")
    for index in range(4):
        audit.record(prop, AuditAction.UPDATE, {"notes": [str(index), str(index + 1)]})
    history = present_history(AuditEntry.objects.for_object(prop), limit=3)
    assert [entry.change_lines[0].new for entry in history] == ["4", "3", "2"]
    assert history.truncated
    assert not present_history(AuditEntry.objects.for_object(prop), limit=4).truncated


def test_a_related_rows_name_that_names_its_own_relation_costs_no_extra_query(django_assert_num_queries):
    beach = make_property("Beach House", code="BH")
    booking = make_booking(beach, datetime.date(2026, 5, 1))
    feeds = [
        CalendarFeed.objects.create(property=beach, url=f"https://example.com/{n}.ics", source="airbnb")
        for n in range(3)
    ]
    stay = CalendarFeedStay.objects.create(feed=feeds[0], booking=booking, uid="u1", last_seen_at=timezone.now())
    entries = [audit.record(stay, AuditAction.UPDATE, {"feed": [feeds[n].pk, feeds[n + 1].pk]}) for n in range(2)]
    # the feeds with their properties, one query
    with django_assert_num_queries(1):
        presented = present_entries(entries)
    assert presented[0].change_lines[0].new == "Airbnb calendar of Beach House"
