"""The error report of an import: the rejected rows as the file had them, plus an Errors column to fix them by."""

from bookings.models import ImportBatch, ImportRowAction
from core.spreadsheets import xlsx_bytes


def import_error_report(batch: ImportBatch) -> bytes:
    """An .xlsx with the same columns as the upload (so it imports again once fixed) and an "Errors" column."""
    rows = list(
        batch.rows.filter(action=ImportRowAction.ERROR)
        .order_by("row_number")
        .values_list("row_number", "raw", "errors")
    )
    headers: list[str] = list(batch.scope.get("columns", []))
    for _number, raw, _errors in rows:
        for key in raw:
            if key not in headers:
                headers.append(key)
    table = []
    for number, raw, errors in rows:
        table.append([raw.get(key) for key in headers] + [describe_errors(number, errors)])
    return xlsx_bytes([*headers, "Errors"], table, sheet_title="Rows to fix")


def describe_errors(number: int, errors: list[dict]) -> str:
    """`Row 7: Start date "31/02/2026" is not a real date; Listing "Sea" matches no property …`"""
    parts = []
    for error in errors:
        column = error.get("column") or "Row"
        value = error.get("value")
        shown = f' "{value}"' if value not in (None, "") else ""
        parts.append(f"{column}{shown} {error['reason']}")
    return f"Row {number}: " + "; ".join(parts)
