"""The turnover sync service: triggers, placeholders, statuses, idempotency, moves, cancellations, conflicts."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Booking, BookingConflict, BookingStatus, ConflictKind
from bookings.signals import announce_bookings_changed
from core.models import AuditEntry, AuditSource
from tests.factories import SOON, make_booking, make_property, make_template
from wbs.models import ChecklistItem, Priority, Task, TaskStatus, TemplateTrigger
from wbs.services.turnovers import render_title, turnovers_sync, turnovers_sync_all

pytestmark = pytest.mark.django_db
LISBON = zoneinfo.ZoneInfo("Europe/Lisbon")
DAY = SOON


def at(day, hour, minute=0, zone=LISBON):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def test_it_creates_one_task_per_template_and_none_the_second_time(beach, cleaner):
    make_template(default_assignee=cleaner)
    make_template("Inspect {property} before {guest}", trigger=TemplateTrigger.BEFORE_CHECK_IN, offset_hours=1)
    booking = make_booking(beach, DAY)

    first = turnovers_sync(booking_ids=[booking.pk])
    second = turnovers_sync(booking_ids=[booking.pk])

    assert (first.created, second.created, second.moved) == (2, 0, 0)
    assert Task.objects.filter(booking=booking).count() == 2
    assert ChecklistItem.objects.filter(task__booking=booking).count() == 4


def test_it_fills_every_placeholder(beach):
    booking = make_booking(beach, DAY, nights=4, guest_name="Ana Reis", adults=2, children=1)
    pattern = "{property}|{guest}|{check_in}|{check_out}|{nights}|{guests}|{unknown}"
    assert render_title(pattern, booking) == f"Beach House|Ana Reis|{DAY}|{booking.check_out}|4|3|{{unknown}}"


def test_it_does_not_let_a_pattern_reach_attributes(beach):
    booking = make_booking(beach, DAY, guest_name="Ana")
    assert render_title("{guest.__class__}", booking) == "{guest.__class__}"


@pytest.mark.parametrize(
    ("trigger", "offset", "start", "due"),
    [
        (
            TemplateTrigger.AFTER_CHECK_OUT,
            0,
            at(DAY + datetime.timedelta(days=3), 11),
            at(DAY + datetime.timedelta(days=3), 13),
        ),
        (
            TemplateTrigger.AFTER_CHECK_OUT,
            2,
            at(DAY + datetime.timedelta(days=3), 13),
            at(DAY + datetime.timedelta(days=3), 15),
        ),
        (TemplateTrigger.BEFORE_CHECK_IN, 1, at(DAY, 12), at(DAY, 14)),
        (TemplateTrigger.ON_CHECK_IN, 0, at(DAY, 15), at(DAY, 17)),
        (TemplateTrigger.ON_CHECK_IN, -1, at(DAY, 14), at(DAY, 16)),
    ],
)
def test_it_places_each_trigger_and_offset_in_the_property_time_zone(beach, trigger, offset, start, due):
    make_template(trigger=trigger, offset_hours=offset, duration_minutes=120)
    booking = make_booking(beach, DAY, nights=3)

    turnovers_sync(booking_ids=[booking.pk])

    task = Task.objects.get(booking=booking)
    assert task.due_at == due
    assert task.start_date == start.date()
    assert task.due_date == due.date()


def test_it_uses_the_property_time_zone_not_the_server_one(cleaner):
    tokyo = make_property("Tokyo Loft", time_zone="Asia/Tokyo")
    make_template()
    booking = make_booking(tokyo, DAY, nights=2)

    turnovers_sync(booking_ids=[booking.pk])

    task = Task.objects.get(booking=booking)
    assert task.due_at == at(DAY + datetime.timedelta(days=2), 13, zone=zoneinfo.ZoneInfo("Asia/Tokyo"))


def test_it_visits_a_long_stay_every_n_nights_in_one_task(beach):
    make_template("Mid-stay clean {property}", trigger=TemplateTrigger.EVERY_N_NIGHTS, every_n_nights=3)
    short = make_booking(beach, DAY, nights=3)
    long = make_booking(beach, DAY + datetime.timedelta(days=10), nights=7)

    turnovers_sync(booking_ids=[short.pk, long.pk])

    assert not Task.objects.filter(booking=short).exists()
    task = Task.objects.get(booking=long)
    assert task.start_date == long.check_in + datetime.timedelta(days=3)
    assert task.due_date == long.check_in + datetime.timedelta(days=6)
    assert "Visits during the stay" in task.description


def test_it_skips_excluded_statuses_and_other_properties(beach):
    town = make_property("Town Flat")
    make_template(properties=[beach])
    owner_stay = make_booking(beach, DAY, status=BookingStatus.OWNER_STAYING)
    cancelled = make_booking(beach, DAY + datetime.timedelta(days=5), status=BookingStatus.CANCELLED)
    elsewhere = make_booking(town, DAY)
    inactive = make_template("Never", active=False)

    result = turnovers_sync(booking_ids=[owner_stay.pk, cancelled.pk, elsewhere.pk])

    assert result.created == 0
    assert not Task.objects.filter(template=inactive).exists()


def test_it_assigns_the_backup_when_the_default_cleaner_is_inactive(beach, cleaner, other_cleaner):
    cleaner.is_active = False
    cleaner.save()
    make_template(default_assignee=cleaner, backup_assignee=other_cleaner)
    booking = make_booking(beach, DAY)

    turnovers_sync(booking_ids=[booking.pk])

    assert Task.objects.get(booking=booking).assignee == other_cleaner


def test_it_moves_a_task_that_has_not_started_when_the_dates_change(beach, django_capture_on_commit_callbacks, cleaner):
    cleaner.email = "carla@example.com"
    cleaner.save()
    make_template(default_assignee=cleaner)
    booking = make_booking(beach, DAY, nights=3)
    turnovers_sync(booking_ids=[booking.pk])
    old_check_out = booking.check_out
    stamped = Task.objects.get(booking=booking).updated_at
    booking.check_out = DAY + datetime.timedelta(days=5)
    booking.save()

    with django_capture_on_commit_callbacks(execute=True):
        announce_bookings_changed(
            [booking.pk],
            source="web",
            changes={booking.pk: {"check_out": [str(old_check_out), str(booking.check_out)]}},
        )

    task = Task.objects.get(booking=booking)
    assert task.due_date == booking.check_out
    assert task.updated_at > stamped  # bulk_update skips auto_now: the sync stamps it (critical-path cache)
    entry = AuditEntry.objects.for_object(task).filter(action="move").get()
    assert entry.source == AuditSource.AUTOMATION
    assert f"check_out {old_check_out} → {booking.check_out}" in entry.message
    assert mail.outbox and "Changed" in mail.outbox[0].body


def test_it_cancels_tasks_that_have_not_started_and_keeps_them(beach):
    make_template()
    booking = make_booking(beach, DAY)
    turnovers_sync(booking_ids=[booking.pk])
    booking.status = BookingStatus.CANCELLED
    booking.save()

    announce_bookings_changed(
        [booking.pk], source="import", changes={booking.pk: {"status": ["confirmed", "cancelled"]}}
    )

    task = Task.objects.get(booking=booking)
    assert task.status == TaskStatus.CANCELLED
    assert "was cancelled" in task.cancel_reason
    entry = AuditEntry.objects.for_object(task).get(action="cancel")
    assert "status confirmed → cancelled" in entry.message


def test_it_reopens_the_automatically_cancelled_task_when_the_booking_comes_back(beach):
    make_template()
    booking = make_booking(beach, DAY, status=BookingStatus.CANCELLED)
    make_booking(beach, DAY + datetime.timedelta(days=9))
    turnovers_sync(booking_ids=[booking.pk])
    booking.status = BookingStatus.CONFIRMED
    booking.save()
    turnovers_sync(booking_ids=[booking.pk])
    booking.status = BookingStatus.CANCELLED
    booking.save()
    turnovers_sync(booking_ids=[booking.pk])
    booking.status = BookingStatus.CONFIRMED
    booking.save()

    result = turnovers_sync(booking_ids=[booking.pk])

    assert result.reopened == 1
    assert Task.objects.get(booking=booking).status == TaskStatus.TODO


def test_it_cancels_the_tasks_of_a_deleted_booking(beach):
    make_template()
    booking = make_booking(beach, DAY)
    turnovers_sync(booking_ids=[booking.pk])
    Booking.all_objects.filter(pk=booking.pk).update(deleted_at=timezone.now())

    turnovers_sync_all()

    assert Task.objects.get(booking=booking).status == TaskStatus.CANCELLED


@pytest.mark.parametrize("status", [TaskStatus.IN_PROGRESS, TaskStatus.DONE])
def test_it_raises_a_conflict_instead_of_changing_a_started_task(
    beach, cleaner, status, django_capture_on_commit_callbacks
):
    cleaner.email = "carla@example.com"
    cleaner.save()
    make_template(default_assignee=cleaner)
    booking = make_booking(beach, DAY)
    turnovers_sync(booking_ids=[booking.pk])
    Task.objects.filter(booking=booking).update(status=status, started_at=at(DAY, 9))
    booking.check_out = DAY + datetime.timedelta(days=6)
    booking.save()
    before = Task.objects.get(booking=booking)

    with django_capture_on_commit_callbacks(execute=True):
        change = {booking.pk: {"check_out": [str(before.due_date), str(booking.check_out)]}}
        turnovers_sync(booking_ids=[booking.pk], changes=change)
        turnovers_sync(booking_ids=[booking.pk], changes=change)

    after = Task.objects.get(booking=booking)
    assert (after.due_at, after.status) == (before.due_at, status)
    conflict = BookingConflict.objects.get(booking=booking)
    assert conflict.kind == ConflictKind.STARTED_TASKS
    assert after.title in conflict.message
    assert [message.to for message in mail.outbox] == [["carla@example.com"]]
    assert "Check with your manager" in mail.outbox[0].body


def test_it_flags_a_same_day_turnover_and_sets_the_deadline_to_the_next_check_in(beach):
    make_template(priority=Priority.NORMAL)
    first = make_booking(beach, DAY, nights=3)
    turnovers_sync(booking_ids=[first.pk])
    assert not Task.objects.get(booking=first).same_day

    second = make_booking(beach, first.check_out, nights=2)
    announce_bookings_changed([second.pk], source="import", changes={second.pk: {}})

    cleaning = Task.objects.get(booking=first)
    assert cleaning.same_day
    assert cleaning.priority == Priority.HIGH
    assert cleaning.due_at == at(first.check_out, 15)
    assert "next stay" in AuditEntry.objects.for_object(cleaning).get(action="move").message


def test_it_clears_the_same_day_flag_when_the_next_guest_cancels(beach):
    make_template()
    first = make_booking(beach, DAY, nights=3)
    second = make_booking(beach, first.check_out, nights=2)
    turnovers_sync(booking_ids=[first.pk, second.pk])
    assert Task.objects.get(booking=first).same_day
    second.status = BookingStatus.CANCELLED
    second.save()

    turnovers_sync(booking_ids=[second.pk], changes={second.pk: {"status": ["confirmed", "cancelled"]}})

    cleaning = Task.objects.get(booking=first)
    assert not cleaning.same_day
    assert cleaning.due_at == at(first.check_out, 13)


def test_it_syncs_a_chunk_in_a_fixed_number_of_queries(beach):
    make_template()
    make_template("Inspect {property}", trigger=TemplateTrigger.BEFORE_CHECK_IN)
    small = [make_booking(beach, DAY + datetime.timedelta(days=4 * n)).pk for n in range(2)]
    large = [make_booking(beach, DAY + datetime.timedelta(days=4 * n)).pk for n in range(10, 18)]

    def count(ids):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            turnovers_sync(booking_ids=ids)
        return len(captured)

    # A first sync in a process also fills its caches (content types, the plan version): not a per-chunk cost.
    count([make_booking(beach, DAY + datetime.timedelta(days=4 * n)).pk for n in range(30, 32)])
    assert count(small) == count(large)


def test_the_bookings_services_bring_the_tasks_in_step(beach, manager):
    from bookings.services.bookings import booking_cancel, booking_create, booking_update

    make_template()
    booking = booking_create(
        user=manager, property=beach, guest_name="Ana Reis", check_in=DAY, check_out=DAY + datetime.timedelta(days=3)
    )
    assert Task.objects.get(booking=booking).due_date == DAY + datetime.timedelta(days=3)

    booking_update(booking=booking, user=manager, check_out=DAY + datetime.timedelta(days=4))
    task = Task.objects.get(booking=booking)
    assert task.due_date == DAY + datetime.timedelta(days=4)
    message = AuditEntry.objects.for_object(task).get(action="move").message
    old, new = DAY + datetime.timedelta(days=3), DAY + datetime.timedelta(days=4)
    assert f"check_out {old} → {new}" in message and "edited_by_hand" not in message

    booking_cancel(booking=booking, user=manager, reason="Guest cancelled")
    assert Task.objects.get(booking=booking).status == TaskStatus.CANCELLED


def test_it_cancels_the_mid_stay_visit_when_a_long_stay_gets_short(beach):
    make_template("Mid-stay clean {property}", trigger=TemplateTrigger.EVERY_N_NIGHTS, every_n_nights=3)
    booking = make_booking(beach, DAY, nights=7)
    turnovers_sync(booking_ids=[booking.pk])
    booking.check_out = DAY + datetime.timedelta(days=2)
    booking.save()

    result = turnovers_sync(booking_ids=[booking.pk])

    assert result.cancelled == 1
    assert Task.objects.get(booking=booking).status == TaskStatus.CANCELLED


def test_it_clears_the_same_day_flag_of_the_stay_before_when_a_check_in_moves_away(beach):
    make_template()
    first = make_booking(beach, DAY, nights=3)
    second = make_booking(beach, first.check_out, nights=2)
    turnovers_sync(booking_ids=[first.pk, second.pk])
    old_check_in = second.check_in
    second.check_in = old_check_in + datetime.timedelta(days=1)
    second.save()

    turnovers_sync(
        booking_ids=[second.pk], changes={second.pk: {"check_in": [str(old_check_in), str(second.check_in)]}}
    )

    assert not Task.objects.get(booking=first).same_day


def test_a_sweep_syncs_only_the_bookings_out_of_step_and_finds_the_same_changes(beach, settings):
    """A sweep longer than a chunk first checks every booking unlocked, then syncs only the ones out of step;
    what it changes must be what a booking-by-booking sync changes: creations, moves, same-day flags, cancels."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TURNOVER_SYNC_CHUNK_SIZE = 2
    make_template(priority=Priority.NORMAL)
    make_template("Inspect {property} before {guest}", trigger=TemplateTrigger.BEFORE_CHECK_IN, offset_hours=1)
    stays = [make_booking(beach, DAY + datetime.timedelta(days=4 * n), nights=3) for n in range(6)]

    first = turnovers_sync_all()
    assert (first.bookings, first.created) == (6, 12)
    with CaptureQueriesContext(connection) as captured:
        idle = turnovers_sync_all()
    assert (idle.bookings, idle.created, idle.moved, idle.cancelled) == (6, 0, 0, 0)
    assert not [query for query in captured if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]

    # Changed behind the sync's back (no announcement): a longer stay, a cancellation, a new guest the same day.
    Booking.objects.filter(pk=stays[1].pk).update(check_out=stays[1].check_out + datetime.timedelta(days=1))
    Booking.objects.filter(pk=stays[3].pk).update(status=BookingStatus.CANCELLED)
    after_last = make_booking(beach, stays[5].check_out, nights=2)

    swept = turnovers_sync_all()

    assert (swept.bookings, swept.created, swept.cancelled) == (7, 2, 2)
    moved = Task.objects.get(booking=stays[1], template__trigger=TemplateTrigger.AFTER_CHECK_OUT)
    assert moved.due_date == stays[1].check_out + datetime.timedelta(days=1)
    assert Task.objects.get(booking=stays[5], template__trigger=TemplateTrigger.AFTER_CHECK_OUT).same_day
    assert Task.objects.filter(booking=after_last).count() == 2
    assert turnovers_sync_all().summary() == "bookings=7 created=0 moved=0 cancelled=0 reopened=0 conflicts=0"


