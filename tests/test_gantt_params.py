"""Whatever the Gantt's URL holds, it answers a page or a 400, never a 500; and Back gets the whole page."""

import pytest
from django.urls import reverse

from tests.factories import MONDAY, make_task

GANTT = reverse("wbs:gantt")
HUGE = str(2**63)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        ("0001-01-01", "1 Jan 1900"),
        ("9999-12-31", "31 Dec 2199"),
        ("1899-12-31", "1 Jan 1900"),
        ("garbage", None),
        ("2026-13-45", None),
    ],
)
@pytest.mark.parametrize("zoom", ["day", "month"])
def test_a_start_out_of_range_is_clamped_and_garbage_is_the_default(manager_client, start, shown, zoom):
    response = manager_client.get(GANTT, {"start": start, "zoom": zoom})

    assert response.status_code == 200
    if shown:
        assert shown in response.content.decode()


@pytest.mark.parametrize("page", ["-1", "0", "abc", HUGE, "9" * 5000, "1.5"])
def test_any_page_answers_a_page(manager_client, page):
    make_task("Tile", start_date=MONDAY, due_date=MONDAY)

    assert manager_client.get(GANTT, {"start": MONDAY.isoformat(), "page": page}).status_code == 200


@pytest.mark.parametrize("focus", ["abc", "-1", "0", HUGE, "9" * 40, ""])
def test_a_focus_that_names_no_task_goes_back_to_the_chart(manager_client, focus):
    response = manager_client.get(GANTT, {"start": MONDAY.isoformat(), "focus": focus})

    assert response.status_code == 302
    assert response["Location"] == f"{GANTT}?start={MONDAY.isoformat()}"


@pytest.mark.parametrize("name", ["property", "assignee", "tag", "type", "due", "q"])
@pytest.mark.parametrize("value", ["abc", HUGE])
def test_garbage_filters_answer_a_page_or_400(manager_client, name, value):
    assert manager_client.get(GANTT, {name: value}).status_code in (200, 400)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_out_of_range_are_a_form_error_in_the_preview_and_400_on_apply(manager_client, day):
    task = make_task("Tile", start_date=MONDAY, due_date=MONDAY)
    preview = reverse("wbs:gantt_reschedule_preview", args=[task.pk])
    apply = reverse("wbs:gantt_reschedule_apply", args=[task.pk])

    response = manager_client.get(preview, {"start_date": day, "due_date": day}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Choose a date between 1900 and 2199." in response.content.decode()
    assert manager_client.post(apply, {"start_date": day, "due_date": day}).status_code == 400


def test_a_swap_gets_the_chart_and_a_history_restore_the_whole_page(manager_client):
    swap = manager_client.get(GANTT, headers={"HX-Request": "true"})
    restore = manager_client.get(GANTT, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert not swap.content.decode().lstrip().lower().startswith("<!doctype") and 'id="gantt"' in swap.content.decode()
    assert restore.content.decode().lstrip().lower().startswith("<!doctype")
    assert "HX-Request" in swap["Vary"] and "HX-Request" in restore["Vary"]


def test_a_history_restore_of_the_date_panel_gets_the_whole_page(manager_client):
    task = make_task("Tile", start_date=MONDAY, due_date=MONDAY)
    preview = reverse("wbs:gantt_reschedule_preview", args=[task.pk])

    panel = manager_client.get(preview, headers={"HX-Request": "true"})
    restore = manager_client.get(preview, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert panel.content.decode().lstrip().startswith('<aside id="gantt-panel"')
    assert (
        restore.content.decode().lstrip().lower().startswith("<!doctype")
        and 'id="gantt-panel"' in restore.content.decode()
    )
