"""Changing dates and adding dependencies from the Gantt: the preview panel, apply, and the dependency form."""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditEntry
from tests.factories import MONDAY, link, make_chain, make_task
from wbs.models import Task, TaskDependency

pytestmark = pytest.mark.django_db
WINDOW = f"start={MONDAY.isoformat()}&zoom=day"


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


def preview_url(task) -> str:
    return reverse("wbs:gantt_reschedule_preview", args=[task.pk])


def apply_url(task) -> str:
    return reverse("wbs:gantt_reschedule_apply", args=[task.pk]) + "?" + WINDOW


def test_it_opens_the_date_form_in_the_side_panel(manager_client, htmx_headers):
    task = make_task("Tile", start_date=day(0), due_date=day(1))

    html = manager_client.get(preview_url(task), headers=htmx_headers).content.decode()

    assert html.lstrip().startswith('<aside id="gantt-panel"')
    assert 'value="2026-11-02"' in html and 'value="2026-11-03"' in html
    assert "would move" not in html


def test_it_previews_every_task_that_would_move(manager_client, htmx_headers):
    chain = make_chain(3)

    response = manager_client.get(
        preview_url(chain[0]) + f"?{WINDOW}&start_date=2026-11-03&due_date=2026-11-04", headers=htmx_headers
    )

    html = response.content.decode()
    assert "3 tasks would move" in html
    assert "Step 2" in html and "+2 working days" in html
    assert html.count('name="expected"') == 3
    assert 'name="zoom" value="day"' in html  # the window survives the preview
    assert Task.objects.get(pk=chain[2].pk).start_date == day(2)


def test_the_preview_works_as_a_full_page_without_javascript(manager_client):
    chain = make_chain(2)

    html = manager_client.get(preview_url(chain[0]) + "?start_date=2026-11-03&due_date=2026-11-03").content.decode()

    assert "<html" in html and "2 tasks would move" in html


def test_the_preview_shows_what_to_fix_for_bad_dates(manager_client, htmx_headers):
    task = make_task("Tile", start_date=day(0), due_date=day(1))

    html = manager_client.get(
        preview_url(task) + "?start_date=2026-11-05&due_date=2026-11-02", headers=htmx_headers
    ).content.decode()

    assert "The due date must be on or after the start date." in html
    assert "would move" not in html