def test_a_sweep_checks_titles_and_text_like_a_booking_sync(beach, settings):
    settings.TURNOVER_SYNC_CHUNK_SIZE = 1
    make_template("Clean {property} after {guest} ({nights} nights, {guests} guests)")
    stays = [make_booking(beach, DAY + datetime.timedelta(days=4 * n), guest_name=f"Guest  {n}\n") for n in range(3)]
    turnovers_sync_all()
    assert Task.objects.get(booking=stays[0]).title == "Clean Beach House after Guest 0 (3 nights, 2 guests)"

    Booking.objects.filter(pk=stays[2].pk).update(guest_name="Rui Lopes", children=1)
    swept = turnovers_sync_all()

    assert swept.moved == 1
    assert Task.objects.get(booking=stays[2]).title == "Clean Beach House after Rui Lopes (3 nights, 3 guests)"


def test_it_writes_each_new_task_its_checklist_audit_entry_and_email_as_a_manager_would_see_them(
    beach, cleaner, manager, django_capture_on_commit_callbacks
):
    """Everything a created turnover task leaves behind, value by value: the row, its position at the end of its
    column, its checklist, its audit entry (who, from where, which batch, the diff and the sentence) and the one
    email its assignee gets for all of a sync's new tasks."""
    from django.contrib.contenttypes.models import ContentType

    from core.audit_context import audit_context
    from tests.factories import make_task
    from wbs.services.positions import POSITION_GAP

    cleaner.email = "carla@example.com"
    cleaner.save()
    make_task("Already on the board", position=5000.0)
    clean = make_template(
        default_assignee=cleaner,
        checklist=[
            {"text": "Change the bed linen"},
            {"text": "Photo of the kitchen", "requires_photo": True},
            {"text": "x" * 250, "required": False},
        ],
    )
    inspect = make_template("Inspect {property} before {guest}", trigger=TemplateTrigger.BEFORE_CHECK_IN, checklist=[])
    first = make_booking(beach, DAY, nights=3, guest_name="Ana Reis")
    second = make_booking(beach, DAY + datetime.timedelta(days=5), nights=2, guest_name="Bo Li")
    started = timezone.now()

    with (
        django_capture_on_commit_callbacks(execute=True),
        audit_context(source=AuditSource.IMPORT, actor=manager, batch_id=42, request_id="req-7"),
    ):
        result = turnovers_sync(booking_ids=[first.pk, second.pk], changes={first.pk: {}, second.pk: {}})

    assert result.created == 4
    cleaning = Task.objects.get(booking=first, template=clean)
    check_out = first.check_out.isoformat()
    assert (cleaning.title, cleaning.status, cleaning.assignee, cleaning.property) == (
        "Clean Beach House after Ana Reis",
        TaskStatus.TODO,
        cleaner,
        beach,
    )
    assert cleaning.description == f'Created by template "Clean {{property}} after {{guest}}" for booking {first}.'
    assert started <= cleaning.created_at <= timezone.now()
    assert started <= cleaning.updated_at <= timezone.now()
    # Bookings in id order, then templates in theirs (by title): spaced after the cards already in the column.
    column = list(Task.objects.filter(booking__isnull=False).order_by("position").values_list("booking", "template"))
    assert column == [(first.pk, clean.pk), (first.pk, inspect.pk), (second.pk, clean.pk), (second.pk, inspect.pk)]
    assert cleaning.position == 5000 + POSITION_GAP
    assert list(cleaning.checklist.values_list("position", "text", "requires_photo", "required", "done")) == [
        (1, "Change the bed linen", False, True, False),
        (2, "Photo of the kitchen", True, True, False),
        (3, "x" * 200, False, False, False),
    ]
    assert not Task.objects.get(booking=first, template=inspect).checklist.exists()

    entry = AuditEntry.objects.for_object(cleaning).get()
    assert (entry.actor, entry.source, entry.action, entry.batch_id, entry.request_id) == (
        manager,
        AuditSource.AUTOMATION,
        "create",
        42,
        "req-7",
    )
    assert entry.content_type == ContentType.objects.get_for_model(Task)
    assert (entry.object_id, entry.object_repr) == (str(cleaning.pk), "Clean Beach House after Ana Reis")
    assert entry.message == f'Template "Clean {{property}} after {{guest}}" for booking {first}'
    assert started <= entry.created_at <= timezone.now()
    assert entry.changes == {
        "title": [None, "Clean Beach House after Ana Reis"],
        "description": [None, cleaning.description],
        "property": [None, beach.pk],
        "booking": [None, first.pk],
        "template": [None, clean.pk],
        "type": [None, "cleaning"],
        "status": [None, "todo"],
        "priority": [None, Priority.NORMAL],
        "assignee": [None, cleaner.pk],
        "start_date": [None, check_out],
        "due_date": [None, check_out],
        "due_at": [None, at(first.check_out, 13).isoformat()],
        "estimate_hours": [None, 2.0],
        "progress": [None, 0],
        "is_milestone": [None, False],
        "same_day": [None, False],
        "cancel_reason": [None, ""],
    }
    assert AuditEntry.objects.filter(action="create", batch_id=42).count() == 4
    # One email for the two cleans (the inspections have nobody), a line each, in the order they were created.
    assert [message.to for message in mail.outbox] == [["carla@example.com"]]
    assert mail.outbox[0].body.count("Assigned: Clean Beach House after") == 2
    assert mail.outbox[0].body.index("Ana Reis") < mail.outbox[0].body.index("Bo Li")
    assert (
        result.lines[0]
        == f"created task {cleaning.pk} “Clean Beach House after Ana Reis” ({at(first.check_out, 13):%a %d %b %H:%M})"
    )


