"""Spreadsheet exports: cells that could run as formulas are escaped (OWASP ASVS 1.2.10)."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMN_WIDTH = 50


def escape_formula(value):
    """Prefix a text cell that a spreadsheet would read as a formula with a quote, so it stays text."""
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
    """A one-sheet workbook, streamed row by row (write-only mode keeps memory flat for big exports)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    rows = iter(rows)
    # Write-only sheets take column widths before the first row: size them from a sample.
    sample = [[escape_formula(value) for value in row] for _, row in zip(range(WIDTH_SAMPLE_ROWS), rows, strict=False)]
    widths = [len(str(header)) for header in headers]
    for cells in sample:
        for index, value in enumerate(cells):
            widths[index] = max(widths[index], min(len(str(value)) if value is not None else 0, MAX_COLUMN_WIDTH))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    sheet.append(list(headers))
    for cells in sample:
        sheet.append(cells)
    for row in rows:
        sheet.append([escape_formula(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
