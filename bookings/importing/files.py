"""Reading uploaded .xlsx and .csv files safely: size, type and zip-bomb checks, then rows of cell values."""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator

# openpyxl parses workbook XML with defusedxml when it is importable (entity expansion, external entities).
import defusedxml  # noqa: F401
from django.conf import settings

from core.errors import InvalidInput

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and other Office 97 files)
SUPPORTED = ("xlsx", "csv")
SNIFF_BYTES = 64 * 1024


class FileRejected(InvalidInput):
    """The whole file is refused; `.message` tells the manager what to fix. Nothing was written."""

    title = "This file cannot be imported"


def file_kind(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == "xls":
        raise FileRejected(
            f"{file_name} is an old Excel 97–2003 workbook (.xls). Open it in Excel and save it as .xlsx or .csv, "
            "then upload that file."
        )
    if extension not in SUPPORTED:
        raise FileRejected(f"{file_name} is not a spreadsheet StayOps reads: upload an .xlsx or a .csv file.")
    return extension


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise FileRejected(
            f"The file is {_megabytes(size)}; the limit is {_megabytes(limit)}. Split it into smaller files "
            "(for example one per month) and import them one by one."
        )
    if size == 0:
        raise FileRejected("The file is empty.")


def check_content(handle, kind: str, file_name: str) -> None:
    """Refuse a file whose bytes are not what its name says, and workbooks that would inflate absurdly."""
    handle.seek(0)
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if kind == "xlsx":
        if head.startswith(OLE_MAGIC):
            raise FileRejected(
                f"{file_name} is named .xlsx but is an old Excel 97–2003 (.xls) or encrypted workbook. "
                "Open it in Excel and save it as .xlsx (without a password) or .csv."
            )
        if not head.startswith(ZIP_MAGIC):
            raise FileRejected(f"{file_name} is named .xlsx but is not an Excel workbook. Save it from Excel as .xlsx.")
        check_zip(handle, file_name)
    else:
        if head.startswith((ZIP_MAGIC, OLE_MAGIC)) or b"\x00" in head:
            raise FileRejected(
                f"{file_name} is named .csv but holds binary data (perhaps a workbook renamed to .csv). "
                "Upload the .xlsx itself, or save it from Excel as “CSV UTF-8”."
            )


def check_zip(handle, file_name: str) -> None:
    """An .xlsx is a zip: judge it by the sizes its directory declares, before inflating anything."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(f"{file_name} is damaged: it is not a readable .xlsx file ({exc}).") from exc
    finally:
        handle.seek(0)
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise FileRejected(f"{file_name} is a zip archive but not an Excel workbook. Save it from Excel as .xlsx.")
    uncompressed = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    ratio_limit = settings.IMPORT_MAX_COMPRESSION_RATIO
    largest_ratio = max((m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1_000_000), default=0)
    if uncompressed > limit or uncompressed / compressed > ratio_limit or largest_ratio > ratio_limit:
        raise FileRejected(
            f"{file_name} would unpack to {_megabytes(uncompressed)} (a compression ratio of "
            f"{uncompressed / compressed:.0f}:1); StayOps accepts at most {_megabytes(limit)} and {ratio_limit}:1. "
            "This is not a normal bookings export: export it again from the platform."
        )


def iter_xlsx_rows(handle) -> Iterator[tuple]:
    """Cell values of the first sheet, row by row. Read-only streams the sheet; formulas come back as their text."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:
        raise FileRejected(f"The workbook cannot be read: {exc}. Open it in Excel and save it again as .xlsx.") from exc
    try:
        sheet = workbook.worksheets[0]
        # Exports often declare a stale dimension; resetting makes read-only mode read what is really there.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def decode_csv(data: bytes, file_name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected(
            f"{file_name} is saved as UTF-16 text. In Excel choose File › Save As › “CSV UTF-8 (comma delimited)” "
            "and upload that file."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Guessing cp1252 or latin-1 can silently garble names (every byte is valid in latin-1), so refuse instead.
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(
            f"{file_name} is not UTF-8 text (line {line} holds a byte UTF-8 does not allow). In Excel choose "
            "File › Save As › “CSV UTF-8 (comma delimited)”, or upload the .xlsx instead."
        ) from exc


def iter_csv_rows(handle, file_name: str) -> Iterator[tuple]:
    text = decode_csv(handle.read(), file_name)
    sample = text[:SNIFF_BYTES]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield tuple(row)
    except csv.Error as exc:
        raise FileRejected(f"{file_name} is not a well-formed CSV file (line {reader.line_num}: {exc}).") from exc


def iter_rows(handle, kind: str, file_name: str) -> Iterator[tuple]:
    handle.seek(0)
    if kind == "xlsx":
        return iter_xlsx_rows(handle)
    return iter_csv_rows(handle, file_name)


def estimate_rows(handle, kind: str) -> int:
    """A cheap row count for choosing a background job: the sheet's declared size, or the CSV's line count."""
    handle.seek(0)
    try:
        if kind == "csv":
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)
        from openpyxl import load_workbook

        workbook = load_workbook(handle, read_only=True)
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        if rows:
            return max(rows - 1, 0)
        # No declared dimension: judge by the sheet's size (about 400 bytes of XML per booking row).
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            sheets = [m for m in archive.infolist() if m.filename.startswith("xl/worksheets/")]
            return sum(m.file_size for m in sheets) // 400
    finally:
        handle.seek(0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
