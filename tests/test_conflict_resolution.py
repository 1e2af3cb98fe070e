"""Conflicts: each kind found before anything is written, and each resolution carried out and audited."""

import datetime

import pytest

from bookings import hooks
from bookings.models import Booking, BookingConflict, BookingStatus, ConflictState
from bookings.services.conflicts import conflict_allowed_resolutions, conflict_resolve
from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from tests.import_files import airbnb_row, airbnb_xlsx, preview_and_apply

pytestmark = pytest.mark.django_db
D = datetime.date


OLD_STAY = (D(2026, 3, 14), D(2026, 3, 17))


def existing(loft, code="HMOLD", check_in=OLD_STAY[0], check_out=OLD_STAY[1], **extra) -> Booking:
    fields = {"guest_name": "Old Guest", "source": "airbnb", "status": "confirmed", "source_status": "Confirmed"}
    return Booking.objects.create(
        property=loft, external_code=code, check_in=check_in, check_out=check_out, **{**fields, **extra}
    )


@pytest.fixture
def started_work():
    started: set[int] = set()
    provider = lambda ids: started & set(ids)  # noqa: E731
    hooks.register_started_work_provider(provider)
    yield started
    hooks._started_work_providers.remove(provider)


def test_an_overlap_is_recorded_and_the_row_not_written(manager, loft):
    other = existing(loft)
    batch = preview_and_apply(
        airbnb_xlsx([airbnb_row("HMNEW", check_in=D(2026, 3, 16), check_out=D(2026, 3, 19))]), "r.xlsx", manager
    )
    assert batch.counts["conflicts"] == 1 and not Booking.objects.filter(external_code="HMNEW").exists()
    conflict = BookingConflict.objects.get()
    assert (conflict.kind, conflict.booking, conflict.other_booking, conflict.batch) == ("overlap", None, other, batch)
    assert conflict.incoming["external_code"] == "HMNEW" and conflict.incoming["check_in"] == "2026-03-16"
    assert conflict.incoming["row_number"] == 2 and conflict.incoming["amount"] == "1020.00"


def test_a_same_day_turnover_is_not_an_overlap(manager, loft):
    existing(loft)
    batch = preview_and_apply(
        airbnb_xlsx([airbnb_row("HMNEW", check_in=D(2026, 3, 17), check_out=D(2026, 3, 19))]), "r.xlsx", manager
    )
    assert batch.counts["created"] == 1 and not BookingConflict.objects.exists()


def test_a_cancelled_booking_does_not_block_its_nights(manager, loft):
    existing(loft, status="cancelled")
    batch = preview_and_apply(airbnb_xlsx([airbnb_row("HMNEW")]), "r.xlsx", manager)
    assert batch.counts["created"] == 1


def test_two_overlapping_rows_in_one_file_create_the_first(manager, loft):
    rows = [airbnb_row("HMA"), airbnb_row("HMB", check_in=D(2026, 3, 15), check_out=D(2026, 3, 16))]
    preview_and_apply(airbnb_xlsx(rows), "r.xlsx", manager)
    conflict = BookingConflict.objects.get()
    assert conflict.other_booking == Booking.objects.get(external_code="HMA")
    assert conflict.incoming["external_code"] == "HMB"


def test_reimporting_does_not_raise_the_same_conflict_twice(manager, loft):
    existing(loft)
    content = airbnb_xlsx([airbnb_row("HMNEW", check_in=D(2026, 3, 16), check_out=D(2026, 3, 19))])
    preview_and_apply(content, "r.xlsx", manager)
    batch = preview_and_apply(content, "r.xlsx", manager)
    assert batch.counts["conflicts"] == 1 and BookingConflict.objects.count() == 1


def test_a_change_to_a_booking_edited_by_hand_is_a_conflict(manager, loft):
    booking = existing(loft, guest_name="Ana Ferreira", edited_by_hand=True, code="HMABC12345")
    preview_and_apply(airbnb_xlsx([airbnb_row(guest="Ana Maria Ferreira")]), "r.xlsx", manager)
    conflict = BookingConflict.objects.get()
    assert (conflict.kind, conflict.booking) == ("edited_by_hand", booking)
    assert conflict.incoming["changes"]["guest_name"] == ["Ana Ferreira", "Ana Maria Ferreira"]
    booking.refresh_from_db()
    assert booking.guest_name == "Ana Ferreira"


