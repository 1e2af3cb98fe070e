"""Reading uploaded .xlsx and .csv files safely: size, type and zip-bomb checks, then rows of cell values."""

import codecs
import csv
import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

# openpyxl parses workbook XML with defusedxml when it is importable (entity expansion, external entities).
import defusedxml  # noqa: F401
from django.conf import settings

from core.errors import InvalidInput

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and other Office 97 files)
SUPPORTED = ("xlsx", "csv")
SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 50
XML_HEAD_BYTES = 4096
SCAN_CHUNK = 1 << 20
# The longest tag the scan looks for, with a namespace prefix: `<prefix:row ` fits easily.
TAG_LOOKAHEAD = 64
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?row[\s>/]")
CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?c[\s>/]")
SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]{0,30}:)?sheetData[\s>]")
# What calamine reads differently from openpyxl: a formula (calamine gives its cached result, openpyxl its text,
# which the import shows as written and never runs) and an error cell (calamine gives a blank, openpyxl "#N/A").
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?f[\s>/]")
ERROR_CELL = re.compile(rb"""\st=["']e["']""")
# calamine holds the whole sheet in memory (tens of bytes a cell); past this many cells the import streams the
# sheet with openpyxl instead, slower but flat in memory. A 100,000-row export of 20 columns is 2,000,000 cells.
FAST_READ_MAX_CELLS = 2_000_000


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


@dataclass
class SheetScan:
    """What the byte scan of the worksheets found: the largest sheet's rows, all cells, and whether any cell holds
    a formula or an error value."""

    rows: int = 0
    cells: int = 0
    formulas: bool = False

    def add(self, other: "SheetScan") -> None:
        self.rows = max(self.rows, other.rows)
        self.cells += other.cells
        self.formulas = self.formulas or other.formulas


def scan_xlsx(handle, file_name: str, *, row_limit: int | None = None) -> SheetScan:
    """Read the worksheets' XML as bytes before openpyxl does: refuse what would hurt it, count the real rows.

    openpyxl builds a whole row before handing it over, so a row of five million cells costs gigabytes before
    any check of ours could run; and the `<dimension>` a sheet declares may lie. This scan counts row and cell
    tags as they stream out of the zip (memory stays at one chunk), refuses a row with more than
    IMPORT_MAX_COLUMNS cells and any XML part with a document type or entity declaration, and returns the
    largest sheet's row count (stopping past `row_limit` when given), the cells, and whether formulas are there.
    """
    max_columns = settings.IMPORT_MAX_COLUMNS
    found = SheetScan()
    try:
        with zipfile.ZipFile(handle) as archive:
            members = [m for m in archive.infolist() if m.filename.endswith((".xml", ".rels"))]
            for member in members:
                with archive.open(member) as part:
                    check_xml_head(part.read(XML_HEAD_BYTES), member.filename, file_name)
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    with archive.open(member) as part:
                        found.add(_scan_sheet(part, file_name, max_columns, row_limit))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise FileRejected(f"{file_name} is damaged: it is not a readable .xlsx file ({exc}).") from exc
    finally:
        handle.seek(0)
    return found


def check_xml_head(head: bytes, part_name: str, file_name: str) -> None:
    """Excel writes UTF-8 XML without a DTD; anything else (entities, other encodings) is refused, not parsed."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise FileRejected(
            f"{file_name} holds a part ({part_name}) that is not UTF-8 XML, which Excel never writes. "
            "Open the file in Excel and save it again as .xlsx."
        )
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise FileRejected(
            f"{file_name} holds an XML document type or entity declaration ({part_name}), which Excel never writes "
            "and StayOps does not read. Open the file in Excel and save it again as .xlsx."
        )


def _scan_sheet(part, file_name: str, max_columns: int, row_limit: int | None) -> SheetScan:
    rows = cells_in_row = cells = 0
    formulas = False
    pending = b""
    while True:
        chunk = part.read(SCAN_CHUNK)
        buffer = pending + chunk
        # A tag may straddle the chunk's end: cut before the last "<" near the end (tags hold no "<") and keep
        # the rest for the next round.
        cut = len(buffer)
        if chunk:
            last_open = buffer.rfind(b"<", max(len(buffer) - TAG_LOOKAHEAD, 0))
            cut = last_open if last_open >= 0 else cut
        region, pending = buffer[:cut], buffer[cut:]
        # What follows the rows (conditional formats, merged cells) holds no cells.
        end = SHEET_DATA_END.search(region) if b"sheetData" in region else None
        if end:
            region, chunk = region[: end.start()], b""
        counts = _cells_per_row(region)
        cells += sum(counts if rows else counts[1:])
        counts[0] += cells_in_row  # the row the previous chunk ended in goes on
        # Before the first row (the column widths) nothing counts.
        counted = counts if rows else counts[1:]
        if counted and max(counted) > max_columns:
            wide = rows + (counts.index(max(counted)) if rows else counts.index(max(counted), 1))
            raise FileRejected(
                f"Row {wide} of {file_name} has more than {max_columns:,} columns; a bookings export has "
                "a few dozen. Delete the extra columns (or export the reservations again) and upload the file."
            )
        rows += len(counts) - 1
        cells_in_row = counts[-1]
        formulas = formulas or _holds_formulas(region)
        if (row_limit is not None and rows > row_limit) or not chunk:
            return SheetScan(rows=rows, cells=cells, formulas=formulas)


def _holds_formulas(region: bytes) -> bool:
    """A formula or an error value among these rows."""
    return FORMULA_TAG.search(region) is not None or ERROR_CELL.search(region) is not None


def _cells_per_row(region: bytes) -> list[int]:
    """Cell tags between row tags: the first count continues the current row, each further one is a new row.

    Excel and most exporters write unprefixed tags, which plain byte counting reads at memory speed; counting
    every "<c" over-counts (a rich-text colour, say), which can only refuse a file, never let a wide row pass.
    Prefixed tags (`<x:row>`) take the exact, slower regular expressions.
    """
    if b":c" in region or b":row" in region:
        return [len(CELL_TAG.findall(piece)) for piece in ROW_TAG.split(region)]
    return [piece.count(b"<c") for piece in region.split(b"<row")]


def iter_xlsx_rows(handle, file_name: str = "The workbook") -> Iterator[tuple]:
    """Cell values of the first worksheet, row by row from row 1, as openpyxl gives them: blanks as None, whole
    numbers as int, dates as datetime, formulas as their text.

    Most workbooks are read with calamine (Rust, about ten times faster than openpyxl on a bookings export); a
    workbook with formulas or error cells, or too large to hold in memory, is streamed by openpyxl read-only, which
    gives those as written. Every error while reading becomes a FileRejected.
    """
    scan = scan_xlsx(handle, file_name)
    if scan.formulas or scan.cells > FAST_READ_MAX_CELLS:
        yield from _openpyxl_rows(handle, file_name)
    else:
        yield from _calamine_rows(handle, file_name)


def _unreadable(exc: Exception) -> FileRejected:
    return FileRejected(f"The workbook cannot be read: {exc}. Open it in Excel and save it again as .xlsx.")


def _calamine_rows(handle, file_name: str) -> Iterator[tuple]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        # openpyxl's first worksheet: chart sheets are not worksheets.
        index = next(
            (i for i, sheet in enumerate(workbook.sheets_metadata) if sheet.typ == SheetTypeEnum.WorkSheet), None
        )
        if index is None:
            return
        sheet = workbook.get_sheet_by_index(index)
        start = sheet.start
    except Exception as exc:
        raise _unreadable(exc) from exc
    try:
        if start is None:
            return
        # calamine's rows begin at row 1 but at the first column that holds a value.
        lead = (None,) * start[1]
        for cells in sheet.iter_rows():
            row = [_as_openpyxl_gives(value) for value in cells]
            while row and row[-1] is None:
                row.pop()
            yield lead + tuple(row) if row else ()
    finally:
        workbook.close()


def _as_openpyxl_gives(value):
    """calamine's value as openpyxl read-only would give it, so parsing and the rows kept for the error report
    do not depend on which reader read the file."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