def test_apply_moves_the_task_and_its_successors_and_redraws_the_chart(manager_client, htmx_headers):
    chain = make_chain(3)
    expected = [task.pk for task in chain]

    response = manager_client.post(
        apply_url(chain[0]),
        {"start_date": "2026-11-03", "due_date": "2026-11-04", "expected": expected},
        headers=htmx_headers,
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#gantt"
    html = response.content.decode()
    assert "Moved “Step 0” and 2 following task(s)." in html
    assert list(Task.objects.order_by("id").values_list("start_date", flat=True)) == [day(1), day(3), day(4)]
    assert AuditEntry.objects.filter(action="move").count() == 3


def test_apply_refuses_a_stale_preview_and_writes_nothing(manager_client, htmx_headers):
    chain = make_chain(3)

    response = manager_client.post(
        apply_url(chain[0]),
        {"start_date": "2026-11-03", "due_date": "2026-11-04", "expected": [chain[0].pk]},
        headers=htmx_headers,
    )

    assert response.status_code == 409
    assert "plan changed" in response.content.decode()
    assert list(Task.objects.order_by("id").values_list("start_date", flat=True)) == [day(0), day(1), day(2)]


def test_apply_refuses_bad_dates(manager_client):
    task = make_task("Tile", start_date=day(0), due_date=day(1))

    response = manager_client.post(apply_url(task), {"start_date": "soon", "due_date": "2026-11-04"})

    assert response.status_code == 400
    assert Task.objects.get(pk=task.pk).start_date == day(0)


def test_apply_without_javascript_goes_back_to_the_same_window(manager_client):
    task = make_task("Tile", start_date=day(0), due_date=day(1))

    response = manager_client.post(apply_url(task), {"start_date": "2026-11-03", "due_date": "2026-11-04"})

    assert response.status_code == 302
    assert response["Location"] == f"/gantt/?{WINDOW}"


def test_it_adds_a_dependency_and_draws_its_arrow(manager_client, htmx_headers):
    tile = make_task("Tile", start_date=day(0), due_date=day(1))
    grout = make_task("Grout", start_date=day(2), due_date=day(2))

    response = manager_client.post(
        reverse("wbs:gantt_dependency_add") + f"?{WINDOW}",
        {"predecessor": tile.pk, "successor": grout.pk, "type": "SS", "lag_days": 1},
        headers=htmx_headers,
    )

    assert response.status_code == 200
    assert 'gantt-arrow gantt-arrow-SS" d="M' in response.content.decode()
    assert TaskDependency.objects.filter(predecessor=tile, successor=grout, type="SS", lag_days=1).exists()


def test_it_refuses_a_loop_and_spells_it_out(manager_client, htmx_headers):
    tile, grout, seal = make_task("Tile floor"), make_task("Grout"), make_task("Seal")
    link(tile, grout)
    link(grout, seal)

    response = manager_client.post(
        reverse("wbs:gantt_dependency_add"),
        {"predecessor": seal.pk, "successor": tile.pk, "type": "FS", "lag_days": 0},
        headers=htmx_headers,
    )

    assert response.status_code == 400
    assert "Tile floor → Grout → Seal" in response.content.decode()
    assert TaskDependency.objects.count() == 2


def test_it_refuses_an_unknown_dependency_type(manager_client):
    tile, grout = make_task("Tile"), make_task("Grout")

    response = manager_client.post(
        reverse("wbs:gantt_dependency_add"), {"predecessor": tile.pk, "successor": grout.pk, "type": "XX"}
    )

    assert response.status_code == 400
    assert TaskDependency.objects.count() == 0


def test_it_answers_404_for_a_deleted_task(manager_client):
    task = make_task("Tile", start_date=day(0), due_date=day(1))
    Task.objects.filter(pk=task.pk).update(deleted_at="2026-01-01T00:00Z")

    assert manager_client.get(preview_url(task)).status_code == 404


def test_cleaners_cannot_reschedule_or_link(cleaner_client):
    task = make_task("Tile", start_date=day(0), due_date=day(1))
    assert cleaner_client.get(preview_url(task)).status_code == 403
    assert (
        cleaner_client.post(apply_url(task), {"start_date": "2026-11-03", "due_date": "2026-11-04"}).status_code == 403
    )
    assert cleaner_client.post(reverse("wbs:gantt_dependency_add"), {}).status_code == 403
    assert Task.objects.get(pk=task.pk).start_date == day(0)


def test_the_preview_gives_every_moved_task_a_ghost_bar_at_its_new_dates(manager_client, htmx_headers):
    chain = make_chain(3)  # Mon, Tue, Wed
    make_task("Unrelated", start_date=day(0), due_date=day(0))

    html = manager_client.get(
        preview_url(chain[0]) + f"?{WINDOW}&start_date=2026-11-04&due_date=2026-11-04", headers=htmx_headers
    ).content.decode()

    # Day zoom, 72 px a day from Monday: Wed, Thu, Fri; the unrelated task does not move and has no ghost.
    for task, x in zip(chain, (144, 216, 288), strict=True):
        assert f'data-ghost-task="{task.pk}" data-ghost-x="{x}" data-ghost-width="72"' in html
    assert html.count("data-ghost-task=") == 3


def test_a_task_moved_out_of_the_window_is_listed_without_a_ghost(manager_client, htmx_headers):
    chain = make_chain(2)

    html = manager_client.get(
        preview_url(chain[0]) + f"?{WINDOW}&start_date=2027-03-01&due_date=2027-03-01", headers=htmx_headers
    ).content.decode()

    assert f'data-ghost-task="{chain[1].pk}">' in html
    assert "data-ghost-x" not in html
