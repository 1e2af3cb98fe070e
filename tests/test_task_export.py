"""Exporting the tasks in the current filter as .xlsx (wbs:task_export), formula-like text kept in string cells."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_property, make_tag, make_task

pytestmark = pytest.mark.django_db
EXPORT = reverse("wbs:task_export")


def read_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_it_exports_the_filtered_tasks(manager_client, cleaner):
    beach, city = make_property("Beach House"), make_property("City Flat")
    task = make_task("Fix the sink", property=beach, assignee=cleaner, description="Kitchen")
    task.tags.add(make_tag("plumbing"))
    make_task("Clean city", property=city)

    response = manager_client.get(EXPORT, {"format": "xlsx", "property": beach.pk})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="tasks-')
    rows = read_rows(response)
    assert rows[0][:4] == ["ID", "Title", "Status", "Type"]
    assert len(rows) == 2
    assert rows[1][1] == "Fix the sink" and rows[1][7] == "Beach House" and rows[1][8] == "Carla Lopes"
    assert rows[1][13] == "plumbing"


def test_it_keeps_formula_like_text_in_string_cells(manager_client):
    make_task('=HYPERLINK("http://evil.example","click")', description="@SUM(A1)")

    rows = read_rows(manager_client.get(EXPORT, {"format": "xlsx"}))

    # Written as they are, in string cells: a spreadsheet shows them and never runs them.
    assert rows[1][1] == '=HYPERLINK("http://evil.example","click")'
    assert rows[1][14] == "@SUM(A1)"
    sheet = load_workbook(io.BytesIO(manager_client.get(EXPORT, {"format": "xlsx"}).content)).active
    assert sheet.cell(row=2, column=2).data_type == "s" and sheet.cell(row=2, column=15).data_type == "s"


def test_it_refuses_other_formats_and_bad_filters(manager_client):
    assert manager_client.get(EXPORT, {"format": "pdf"}).status_code == 400
    response = manager_client.get(EXPORT, {"format": "xlsx", "type": "nonsense"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_it_is_for_managers_only(client, cleaner_client):
    assert cleaner_client.get(EXPORT).status_code == 403
    client.logout()
    assert client.get(EXPORT).status_code == 302
