"""Import engine: hostile and broken files are refused with a clear message, and nothing is written."""

import io
import re
import tracemalloc
import zipfile

import defusedxml
import pytest
from django.urls import reverse
from openpyxl import Workbook

from bookings.importing import FileRejected, import_batch_create, import_batch_preview
from bookings.importing.batches import import_batch_start_preview
from bookings.importing.files import count_rows
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


# --- The probe's hostile files: each is judged by what it holds, refused clearly, and never left "queued" -----


def rewrite_member(content: bytes, member: str, change) -> bytes:
    """The .xlsx with one part's XML passed through `change` (the rest copied as is)."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            out.writestr(item.filename, change(data) if item.filename == member else data)
    return target.getvalue()


def lying_dimension_xlsx(rows: int) -> bytes:
    """An Airbnb export of `rows` bookings whose sheet declares it holds two (`<dimension ref="A1:M3"/>`)."""
    header = airbnb_xlsx([airbnb_row()])

    def many_rows(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"<sheetData>")
        first_rows, _, tail = rest.partition(b"</sheetData>")
        template = first_rows.split(b"</row>")[1] + b"</row>"  # the data row, as openpyxl wrote it
        body = b"".join(template.replace(b'r="2"', f'r="{n}"'.encode()) for n in range(2, rows + 2))
        head = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:M3"', head)
        return head + b"<sheetData>" + first_rows.split(b"</row>")[0] + b"</row>" + body + b"</sheetData>" + tail

    return rewrite_member(header, "xl/worksheets/sheet1.xml", many_rows)


def post_upload(client, name: str, content: bytes):
    return client.post(reverse("bookings:import"), {"file": upload(name, content), "source": "auto"})


def test_an_xlsx_that_declares_two_rows_but_holds_100000_is_previewed_in_the_background(
    manager_client, django_capture_on_commit_callbacks
):
    content = lying_dimension_xlsx(100_000)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_upload(manager_client, "lying.xlsx", content)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    # Not previewed inside the request: queued for the worker, with no rows read into the database yet.
    assert batch.state == ImportState.QUEUED and len(queued) == 1
    assert batch.rows_total > 2_000
    assert ImportRow.objects.count() == 0 and Booking.objects.count() == 0


def test_the_background_decision_counts_rows_read_not_rows_declared(manager, settings):
    settings.IMPORT_BACKGROUND_ROWS = 50
    batch = import_batch_create(file=upload("l.xlsx", lying_dimension_xlsx(60)), file_name="l.xlsx", user=manager)
    with batch.file.open("rb") as handle:
        assert count_rows(handle, "xlsx", "l.xlsx", limit=50) == 51  # "more than 50"
    with batch.file.open("rb") as handle:
        assert count_rows(handle, "xlsx", "l.xlsx", limit=100) == 60


def old_mac_csv(rows: int) -> bytes:
    lines = csv_bytes(AIRBNB_HEADERS, [airbnb_row(f"HM{n}", guest=f"Guest {n}") for n in range(rows)])
    return lines.replace(b"\r\n", b"\r")


def test_a_csv_with_old_mac_line_endings_counts_its_real_rows_and_goes_to_the_background(
    manager_client, django_capture_on_commit_callbacks
):
    content = old_mac_csv(5_000)
    assert b"\n" not in content
    with django_capture_on_commit_callbacks(execute=False) as queued:
        post_upload(manager_client, "mac.csv", content)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.QUEUED and len(queued) == 1
    assert batch.rows_total >= 5_000  # the progress bar's estimate counts CR line ends too
    assert ImportRow.objects.count() == 0


def test_a_small_csv_with_old_mac_line_endings_imports_normally(manager):
    content = old_mac_csv(3)
    batch = import_batch_create(file=upload("mac.csv", content), file_name="mac.csv", user=manager)
    batch = import_batch_start_preview(batch=batch)
    assert batch.state == ImportState.PREVIEWED
    assert batch.rows.count() == 3
    assert not batch.rows.filter(action="error").exists()


def test_a_ten_megabyte_line_of_five_million_columns_is_refused_before_it_is_split(manager_client):
    header = ",".join(AIRBNB_HEADERS).encode() + b"\r\n"
    content = header + b"1," * 5_000_000
    assert len(content) < 10 * 1024 * 1024
    before = written()
    tracemalloc.start()
    try:
        response = post_upload(manager_client, "wide.csv", content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400
    assert "more than 200 columns" in response.content.decode()
    # Not the 1 GB the probe saw: the file, its text and one line, never five million cells.
    assert peak < 200 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.REJECTED and "columns" in batch.message
    assert written() == before


def test_an_xlsx_row_with_too_many_cells_is_refused(manager, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    content = airbnb_xlsx([airbnb_row() + ["x"] * 30])
    batch = import_batch_create(file=upload("wide.xlsx", content), file_name="wide.xlsx", user=manager)
    with pytest.raises(FileRejected, match="more than 20 columns"):
        import_batch_start_preview(batch=batch)
    batch.refresh_from_db()
    assert batch.state == ImportState.REJECTED and ImportRow.objects.count() == 0


def with_entity(xml: bytes) -> bytes:
    declaration = b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY boom "boom">]>\n'
    return declaration + re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml).replace(b"Ana Ferreira", b"&boom;")


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_an_xlsx_with_an_xml_entity_declaration_is_refused_not_a_500(manager_client, part):
    content = rewrite_member(airbnb_xlsx([airbnb_row(guest="Ana Ferreira")]), part, with_entity)
    before = written()
    response = post_upload(manager_client, "entity.xlsx", content)
    assert response.status_code == 400
    assert "entity declaration" in response.content.decode()
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.REJECTED
    assert written() == before


def test_a_read_error_in_the_middle_of_a_sheet_is_a_refusal(manager):
    # A damaged cell after the first rows: the reader fails while iterating, after the header was found.
    def truncate(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'<row r="9"><c r="A9" t="n"><v>abc</v></c></row></sheetData>')

    content = rewrite_member(airbnb_xlsx([airbnb_row()]), "xl/worksheets/sheet1.xml", truncate)
    rejected_at_preview("broken.xlsx", content, manager, "cannot be read")


def test_a_utf16_sheet_is_refused_rather_than_read_unscanned(manager):
    content = rewrite_member(
        airbnb_xlsx([airbnb_row()]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    )
    batch = import_batch_create(file=upload("u.xlsx", content), file_name="u.xlsx", user=manager)
    with pytest.raises(FileRejected, match="not UTF-8 XML"):
        import_batch_start_preview(batch=batch)