def _openpyxl_rows(handle, file_name: str) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:
        raise _unreadable(exc) from exc
    try:
        sheet = workbook.worksheets[0]
        # Exports often declare a stale dimension; resetting makes read-only mode read what is really there.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise _unreadable(exc) from exc
            yield row
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


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab, guessed from the first lines (any line ending: old Macs wrote CR alone)."""
    sample = "\n".join(text[:SNIFF_BYTES].splitlines()[:SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def iter_csv_rows(handle, file_name: str) -> Iterator[tuple]:
    """Rows of a CSV file; a record with more than IMPORT_MAX_COLUMNS fields is refused before it is split."""
    text = decode_csv(handle.read(), file_name)
    delimiter = sniff_delimiter(text)
    max_columns = settings.IMPORT_MAX_COLUMNS
    # Delimiters fed to the reader since its last record: csv.reader would build a five-million-field row
    # before handing it over, so the lines are counted on their way in.
    fields = [0]

    def lines() -> Iterator[str]:
        # newline="": lines end at CR, LF or CRLF alike, and quoted line breaks reach the reader as written.
        for line in io.StringIO(text, newline=""):
            fields[0] += line.count(delimiter)
            if fields[0] >= max_columns:
                raise FileRejected(
                    f"{file_name} has a row with more than {max_columns:,} columns; a bookings export has a few "
                    "dozen. Check that this is a reservations export (and its separator), then upload it again."
                )
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for row in reader:
            fields[0] = 0
            yield tuple(row)
    except csv.Error as exc:
        raise FileRejected(f"{file_name} is not a well-formed CSV file (line {reader.line_num}: {exc}).") from exc


def iter_rows(handle, kind: str, file_name: str) -> Iterator[tuple]:
    handle.seek(0)
    if kind == "xlsx":
        return iter_xlsx_rows(handle, file_name)
    return iter_csv_rows(handle, file_name)


def count_rows(handle, kind: str, file_name: str, *, limit: int) -> int:
    """Data rows counted by reading them, up to `limit` + 1 ("more than limit"): decides background or not.

    Reading is what the preview will do, so a file that lies about its size is judged by what it holds, and
    a file this refuses (too many columns, an entity declaration, bad encoding) is refused before any preview.
    """
    handle.seek(0)
    try:
        if kind == "xlsx":
            return min(max(scan_xlsx(handle, file_name, row_limit=limit + 1).rows - 1, 0), limit + 1)
        rows = 0
        for _row in iter_csv_rows(handle, file_name):
            rows += 1
            if rows > limit + 1:
                break
        return max(rows - 1, 0)
    finally:
        handle.seek(0)


def estimate_rows(handle, kind: str) -> int:
    """A cheap guess at the row count, for the progress bar only: the sheet's declared size, or the CSV's lines.

    Never used to decide anything: a sheet may declare any size. A file it cannot read gets 0.
    """
    handle.seek(0)
    try:
        if kind == "csv":
            line_ends = [0, 0]
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                line_ends[0] += chunk.count(b"\n")
                line_ends[1] += chunk.count(b"\r")
            return max(max(line_ends) - 1, 0)
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
    except Exception:  # noqa: BLE001 - a guess for the progress bar; the preview reports what is wrong
        return 0
    finally:
        handle.seek(0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