def test_the_same_code_twice_with_different_data_is_a_conflict(manager, loft):
    rows = [airbnb_row(), airbnb_row(guest="Someone Else")]
    batch = preview_and_apply(airbnb_xlsx(rows), "r.xlsx", manager)
    assert batch.counts == {"created": 1, "updated": 0, "unchanged": 0, "cancelled": 0, "conflicts": 1, "errors": 0}
    conflict = BookingConflict.objects.get()
    assert conflict.kind == "duplicate_in_file" and conflict.booking == Booking.objects.get()
    assert conflict.incoming["guest_name"] == "Someone Else" and conflict.incoming["row_number"] == 3


def test_the_same_row_twice_is_not_a_conflict(manager, loft):
    batch = preview_and_apply(airbnb_xlsx([airbnb_row(), airbnb_row()]), "r.xlsx", manager)
    assert batch.counts["created"] == 1 and batch.counts["unchanged"] == 1 and not BookingConflict.objects.exists()


@pytest.mark.parametrize(
    "row", [airbnb_row("HMOLD", status="Canceled by guest"), airbnb_row("HMOLD", check_out=D(2026, 3, 18))]
)
def test_cancelling_or_moving_a_booking_whose_work_started_is_a_conflict(manager, loft, started_work, row):
    booking = existing(loft, guest_name="Ana Ferreira", guest_contact="+351 912 345 678")
    Booking.objects.filter(pk=booking.pk).update(amount="1020.00", currency="USD", booked_on=D(2026, 1, 5))
    started_work.add(booking.pk)
    preview_and_apply(airbnb_xlsx([row]), "r.xlsx", manager)
    conflict = BookingConflict.objects.get()
    assert (conflict.kind, conflict.booking) == ("started_tasks", booking)
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.check_out == D(2026, 3, 17)


def test_a_cancellation_with_nothing_started_applies_on_its_own(manager, loft, started_work):
    booking = existing(loft)
    batch = preview_and_apply(airbnb_xlsx([airbnb_row("HMOLD", status="Canceled by host")]), "r.xlsx", manager)
    booking.refresh_from_db()
    assert batch.counts["cancelled"] == 1 and booking.status == BookingStatus.CANCELLED
    assert not BookingConflict.objects.exists()


# --- resolutions ---


def overlap_conflict(manager, loft) -> BookingConflict:
    existing(loft)
    preview_and_apply(
        airbnb_xlsx([airbnb_row("HMNEW", check_in=D(2026, 3, 16), check_out=D(2026, 3, 19))]), "r.xlsx", manager
    )
    return BookingConflict.objects.get()


def test_overlap_keep_existing_drops_the_incoming(manager, loft):
    conflict = conflict_resolve(conflict=overlap_conflict(manager, loft), resolution="keep_existing", user=manager)
    assert conflict.state == ConflictState.RESOLVED and conflict.resolved_by == manager
    assert not Booking.objects.filter(external_code="HMNEW").exists()
    entry = AuditEntry.objects.get(action="resolve")
    assert entry.changes == {"resolution": ["", "keep_existing"]} and entry.actor == manager


def test_overlap_take_incoming_writes_it_and_cancels_the_other(manager, loft):
    conflict = conflict_resolve(conflict=overlap_conflict(manager, loft), resolution="take_incoming", user=manager)
    new = Booking.objects.get(external_code="HMNEW")
    assert conflict.booking == new and new.check_in == D(2026, 3, 16)
    assert Booking.objects.get(external_code="HMOLD").status == "cancelled"
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"create", "cancel", "resolve"}


def test_overlap_accept_keeps_both(manager, loft):
    conflict_resolve(conflict=overlap_conflict(manager, loft), resolution="accept", user=manager)
    assert Booking.objects.not_cancelled().count() == 2


@pytest.mark.parametrize(("choice", "cancelled"), [("incoming", "HMNEW"), ("other", "HMOLD")])
def test_overlap_cancel_one(manager, loft, choice, cancelled):
    conflict_resolve(conflict=overlap_conflict(manager, loft), resolution="cancel_one", user=manager, choice=choice)
    assert list(Booking.objects.filter(status="cancelled").values_list("external_code", flat=True)) == [cancelled]
    assert Booking.objects.count() == 2


def test_cancel_one_needs_a_choice_and_invalid_combinations_are_refused(manager, loft):
    conflict = overlap_conflict(manager, loft)
    with pytest.raises(InvalidInput, match="Choose which"):
        conflict_resolve(conflict=conflict, resolution="cancel_one", user=manager)
    with pytest.raises(InvalidInput):
        conflict_resolve(conflict=conflict, resolution="keep_existing", user=manager, choice="other")
    with pytest.raises(InvalidInput):
        conflict_resolve(conflict=conflict, resolution="shrug", user=manager)
    conflict.refresh_from_db()
    assert conflict.state == "open" and Booking.objects.count() == 1 and not AuditEntry.objects.exists()