def test_a_change_to_a_stay_leaves_the_same_day_flag_of_the_next_stay_alone(beach):
    """The stay that arrives as a changed booking leaves is its cleaning's deadline, nothing more: its own cleaning
    depends on the stay after it, which the sync of the first booking does not read (it used to clear the flag)."""
    make_template()
    first = make_booking(beach, DAY, nights=3)
    second = make_booking(beach, first.check_out, nights=2)
    third = make_booking(beach, second.check_out, nights=2)
    turnovers_sync(booking_ids=[first.pk, second.pk, third.pk])

    result = turnovers_sync(booking_ids=[first.pk], changes={first.pk: {"guest_name": ["Ana", "Ana Reis"]}})

    assert (result.moved, result.lines) == (0, [])
    assert Task.objects.get(booking=second).same_day


def test_a_stay_at_another_property_on_the_same_days_is_no_neighbour(beach):
    town = make_property("Town Flat")
    make_template()
    here = make_booking(beach, DAY, nights=3)
    elsewhere = make_booking(town, DAY + datetime.timedelta(days=20), nights=2)
    # At Town Flat, a stay arriving on the day the Beach House guest leaves, with a same-day turnover after it.
    there = make_booking(town, here.check_out, nights=2)
    there_next = make_booking(town, there.check_out, nights=2)
    turnovers_sync(booking_ids=[there.pk, there_next.pk])
    assert Task.objects.get(booking=there).same_day

    result = turnovers_sync(booking_ids=[here.pk, elsewhere.pk], changes={here.pk: {}, elsewhere.pk: {}})

    assert (result.created, result.moved) == (2, 0)
    assert Task.objects.get(booking=there).same_day


