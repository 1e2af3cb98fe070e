"""The downloadable import template: StayOps' own .xlsx format, with drop-downs for property, source and status."""

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from bookings.importing.template_columns import TEMPLATE_COLUMNS
from bookings.models import BookingSource, BookingStatus

BOOKINGS_SHEET = "Bookings"
LISTS_SHEET = "Lists"
HELP_SHEET = "How to fill"
# Validation ranges cover this many data rows; Excel copies them down when rows are inserted inside the range.
VALIDATED_ROWS = 5000
HEADER_FILL = PatternFill("solid", fgColor="0F766E")
HEADER_FONT = Font(bold=True, color="FFFFFF")

COLUMN_HELP = {
    "Property": "Required. The property's short code (pick from the list), its name or one of its aliases.",
    "Code": "The platform's confirmation code. Rows with the same source and code update the same booking.",
    "Source": "Where the booking came from; blank means direct.",
    "Guest name": "Required.",
    "Guest contact": "Phone or e-mail.",
    "Adults": "Whole number; blank means 1.",
    "Children": "Whole number; blank means 0.",
    "Infants": "Whole number; blank means 0.",
    "Check-in": "Required. A date (2026-03-14).",
    "Check-out": "Required. A date after check-in.",
    "Status": "Required. Pick from the list; status aliases added by managers work too.",
    "Amount": "The booking's total, a number without currency sign.",
    "Currency": "Three letters, e.g. EUR.",
    "Notes": "Free text.",
}
COLUMN_WIDTHS = {"Property": 18, "Code": 16, "Guest name": 24, "Guest contact": 24, "Notes": 40}
DATE_COLUMNS = ("Check-in", "Check-out")
COUNT_COLUMNS = ("Adults", "Children", "Infants")


def _column(name: str) -> str:
    return get_column_letter(TEMPLATE_COLUMNS.index(name) + 1)


def _data_range(name: str) -> str:
    letter = _column(name)
    return f"{letter}2:{letter}{VALIDATED_ROWS + 1}"


def _list_validation(name: str, values_column: str, count: int) -> DataValidation:
    # A range on a sheet, not an inline list: inline lists are capped at 255 characters, property lists are not.
    source = f"={quote_sheetname(LISTS_SHEET)}!${values_column}$2:${values_column}${max(count, 1) + 1}"
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=name != "Status",
        showErrorMessage=True,
        errorTitle=f"Unknown {name.lower()}",
        error=f"Pick a {name.lower()} from the list.",
    )
    validation.add(_data_range(name))
    return validation


def template_workbook_bytes(property_codes: Sequence[str]) -> bytes:
    """The template as .xlsx bytes, its property drop-down listing `property_codes`."""
    workbook = Workbook()
    bookings = _bookings_sheet(workbook)
    statuses = [label for _, label in BookingStatus.choices]
    sources = list(BookingSource.values)
    _lists_sheet(workbook, property_codes, sources, statuses)
    _add_validations(bookings, len(property_codes), len(sources), len(statuses))
    _help_sheet(workbook)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bookings_sheet(workbook: Workbook):
    """The sheet people fill: the template's header row, styled and frozen."""
    # A new workbook's one sheet; `active` is typed loosely (a chartsheet, or none).
    bookings = workbook.worksheets[0]
    bookings.title = BOOKINGS_SHEET
    bookings.append(TEMPLATE_COLUMNS)
    for index, name in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = bookings.cell(row=1, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        bookings.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(name, 13)
    bookings.freeze_panes = "A2"
    return bookings


def _lists_sheet(workbook: Workbook, property_codes: Sequence[str], sources: list, statuses: list) -> None:
    """A hidden sheet with the values the drop-downs offer, one column each."""
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.append(["Property", "Source", "Status"])
    for row in range(max(len(property_codes), len(sources), len(statuses))):
        lists.append(
            [
                property_codes[row] if row < len(property_codes) else None,
                sources[row] if row < len(sources) else None,
                statuses[row] if row < len(statuses) else None,
            ]
        )
    lists.sheet_state = "hidden"


def _add_validations(bookings, properties: int, sources: int, statuses: int) -> None:
    """Drop-downs for property, source and status; whole numbers for guest counts; dates for the stay."""
    bookings.add_data_validation(_list_validation("Property", "A", properties))
    bookings.add_data_validation(_list_validation("Source", "B", sources))
    bookings.add_data_validation(_list_validation("Status", "C", statuses))
    counts = DataValidation(
        type="whole", operator="between", formula1="0", formula2="99", allow_blank=True, showErrorMessage=True,
        errorTitle="Not a guest count", error="Enter a whole number from 0 to 99.",
    )  # fmt: skip
    for name in COUNT_COLUMNS:
        counts.add(_data_range(name))
    bookings.add_data_validation(counts)
    stay_dates = DataValidation(
        type="date", operator="greaterThan", formula1="36526", allow_blank=True, showErrorMessage=True,
        errorTitle="Not a date", error="Enter a date such as 2026-03-14.",
    )  # fmt: skip
    for name in DATE_COLUMNS:
        stay_dates.add(_data_range(name))
    bookings.add_data_validation(stay_dates)


def _help_sheet(workbook: Workbook) -> None:
    """What to write in each column, for whoever fills the template without the app at hand."""
    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append(["Column", "What to write"])
    for cell in help_sheet[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for name in TEMPLATE_COLUMNS:
        help_sheet.append([name, COLUMN_HELP.get(name, "")])
    help_sheet.append([])
    help_sheet.append(["", "Fill the Bookings sheet, one booking per row, then upload it at Bookings › Import."])
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 90
    for row in help_sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
