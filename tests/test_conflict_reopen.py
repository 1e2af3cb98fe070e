"""Undoing a resolution (conflict_reopen): bookings, the conflict and turnover tasks back as they were, audited;
refused when a booking changed since."""

import datetime

import pytest

from bookings.models import Booking, BookingConflict, BookingStatus, ConflictState
from bookings.services.bookings import booking_update
from bookings.services.conflicts import conflict_reopen, conflict_resolve
from core.errors import Conflict
from core.models import AuditAction, AuditEntry
from tests.factories import make_template
from tests.import_files import airbnb_row, airbnb_xlsx, preview_and_apply
from wbs.models import Task, TaskStatus
from wbs.services.turnovers import turnovers_sync

pytestmark = pytest.mark.django_db
D = datetime.date
STATE_FIELDS = ("status", "check_in", "check_out", "guest_name", "edited_by_hand", "amount", "deleted_at")


def existing(loft, code="HMOLD", **extra) -> Booking:
    values = {
        "guest_name": "Olga Dias",
        "source": "airbnb",
        "status": "confirmed",
        "check_in": D(2026, 3, 14),
        "check_out": D(2026, 3, 17),
    }
    return Booking.objects.create(property=loft, external_code=code, **{**values, **extra})


def overlap_conflict(manager, loft) -> BookingConflict:
    existing(loft)
    rows = [airbnb_row("HMNEW", guest="Ana Ferreira", check_in=D(2026, 3, 16), check_out=D(2026, 3, 19))]
    preview_and_apply(airbnb_xlsx(rows), "r.xlsx", manager)
    return BookingConflict.objects.get()


def bookings_state() -> dict:
    return {row["external_code"]: row for row in Booking.all_objects.values("external_code", *STATE_FIELDS)}


def conflict_state(conflict) -> tuple:
    conflict.refresh_from_db()
    return (conflict.state, conflict.resolution, conflict.resolved_by_id, conflict.resolved_at, conflict.booking_id)


@pytest.mark.parametrize(
    ("resolution", "choice"),
    [
        ("keep_existing", None),
        ("take_incoming", None),
        ("accept", None),
        ("cancel_one", "incoming"),
        ("cancel_one", "other"),
    ],
)
def test_each_overlap_resolution_is_undone_exactly(manager, loft, resolution, choice):
    conflict = overlap_conflict(manager, loft)
    before_bookings, before_conflict = bookings_state(), conflict_state(conflict)
    conflict_resolve(conflict=conflict, resolution=resolution, user=manager, choice=choice)
    conflict_reopen(conflict=conflict, user=manager)
    after = bookings_state()
    # A booking the resolution created is deleted (softly); every other booking is as it was.
    created = set(after) - set(before_bookings)
    assert all(after[code]["deleted_at"] is not None for code in created)
    assert {code: row for code, row in after.items() if code not in created} == before_bookings
    assert conflict_state(conflict) == before_conflict
    assert conflict.resolution_changes == {}


def test_a_reopened_conflict_can_be_resolved_again(manager, loft):
    conflict = overlap_conflict(manager, loft)
    conflict_resolve(conflict=conflict, resolution="take_incoming", user=manager)
    conflict_reopen(conflict=conflict, user=manager)
    conflict_resolve(conflict=conflict, resolution="cancel_one", user=manager, choice="incoming")
    live = {booking.external_code: booking.status for booking in Booking.objects.all()}
    assert live == {"HMOLD": BookingStatus.CONFIRMED, "HMNEW": BookingStatus.CANCELLED}


def test_undo_writes_audit_entries_for_the_bookings_and_the_conflict(manager, loft):
    conflict = overlap_conflict(manager, loft)
    conflict_resolve(conflict=conflict, resolution="take_incoming", user=manager)
    new, old = Booking.objects.get(external_code="HMNEW"), Booking.objects.get(external_code="HMOLD")
    AuditEntry.objects.all().delete()
    conflict_reopen(conflict=conflict, user=manager)
    entries = {(entry.object_repr, entry.action): entry for entry in AuditEntry.objects.all()}
    assert all(entry.actor == manager for entry in entries.values())
    assert entries[(str(old), AuditAction.UPDATE)].changes == {"status": ["cancelled", "confirmed"]}
    assert entries[(str(old), AuditAction.UPDATE)].message == f"Undo of the resolution of conflict #{conflict.pk}"
    assert (str(new), AuditAction.DELETE) in entries
    reopened = AuditEntry.objects.for_object(conflict).get()
    assert reopened.changes == {"state": ["resolved", "open"], "resolution": ["take_incoming", ""]}
    assert reopened.message == "Reopened, undoing: Take incoming"


