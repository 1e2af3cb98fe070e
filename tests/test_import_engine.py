"""Import engine: create, update, cancel, unchanged rows; idempotent re-import; stale previews; audit; queries."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from bookings.importing import (
    import_batch_apply,
    import_batch_create,
    import_batch_estimate_rows,
    import_error_report,
)
from bookings.models import Booking, BookingStatus, ImportRow, ImportState
from bookings.signals import bookings_changed
from core.errors import Conflict
from core.models import AuditEntry
from tests.import_files import (
    airbnb_row,
    airbnb_xlsx,
    preview,
    preview_and_apply,
    upload,
)

pytestmark = pytest.mark.django_db


def stay(index: int) -> dict:
    start = datetime.date(2026, 1, 1) + datetime.timedelta(days=3 * index)
    return {"check_in": start, "check_out": start + datetime.timedelta(days=2)}


def rows(count: int, **overrides):
    return [airbnb_row(f"HM{index:06d}", **{**stay(index), **overrides}) for index in range(count)]


@pytest.fixture
def announcements():
    received = []

    def receiver(sender, booking_ids, source, changes, **kwargs):
        received.append((booking_ids, source, changes))

    bookings_changed.connect(receiver)
    yield received
    bookings_changed.disconnect(receiver)


def test_it_creates_then_reimporting_unchanged_writes_nothing(manager, loft, announcements):
    content = airbnb_xlsx(rows(5))
    first = preview_and_apply(content, "r.xlsx", manager)
    assert first.state == ImportState.APPLIED and first.counts["created"] == 5
    assert Booking.objects.count() == 5
    entries = AuditEntry.objects.filter(batch_id=first.pk, action="create")
    assert entries.count() == 5 and set(entries.values_list("source", flat=True)) == {"import"}
    assert set(entries.values_list("actor", flat=True)) == {manager.pk}
    # Written from plain rows, each entry names its booking as the booking itself does.
    assert {(entry.object_id, entry.object_repr) for entry in entries} == {
        (str(booking.pk), str(booking)) for booking in Booking.objects.all()
    }
    assert len(announcements) == 1 and len(announcements[0][0]) == 5

    audit_before = AuditEntry.objects.count()
    stamps = list(Booking.objects.order_by("pk").values_list("updated_at", flat=True))
    second = preview_and_apply(content, "r.xlsx", manager)
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 5, "cancelled": 0, "conflicts": 0, "errors": 0}
    assert AuditEntry.objects.count() == audit_before
    assert list(Booking.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert len(announcements) == 1


def test_it_updates_with_a_field_diff_and_cancels(manager, loft, announcements):
    preview_and_apply(airbnb_xlsx(rows(2)), "r.xlsx", manager)
    changed = rows(2)
    changed[0][2] = "Ana F. Ferreira"
    changed[1][1] = "Canceled by guest"
    batch = preview(airbnb_xlsx(changed), "r.xlsx", manager)
    assert batch.counts["updated"] == 1 and batch.counts["cancelled"] == 1
    update = batch.rows.get(action="update")
    assert update.diff == {"guest_name": ["Ana Ferreira", "Ana F. Ferreira"]}
    assert Booking.objects.get(external_code="HM000000").guest_name == "Ana Ferreira"  # preview writes nothing

    import_batch_apply(batch=batch, user=manager)
    assert Booking.objects.get(external_code="HM000000").guest_name == "Ana F. Ferreira"
    assert Booking.objects.get(external_code="HM000001").status == BookingStatus.CANCELLED
    actions = sorted(AuditEntry.objects.filter(batch_id=batch.pk).values_list("action", flat=True))
    assert actions == ["cancel", "update"]
    assert AuditEntry.objects.get(batch_id=batch.pk, action="update").changes == {
        "guest_name": ["Ana Ferreira", "Ana F. Ferreira"]
    }
    assert announcements[-1][2][Booking.objects.get(external_code="HM000001").pk]["status"] == [
        "confirmed",
        "cancelled",
    ]


def test_a_field_the_format_lacks_is_left_alone(manager, loft):
    preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    Booking.objects.update(notes="Allergic to cats")
    batch = preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    assert batch.counts["unchanged"] == 1 and Booking.objects.get().notes == "Allergic to cats"


def test_a_stale_preview_is_refused_and_writes_nothing(manager, loft):
    preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    changed = rows(1, guest="Someone Else")
    batch = preview(airbnb_xlsx(changed), "r.xlsx", manager)
    Booking.objects.update(guest_contact="changed meanwhile")  # a manager's edit after the preview
    audit_before = AuditEntry.objects.count()
    with pytest.raises(Conflict, match="preview again"):
        import_batch_apply(batch=batch, user=manager)
    batch.refresh_from_db()
    assert batch.state == ImportState.STALE
    assert Booking.objects.get().guest_name == "Ana Ferreira"
    assert AuditEntry.objects.count() == audit_before


def test_a_new_booking_elsewhere_with_the_same_code_makes_the_preview_stale(manager, loft):
    batch = preview(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    preview_and_apply(airbnb_xlsx(rows(1)), "other-upload.xlsx", manager)
    with pytest.raises(Conflict):
        import_batch_apply(batch=batch, user=manager)
    assert Booking.objects.count() == 1


def test_a_stay_booked_meanwhile_makes_a_creating_preview_stale_but_not_an_unchanged_one(manager, loft):
    preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    unchanged = preview(airbnb_xlsx(rows(1)), "same.xlsx", manager)
    creating = preview(airbnb_xlsx([*rows(1), airbnb_row("HMNEW", **stay(4))]), "more.xlsx", manager)
    # Only a plan that creates or moves a stay reads the stays around it (and fingerprints them).
    assert unchanged.scope["stays"] is False and creating.scope["stays"] is True
    # A manager books the new stay's nights by hand after both previews.
    Booking.objects.create(
        property=loft, guest_name="Walk-in", external_code="DIRECT-1", source="direct", status="confirmed", **stay(4)
    )
    assert import_batch_apply(batch=unchanged, user=manager).state == ImportState.APPLIED
    with pytest.raises(Conflict, match="preview again"):
        import_batch_apply(batch=creating, user=manager)
    assert not Booking.objects.filter(external_code="HMNEW").exists()


def test_applying_twice_is_refused(manager, loft):
    batch = preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    with pytest.raises(Conflict, match="applied"):
        import_batch_apply(batch=batch, user=manager)
    assert Booking.objects.count() == 1


def test_rows_with_errors_are_never_written_and_the_rest_are(manager, loft):
    content = airbnb_xlsx([*rows(2), airbnb_row("HMBAD", status="Mystery", **stay(5))])
    batch = preview_and_apply(content, "r.xlsx", manager)
    assert batch.counts["created"] == 2 and batch.counts["errors"] == 1
    assert not Booking.objects.filter(external_code="HMBAD").exists()
    assert ImportRow.objects.get(batch=batch, action="error").external_code == "HMBAD"


def test_the_error_report_holds_the_rejected_rows_with_an_errors_column(manager, loft):
    content = airbnb_xlsx([*rows(1), airbnb_row("HMBAD", listing="Nowhere", **stay(3))])
    batch = preview(content, "r.xlsx", manager)
    sheet = load_workbook(io.BytesIO(import_error_report(batch)), read_only=True).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "Confirmation code" and table[0][-1] == "Errors"
    assert len(table) == 2 and table[1][0] == "HMBAD"
    assert 'Row 3: Listing "Nowhere" matches no property' in table[1][-1]


def test_a_deleted_bookings_code_is_a_row_error_not_a_silent_new_booking(manager, loft):
    preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    Booking.objects.update(deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    batch = preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    assert batch.counts["errors"] == 1 and "restore it from the trash" in batch.rows.get().errors[0]["reason"]
    assert Booking.all_objects.count() == 1


def test_a_row_refused_after_parsing_comes_back_whole_in_the_error_report(manager, loft):
    preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    booking = Booking.objects.get()
    Booking.objects.update(deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    batch = preview_and_apply(airbnb_xlsx(rows(1)), "r.xlsx", manager)
    report = import_error_report(batch)
    table = list(load_workbook(io.BytesIO(report), read_only=True).worksheets[0].iter_rows(values_only=True))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["Confirmation code"] == booking.external_code
    assert row["Start date"] == booking.check_in.isoformat() and row["End date"] == booking.check_out.isoformat()
    assert row["Listing"].casefold() == loft.code.casefold()
    # Restored, the report imports again as it stands: the booking is unchanged.
    Booking.all_objects.update(deleted_at=None)
    again = preview_and_apply(report, "r-errors.xlsx", manager)
    assert again.counts["errors"] == 0 and again.counts["unchanged"] == 1, list(
        again.rows.values_list("diff", flat=True)
    )


def test_the_batch_keeps_its_history(manager, loft):
    batch = preview(airbnb_xlsx(rows(3)), "May reservations.xlsx", manager)
    assert batch.file_name == "May reservations.xlsx" and len(batch.sha256) == 64
    assert batch.created_by == manager and batch.rows_total == 3
    assert not batch.file.name.endswith("May reservations.xlsx")  # stored under a random name
    assert import_batch_estimate_rows(batch) == 3


def test_progress_is_reported(manager, loft):
    batch = import_batch_create(file=upload("r.xlsx", airbnb_xlsx(rows(2500))), file_name="r.xlsx", user=manager)
    calls = []
    from bookings.importing import import_batch_preview

    import_batch_preview(batch=batch, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (1000, 2500) and calls[-1] == (2500, 2500)


def queries_for_import(content: bytes, user) -> int:
    with CaptureQueriesContext(connection) as captured:
        preview_and_apply(content, "r.xlsx", user)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_rows(manager, loft):
    small = queries_for_import(airbnb_xlsx(rows(10)), manager)
    Booking.objects.all().delete()
    large = queries_for_import(airbnb_xlsx([airbnb_row(f"HX{i:06d}", **stay(i)) for i in range(400)]), manager)
    # No query per row: the only growth is bulk statements filling up (SQLite binds at most 999 values
    # per statement, so about 50 bookings or 90 audit entries go in each INSERT there).
    assert large - small < (400 - 10) / 10
    unchanged = queries_for_import(airbnb_xlsx([airbnb_row(f"HX{i:06d}", **stay(i)) for i in range(400)]), manager)
    assert unchanged < large
