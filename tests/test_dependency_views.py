"""Adding and removing dependencies over HTTP: from the task page (HTMX and plain posts) and from the Gantt."""

import pytest
from django.urls import reverse

from wbs.models import Task, TaskDependency
from wbs.services.dependencies import dependency_add

pytestmark = pytest.mark.django_db
ADD = reverse("wbs:task_dependency_add")


@pytest.fixture
def chain():
    """Tile floor → Grout → Seal."""
    tile, grout, seal = (Task.objects.create(title=title) for title in ("Tile floor", "Grout", "Seal"))
    dependency_add(predecessor=tile, successor=grout)
    dependency_add(predecessor=grout, successor=seal)
    return tile, grout, seal


def test_the_task_page_adds_a_dependency_in_place(manager_client, chain, htmx_headers):
    tile, _, seal = chain
    data = {"task": seal.pk, "predecessor": tile.pk, "successor": seal.pk, "type": "SS", "lag_days": "2"}
    response = manager_client.post(ADD, data, headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="task-dependencies"')
    assert "SS +2d" in html
    assert "dependencies-changed" in response["HX-Trigger"]
    assert TaskDependency.objects.get(predecessor=tile, successor=seal).lag_days == 2


def test_a_loop_from_the_task_page_is_explained_in_the_form(manager_client, chain, htmx_headers):
    tile, _, seal = chain
    data = {"task": tile.pk, "predecessor": seal.pk, "successor": tile.pk, "type": "FS", "lag_days": "0"}
    response = manager_client.post(ADD, data, headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="task-dependencies"' in html
    assert "Tile floor → Grout → Seal → Tile floor" in html
    assert TaskDependency.objects.count() == 2


def test_a_loop_posted_without_javascript_re_renders_the_task_page(manager_client, chain):
    tile, _, seal = chain
    data = {"predecessor": seal.pk, "successor": tile.pk, "type": "FS", "lag_days": "0"}
    response = manager_client.post(ADD, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" in html and "Tile floor → Grout → Seal → Tile floor" in html
    assert TaskDependency.objects.count() == 2


def test_the_gantt_gets_a_toast_for_a_loop_and_an_event_for_a_new_edge(manager_client, chain, htmx_headers):
    tile, _, seal = chain
    refused = manager_client.post(
        ADD, {"predecessor": seal.pk, "successor": tile.pk, "type": "FS"}, headers=htmx_headers
    )
    assert refused.status_code == 400
    assert refused["HX-Retarget"] == "#toasts"
    assert "Tile floor → Grout → Seal → Tile floor" in refused.content.decode()

    added = manager_client.post(ADD, {"predecessor": tile.pk, "successor": seal.pk, "type": "FF"}, headers=htmx_headers)
    assert added.status_code == 204
    assert "dependencies-changed" in added["HX-Trigger"]
    assert TaskDependency.objects.filter(predecessor=tile, successor=seal, type="FF").exists()


def test_a_plain_post_goes_back_to_next_or_the_successor(manager_client, chain):
    tile, _, seal = chain
    response = manager_client.post(ADD, {"predecessor": tile.pk, "successor": seal.pk, "type": "FS", "next": "/gantt/"})
    assert response["Location"] == "/gantt/"
    TaskDependency.objects.filter(predecessor=tile, successor=seal).delete()
    response = manager_client.post(
        ADD, {"predecessor": tile.pk, "successor": seal.pk, "type": "FS", "next": "https://evil.example/"}
    )
    assert response["Location"] == seal.get_absolute_url()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "XX", "lag_days": "0"}, "Select a valid choice"),
        ({"type": "FS", "lag_days": "999"}, "less than or equal to 365"),
        ({"type": "FS", "lag_days": "two"}, "Enter a whole number"),
    ],
)
def test_bad_fields_are_refused_with_a_message(manager_client, chain, htmx_headers, data, message):
    tile, _, seal = chain
    response = manager_client.post(
        ADD, {"task": seal.pk, "predecessor": tile.pk, "successor": seal.pk, **data}, headers=htmx_headers
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TaskDependency.objects.count() == 2


def test_it_removes_a_dependency(manager_client, chain, htmx_headers):
    tile, grout, _ = chain
    link = TaskDependency.objects.get(predecessor=tile, successor=grout)
    response = manager_client.post(
        reverse("wbs:task_dependency_remove", args=[link.pk]), {"task": grout.pk}, headers=htmx_headers
    )
    assert response.status_code == 200
    assert "Nothing: this task can start any time." in response.content.decode()
    assert not TaskDependency.objects.filter(pk=link.pk).exists()


def test_cleaners_cannot_change_dependencies(cleaner_client, chain):
    tile, grout, seal = chain
    assert cleaner_client.post(ADD, {"predecessor": tile.pk, "successor": seal.pk, "type": "FS"}).status_code == 403
    link = TaskDependency.objects.get(predecessor=tile, successor=grout)
    assert cleaner_client.post(reverse("wbs:task_dependency_remove", args=[link.pk])).status_code == 403
    assert TaskDependency.objects.count() == 2


def test_anonymous_visitors_are_sent_to_sign_in(client, chain):
    response = client.post(ADD, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