def test_undo_of_an_edited_by_hand_resolution_restores_the_edit_and_its_mark(manager, loft):
    booking = existing(loft, code="HMABC12345", guest_name="Ana Ferreira", edited_by_hand=True)
    preview_and_apply(airbnb_xlsx([airbnb_row(guest="Ana Maria Ferreira")]), "r.xlsx", manager)
    conflict = BookingConflict.objects.get()
    before = bookings_state()
    conflict_resolve(conflict=conflict, resolution="take_incoming", user=manager)
    booking.refresh_from_db()
    assert booking.guest_name == "Ana Maria Ferreira" and not booking.edited_by_hand
    conflict_reopen(conflict=conflict, user=manager)
    assert bookings_state() == before
    assert conflict_state(conflict)[0] == ConflictState.OPEN


def test_undo_is_refused_when_a_booking_changed_since(manager, loft):
    conflict = overlap_conflict(manager, loft)
    conflict_resolve(conflict=conflict, resolution="take_incoming", user=manager)
    new = Booking.objects.get(external_code="HMNEW")
    booking_update(booking=new, user=manager, guest_name="Ana F. Ferreira")
    entries = AuditEntry.objects.count()
    with pytest.raises(Conflict, match=r"Ana F\. Ferreira's booking \(HMNEW\) changed after .*guest name"):
        conflict_reopen(conflict=conflict, user=manager)
    assert conflict_state(conflict)[0] == ConflictState.RESOLVED
    assert Booking.objects.get(external_code="HMOLD").status == BookingStatus.CANCELLED
    assert AuditEntry.objects.count() == entries


def test_undo_is_refused_for_an_open_conflict_and_for_one_resolved_before_undo_existed(manager, loft):
    conflict = overlap_conflict(manager, loft)
    with pytest.raises(Conflict, match="already open"):
        conflict_reopen(conflict=conflict, user=manager)
    BookingConflict.objects.filter(pk=conflict.pk).update(state=ConflictState.RESOLVED, resolution="accept")
    with pytest.raises(Conflict, match="cannot be undone"):
        conflict_reopen(conflict=conflict, user=manager)


def test_turnover_tasks_follow_the_undo(manager, loft):
    make_template()
    conflict = overlap_conflict(manager, loft)
    old = Booking.objects.get(external_code="HMOLD")
    turnovers_sync(booking_ids=[old.pk])  # saved directly above, so nothing announced it
    (old_task,) = Task.objects.filter(booking=old)
    conflict_resolve(conflict=conflict, resolution="take_incoming", user=manager)
    new = Booking.objects.get(external_code="HMNEW")
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.CANCELLED
    assert Task.objects.get(booking=new).status == TaskStatus.TODO

    conflict_reopen(conflict=conflict, user=manager)
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.TODO and old_task.cancel_reason == ""
    # The booking the resolution created is gone, and so is its work.
    assert Task.objects.get(booking=new).status == TaskStatus.CANCELLED


def test_undo_is_refused_when_turnover_work_started_on_a_stay_it_would_take_away(manager, loft):
    make_template()
    conflict = overlap_conflict(manager, loft)
    conflict_resolve(conflict=conflict, resolution="take_incoming", user=manager)
    new = Booking.objects.get(external_code="HMNEW")
    Task.objects.filter(booking=new).update(status=TaskStatus.IN_PROGRESS)
    with pytest.raises(Conflict, match="Turnover work for Ana Ferreira's booking has started since"):
        conflict_reopen(conflict=conflict, user=manager)
    new.refresh_from_db()
    assert not new.is_deleted and conflict_state(conflict)[0] == ConflictState.RESOLVED