def test_edited_by_hand_take_incoming_overwrites_and_clears_the_mark(manager, loft):
    booking = existing(loft, guest_name="Ana Ferreira", edited_by_hand=True, code="HMABC12345")
    preview_and_apply(airbnb_xlsx([airbnb_row(guest="Ana Maria Ferreira")]), "r.xlsx", manager)
    conflict = BookingConflict.objects.get()
    assert conflict_allowed_resolutions(conflict) == ["keep_existing", "take_incoming"]
    with pytest.raises(InvalidInput):
        conflict_resolve(conflict=conflict, resolution="accept", user=manager)
    conflict_resolve(conflict=conflict, resolution="take_incoming", user=manager)
    booking.refresh_from_db()
    assert booking.guest_name == "Ana Maria Ferreira" and not booking.edited_by_hand
    update = AuditEntry.objects.get(action="update")
    assert update.changes["guest_name"] == ["Ana Ferreira", "Ana Maria Ferreira"]


def test_edited_by_hand_keep_existing_is_remembered_by_the_next_import(manager, loft):
    existing(loft, guest_name="Ana Ferreira", edited_by_hand=True, code="HMABC12345")
    content = airbnb_xlsx([airbnb_row(guest="Ana Maria Ferreira")])
    preview_and_apply(content, "r.xlsx", manager)
    conflict_resolve(conflict=BookingConflict.objects.get(), resolution="keep_existing", user=manager)
    batch = preview_and_apply(content, "r.xlsx", manager)
    assert batch.counts["unchanged"] == 1 and BookingConflict.objects.count() == 1


def test_duplicate_in_file_take_incoming_writes_the_later_row(manager, loft):
    preview_and_apply(airbnb_xlsx([airbnb_row(), airbnb_row(guest="Someone Else")]), "r.xlsx", manager)
    conflict_resolve(conflict=BookingConflict.objects.get(), resolution="take_incoming", user=manager)
    assert Booking.objects.get().guest_name == "Someone Else"


def test_started_tasks_take_incoming_cancels_and_announces(manager, loft, started_work):
    from bookings.signals import bookings_changed

    booking = existing(loft, guest_name="Ana Ferreira", guest_contact="+351 912 345 678")
    Booking.objects.filter(pk=booking.pk).update(amount="1020.00", currency="USD", booked_on=D(2026, 1, 5))
    started_work.add(booking.pk)
    preview_and_apply(airbnb_xlsx([airbnb_row("HMOLD", status="Canceled by guest")]), "r.xlsx", manager)
    heard = []
    receiver = lambda sender, booking_ids, **kwargs: heard.append(booking_ids)  # noqa: E731
    bookings_changed.connect(receiver)
    try:
        conflict_resolve(conflict=BookingConflict.objects.get(), resolution="take_incoming", user=manager)
    finally:
        bookings_changed.disconnect(receiver)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and heard == [[booking.pk]]
    assert AuditEntry.objects.filter(action="cancel").count() == 1


def test_a_resolved_conflict_cannot_be_resolved_again(manager, loft):
    conflict = overlap_conflict(manager, loft)
    conflict_resolve(conflict=conflict, resolution="accept", user=manager)
    assert conflict_allowed_resolutions(BookingConflict.objects.get()) == []
    with pytest.raises(Conflict):
        conflict_resolve(conflict=conflict, resolution="keep_existing", user=manager)


def test_an_overlap_between_saved_bookings_offers_cancel_one_and_accept(manager, loft):
    first, second = existing(loft), existing(loft, code="HMTWO", check_in=D(2026, 3, 15), check_out=D(2026, 3, 16))
    conflict = BookingConflict.objects.create(kind="overlap", booking=second, other_booking=first)
    assert conflict_allowed_resolutions(conflict) == ["cancel_one", "accept"]
    conflict_resolve(conflict=conflict, resolution="cancel_one", user=manager, choice="incoming")
    second.refresh_from_db()
    assert second.status == "cancelled"


def test_an_incoming_booking_cancelled_by_a_resolution_asks_again_while_the_file_still_has_it_live(manager, loft):
    conflict = overlap_conflict(manager, loft)
    conflict_resolve(conflict=conflict, resolution="cancel_one", user=manager, choice="incoming")
    content = airbnb_xlsx([airbnb_row("HMNEW", check_in=D(2026, 3, 16), check_out=D(2026, 3, 19))])
    batch = preview_and_apply(content, "again.xlsx", manager)
    assert batch.counts["conflicts"] == 1
    assert Booking.objects.get(external_code="HMNEW").status == BookingStatus.CANCELLED
