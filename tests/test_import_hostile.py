"""Import engine: hostile and broken files are refused with a clear message, and nothing is written."""

import io

import defusedxml
import pytest
from openpyxl import Workbook

from bookings.importing import FileRejected, import_batch_create, import_batch_preview
from bookings.models import Booking, ImportBatch, ImportRow, ImportState
from core.models import AuditEntry
from tests.import_files import AIRBNB_HEADERS, airbnb_row, airbnb_xlsx, csv_bytes, upload, zip_bomb_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loft")]


def written() -> tuple[int, int, int]:
    return Booking.all_objects.count(), ImportRow.objects.count(), AuditEntry.objects.count()


def refused_at_upload(name: str, content: bytes, user, match: str) -> None:
    before = written(), ImportBatch.objects.count()
    with pytest.raises(FileRejected, match=match):
        import_batch_create(file=upload(name, content), file_name=name, user=user)
    assert (written(), ImportBatch.objects.count()) == before


def rejected_at_preview(name: str, content: bytes, user, match: str) -> ImportBatch:
    batch = import_batch_create(file=upload(name, content), file_name=name, user=user)
    before = written()
    with pytest.raises(FileRejected, match=match):
        import_batch_preview(batch=batch)
    batch.refresh_from_db()
    assert batch.state == ImportState.REJECTED and batch.message
    assert written() == before
    return batch


def test_defusedxml_is_installed_so_openpyxl_parses_safely():
    from openpyxl.xml import DEFUSEDXML

    assert defusedxml and DEFUSEDXML is True


def test_an_upload_over_the_size_limit_is_refused(manager, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2048
    refused_at_upload("big.csv", b"x" * 4096, manager, "the limit is")


def test_an_xls_is_told_to_save_as_xlsx_or_csv(manager):
    refused_at_upload(
        "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, manager, r"save it as \.xlsx or \.csv"
    )


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bookings.xlsx", b"Confirmation code,Status\nHM1,Confirmed\n" * 40, "not an Excel workbook"),
        ("bookings.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "97–2003"),
        ("bookings.csv", b"PK\x03\x04" + b"\0" * 600, "binary data"),
        ("bookings.pdf", b"%PDF-1.7" + b"\0" * 600, "upload an .xlsx or a .csv"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(manager, name, content, match):
    refused_at_upload(name, content, manager, match)


def test_a_zip_bomb_is_refused_by_its_declared_size(manager, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    refused_at_upload("bomb.xlsx", zip_bomb_xlsx(20 * 1024 * 1024), manager, "would unpack to")


def test_a_zip_bomb_is_refused_by_its_compression_ratio(manager):
    refused_at_upload("bomb.xlsx", zip_bomb_xlsx(8 * 1024 * 1024), manager, "compression ratio")


def test_more_rows_than_the_limit_rejects_the_whole_file(manager, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [airbnb_row(f"HM{i}", guest=f"Guest {i}") for i in range(4)]
    rejected_at_preview("r.xlsx", airbnb_xlsx(rows), manager, "more than 3 bookings")


def test_an_overlong_cell_rejects_the_whole_file(manager, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    rejected_at_preview("r.xlsx", airbnb_xlsx([airbnb_row(guest="A" * 101)]), manager, "Row 2, Guest name")


def test_formulas_are_imported_as_their_text_and_never_run(manager):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(AIRBNB_HEADERS)
    row = airbnb_row(guest='=HYPERLINK("http://evil.example","click")')
    sheet.append(row)
    sheet["B2"] = '=IF(1,"Confirmed","Canceled")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = import_batch_create(file=upload("f.xlsx", buffer.getvalue()), file_name="f.xlsx", user=manager)
    batch = import_batch_preview(batch=batch)
    imported = batch.rows.get()
    # The status formula is not evaluated to "Confirmed": its text is an unknown status.
    assert imported.action == "error" and imported.errors[0]["value"].startswith("=IF(")
    assert imported.raw["Guest name"].startswith("=HYPERLINK(")
    assert Booking.objects.count() == 0


def test_a_non_utf8_csv_gets_a_clear_message(manager):
    content = csv_bytes(AIRBNB_HEADERS, [airbnb_row(guest="José Gonçalves")], encoding="cp1252")
    rejected_at_preview("r.csv", content, manager, "not UTF-8 text .*CSV UTF-8")


def test_a_file_without_a_known_header_row_is_rejected(manager):
    rejected_at_preview("r.csv", b"name,when\nAna,tomorrow\n" * 20, manager, "No header row")


def test_a_header_without_bookings_is_rejected(manager):
    rejected_at_preview("r.xlsx", airbnb_xlsx([]), manager, "no bookings under it")


def test_a_damaged_workbook_is_rejected(manager):
    content = airbnb_xlsx([airbnb_row()])
    refused_at_upload("r.xlsx", content[:-200] + b"\0" * 200, manager, "is damaged")
