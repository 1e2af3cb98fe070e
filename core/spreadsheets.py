"""Spreadsheet exports: no cell can run as a formula (OWASP ASVS 1.2.10).

In .xlsx every text cell is written as a string cell, which a spreadsheet never evaluates, so `+351 912 345 678`
stays as written; .csv has no cell types, so there a formula-like text is escaped with a leading quote.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.http import HttpResponse

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMN_WIDTH = 50


def escape_formula(value):
    """Prefix a .csv text cell that a spreadsheet would read as a formula with a quote, so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """Undo escape_formula: an export or error report read back in gives the original text ("'+351…" -> "+351…")."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


WIDTH_SAMPLE_ROWS = 200


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = "Export") -> bytes:
    """A one-sheet workbook, streamed row by row (write-only mode keeps memory flat for big exports).

    Text goes in as string cells: openpyxl would otherwise store a text starting with "=" as a formula.
    """
    # Imported here: the import command reads this module's helpers, and openpyxl is a tenth of its start-up.
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    rows = iter(rows)
    # Write-only sheets take column widths before the first row: size them from a sample.
    sample = [list(row) for _, row in zip(range(WIDTH_SAMPLE_ROWS), rows, strict=False)]
    widths = [len(str(header)) for header in headers]
    for values in sample:
        for index, value in enumerate(values):
            widths[index] = max(widths[index], min(len(str(value)) if value is not None else 0, MAX_COLUMN_WIDTH))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    sheet.append([text_cell(sheet, str(header)) for header in headers])
    for values in sample:
        sheet.append([xlsx_cell(sheet, value) for value in values])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_cell(sheet, value):
    """Text as a string cell (never a formula); numbers, dates and blanks as openpyxl types them."""
    return text_cell(sheet, value) if isinstance(value, str) else value


def text_cell(sheet, text: str) -> "Cell":
    from openpyxl.cell import WriteOnlyCell

    # WriteOnlyCell is a factory function returning a Cell (openpyxl's stubs type it so).
    cell = WriteOnlyCell(sheet, value=text)
    # Set after the value: assigning a text starting with "=" makes openpyxl type the cell as a formula.
    cell.data_type = "s"
    return cell


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], **kwargs) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(headers, rows, **kwargs), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    buffer = io.StringIO()
    # A BOM so that Excel opens the UTF-8 file with the right accents.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([escape_formula(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