def test_the_stay_before_an_old_check_in_keeps_its_flag_when_someone_else_arrives_then(beach):
    make_template()
    first = make_booking(beach, DAY, nights=3)
    second = make_booking(beach, first.check_out, nights=2)
    turnovers_sync(booking_ids=[first.pk, second.pk])
    old_check_in = second.check_in
    second.check_in = old_check_in + datetime.timedelta(days=3)
    second.check_out = second.check_in + datetime.timedelta(days=2)
    second.save()
    # Another guest takes the day the second one gave up (their own sync has not run yet).
    make_booking(beach, old_check_in, nights=1)

    turnovers_sync(
        booking_ids=[second.pk], changes={second.pk: {"check_in": [str(old_check_in), str(second.check_in)]}}
    )

    assert Task.objects.get(booking=first).same_day


def test_chunks_stay_within_the_databases_limit_on_parameters(settings, monkeypatch):
    """A chunk's reads list its bookings and the stays before them: an SQLite older than 3.32 takes 999
    parameters a statement, whatever TURNOVER_SYNC_CHUNK_SIZE says."""
    from django.db import connection

    from wbs.services.turnovers import _chunk_size

    settings.TURNOVER_SYNC_CHUNK_SIZE = 2000
    monkeypatch.setattr(connection.features, "max_query_params", 999)
    assert _chunk_size() == 333
    monkeypatch.setattr(connection.features, "max_query_params", None)
    assert _chunk_size() == 2000
