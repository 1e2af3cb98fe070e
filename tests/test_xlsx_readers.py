"""The two .xlsx readers give the same rows: calamine for most workbooks, openpyxl for formulas, errors and giants."""

import datetime
import io

import pytest
from openpyxl import Workbook

from bookings.importing import files
from bookings.importing.files import iter_xlsx_rows, scan_xlsx


def workbook_bytes(fill) -> bytes:
    workbook = Workbook()
    fill(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def varied(workbook) -> None:
    sheet = workbook.active
    # Data that starts below and to the right of A1, with gaps, as title rows and hand-made sheets have.
    sheet["C3"] = "Confirmation code"
    sheet["D3"] = "Start date"
    sheet["E3"] = "# of adults"
    sheet["F3"] = "Earnings"
    sheet["C4"] = " HM1 "
    sheet["D4"] = datetime.date(2026, 3, 14)
    sheet["E4"] = 2
    sheet["F4"] = 1020.5
    sheet["C6"] = "José 😀\nsecond line"
    sheet["D6"] = datetime.datetime(2026, 3, 14, 15, 30)
    sheet["E6"] = True
    sheet["F6"] = 12345678901234
    sheet["H7"] = datetime.time(11, 0)
    sheet["D8"] = -3.25


def both_readers(content: bytes) -> tuple[list, list]:
    handle = io.BytesIO(content)
    fast = list(files._calamine_rows(handle, "f.xlsx"))
    handle.seek(0)
    streamed = list(files._openpyxl_rows(handle, "f.xlsx"))
    return fast, streamed


def test_calamine_gives_the_rows_openpyxl_gives():
    fast, streamed = both_readers(workbook_bytes(varied))
    # openpyxl ends a row at its last cell and may give a trailing empty cell; a blank is a blank either way.
    assert [tuple(row) for row in fast] == [tuple(_trimmed(row)) for row in streamed]
    assert fast[3] == (None, None, " HM1 ", datetime.datetime(2026, 3, 14), 2, 1020.5)
    assert type(fast[3][4]) is int


def _trimmed(row: tuple) -> list:
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def test_an_ordinary_workbook_is_read_by_calamine(monkeypatch):
    used = []
    monkeypatch.setattr(files, "_openpyxl_rows", lambda *args: used.append("openpyxl") or iter(()))
    rows = list(iter_xlsx_rows(io.BytesIO(workbook_bytes(varied)), "f.xlsx"))
    assert used == [] and len(rows) == 8


@pytest.mark.parametrize(
    "value",
    ['=IF(1,"Confirmed","Canceled")', "#N/A"],
    ids=["a formula", "an error cell"],
)
def test_formulas_and_error_cells_are_read_by_openpyxl_as_written(value):
    def fill(workbook):
        workbook.active.append(["Status", "Guest"])
        workbook.active.append([value, "Ana"])

    content = workbook_bytes(fill)
    assert scan_xlsx(io.BytesIO(content), "f.xlsx").formulas
    rows = list(iter_xlsx_rows(io.BytesIO(content), "f.xlsx"))
    assert rows[1] == (value, "Ana")


def test_a_workbook_past_the_cell_budget_is_streamed(monkeypatch):
    content = workbook_bytes(varied)
    assert scan_xlsx(io.BytesIO(content), "f.xlsx").cells == 14
    monkeypatch.setattr(files, "FAST_READ_MAX_CELLS", 13)
    monkeypatch.setattr(files, "_calamine_rows", lambda *args: pytest.fail("calamine read a giant"))
    assert len(list(iter_xlsx_rows(io.BytesIO(content), "f.xlsx"))) == 8


def test_a_chart_sheet_first_is_not_the_sheet_read():
    def fill(workbook):
        workbook.create_chartsheet("Chart", 0)
        workbook["Sheet"].append(["Confirmation code"])

    rows = list(iter_xlsx_rows(io.BytesIO(workbook_bytes(fill)), "f.xlsx"))
    assert rows == [("Confirmation code",)]
