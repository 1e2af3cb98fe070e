"""The task form's WBS item field: a search-as-you-type picker over live projects, validated by code."""

import pytest
from django.urls import reverse

from core.softdelete import soft_delete
from wbs.models import Project, Task
from wbs.services import wbs_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def beach():
    """Renovate Beach House: 1 Kitchen (1.1 Tiling), 2 Bathroom; a task in Tiling."""
    project = Project.objects.create(name="Renovate Beach House")
    kitchen = wbs_tree.wbs_item_create(project=project, title="Kitchen")
    wbs_tree.wbs_item_create(project=project, title="Tiling", parent=kitchen)
    wbs_tree.wbs_item_create(project=project, title="Bathroom")
    return project


@pytest.fixture
def sea():
    """Sea View works: 1 Roof, 2 Garden."""
    project = Project.objects.create(name="Sea View works")
    wbs_tree.wbs_item_create(project=project, title="Roof")
    wbs_tree.wbs_item_create(project=project, title="Garden")
    return project


@pytest.fixture
def task(beach):
    return Task.objects.create(title="Tile floor", wbs_item=beach.items.get(code="1.1"))


def edit(manager_client, task, item_text: str):
    fields = {"title": task.title, "type": task.type, "priority": task.priority, "progress": 0}
    return manager_client.post(reverse("wbs:task_edit", args=[task.pk]), {**fields, "wbs_item": item_text})


def grow(project, items: int) -> None:
    for number in range(items):
        wbs_tree.wbs_item_create(project=project, title=f"Room {number}")


# --- The form page ---


def test_the_form_shows_the_tasks_item_and_a_bounded_list_not_a_select(manager_client, task, sea, settings):
    settings.WBS_TREE_PICKER_CHOICES = 2
    html = manager_client.get(reverse("wbs:task_edit", args=[task.pk])).content.decode()
    assert '<select name="wbs_item"' not in html
    assert 'value="Renovate Beach House › 1.1 Tiling"' in html
    assert f'hx-get="{reverse("wbs:any_item_picker")}?near={task.wbs_item.project_id}"' in html
    # The task's own project first.
    assert html.count('<option value="Renovate Beach House ›') == 2 and "Sea View works ›" not in html


# Session, user, roles; the task (edit) or the pre-filled item (create); the suggested items; the properties,
# assignees, tags and the task's tags (edit) for the other fields.
@pytest.mark.parametrize(("name", "queries"), [("wbs:task_edit", 9), ("wbs:task_create", 8)])
def test_the_form_runs_a_fixed_number_of_queries_whatever_the_number_of_items(
    manager_client, task, sea, name, queries, django_assert_num_queries
):
    pages = {
        "wbs:task_edit": reverse("wbs:task_edit", args=[task.pk]),
        "wbs:task_create": f"{reverse('wbs:task_create')}?wbs_item={task.wbs_item_id}",
    }
    page = pages[name]
    with django_assert_num_queries(queries):
        manager_client.get(page)
    grow(task.wbs_item.project, items=40)
    grow(sea, items=40)
    with django_assert_num_queries(queries):
        html = manager_client.get(page).content.decode()
    assert html.count('<option value="Renovate Beach House ›') == 20  # WBS_TREE_PICKER_CHOICES


# --- The picker ---


def test_the_picker_suggests_items_of_every_live_project_the_tasks_own_first(
    manager_client, task, sea, htmx_headers, django_assert_num_queries
):
    gone = Project.objects.create(name="Old roof project")
    wbs_tree.wbs_item_create(project=gone, title="Roof tiles")
    soft_delete(gone, user=None)
    url = reverse("wbs:any_item_picker")
    # Session, user, roles, the matching items.
    with django_assert_num_queries(4):
        html = manager_client.get(url, {"wbs_item": "1", "near": sea.pk}, headers=htmx_headers).content.decode()
    values = [part.split('"')[0] for part in html.split('value="')[1:]]
    assert values == [
        "Sea View works › 1 Roof",
        "Renovate Beach House › 1 Kitchen",
        "Renovate Beach House › 1.1 Tiling",
    ]
    html = manager_client.get(url, {"wbs_item": "roof"}, headers=htmx_headers).content.decode()
    assert html.count("<option") == 1
    html = manager_client.get(url, {"wbs_item": "Sea View works › 2"}, headers=htmx_headers).content.decode()
    assert html.count("<option") == 1 and 'value="Sea View works › 2 Garden"' in html


def test_the_picker_without_htmx_goes_to_the_projects(manager_client):
    response = manager_client.get(reverse("wbs:any_item_picker"), {"wbs_item": "1"})
    assert response["Location"] == reverse("wbs:projects")


def test_a_cleaner_may_not_use_the_picker(cleaner_client, htmx_headers):
    assert cleaner_client.get(reverse("wbs:any_item_picker"), headers=htmx_headers).status_code == 403


# --- Validation ---


def test_it_moves_the_task_to_a_picked_item_of_another_project(manager_client, task, sea):
    response = edit(manager_client, task, "Sea View works › 2 Garden")
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.wbs_item == sea.items.get(code="2")


def test_a_bare_code_means_an_item_of_the_tasks_project(manager_client, task, sea):
    assert edit(manager_client, task, "2").status_code == 302
    task.refresh_from_db()
    assert (task.wbs_item.project, task.wbs_item.title) == (task.wbs_item.project, "Bathroom")
    assert task.wbs_item.project.name == "Renovate Beach House"


def test_an_empty_field_takes_the_task_out_of_its_project(manager_client, task):
    assert edit(manager_client, task, "").status_code == 302
    task.refresh_from_db()
    assert task.wbs_item is None


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("9.9", "“Renovate Beach House” has no item 9.9."),
        ("Sea View works › 7", "“Sea View works” has no item 7."),
        ("Nowhere › 1", "There is no project “Nowhere”."),
        ("kitchen", "Type an item&#x27;s code, like 1.2, or pick one from the list."),
        ("Old roof project › 1 Roof tiles", "The project “Old roof project” was deleted: choose another item."),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(manager_client, task, sea, typed, error):
    gone = Project.objects.create(name="Old roof project")
    wbs_tree.wbs_item_create(project=gone, title="Roof tiles")
    soft_delete(gone, user=None)
    before = Task.objects.get(pk=task.pk)
    response = edit(manager_client, task, typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html and f'value="{typed}"' in html.replace("&#x27;", "'")
    after = Task.objects.get(pk=task.pk)
    assert (after.wbs_item_id, after.updated_at) == (before.wbs_item_id, before.updated_at)


def test_a_code_picked_before_the_tree_was_renumbered_is_refused_not_saved_as_another_item(manager_client, task, sea):
    """The list showed "2 Garden"; meanwhile Garden moved up and 2 is now Roof. The code alone would save Roof."""
    wbs_tree.wbs_item_reorder(item=sea.items.get(title="Garden"), direction="up")
    before = Task.objects.get(pk=task.pk)

    response = edit(manager_client, task, "Sea View works › 2 Garden")

    assert response.status_code == 400
    assert "Item 2 is now “Roof”, not “Garden”: the tree changed since the list was shown." in response.content.decode()
    assert Task.objects.get(pk=task.pk).wbs_item_id == before.wbs_item_id
    # Picked again, it saves the item the manager meant.
    assert edit(manager_client, task, "Sea View works › 1 Garden").status_code == 302
    assert Task.objects.get(pk=task.pk).wbs_item == sea.items.get(title="Garden")


def test_a_title_typed_in_another_case_or_spacing_is_the_same_item(manager_client, task, sea):
    assert edit(manager_client, task, "Sea View works ›  2   garden").status_code == 302
    assert Task.objects.get(pk=task.pk).wbs_item == sea.items.get(title="Garden")


def test_a_code_in_several_projects_is_refused_for_a_task_in_none(manager_client, beach, sea):
    loose = Task.objects.create(title="Buy paint")
    response = edit(manager_client, loose, "1")
    assert response.status_code == 400
    assert "Item 1 is in more than one project (“Renovate Beach House”, “Sea View works”)" in response.content.decode()
    loose.refresh_from_db()
    assert loose.wbs_item is None
    assert edit(manager_client, loose, "1.1").status_code == 302  # only one project has a 1.1
    loose.refresh_from_db()
    assert loose.wbs_item.title == "Tiling"


def test_the_item_of_a_since_deleted_project_is_refused_not_kept(manager_client, task):
    soft_delete(task.wbs_item.project, user=None)
    response = edit(manager_client, task, "Renovate Beach House › 1.1 Tiling")
    assert response.status_code == 400
    assert "The project “Renovate Beach House” was deleted: choose another item." in response.content.decode()


def test_a_new_task_is_created_in_a_picked_item(manager_client, sea):
    response = manager_client.post(
        reverse("wbs:task_create"),
        {"title": "Fix gutter", "type": "other", "priority": 2, "progress": 0, "wbs_item": "Sea View works › 1 Roof"},
    )
    assert response.status_code == 302
    assert Task.objects.get(title="Fix gutter").wbs_item == sea.items.get(code="1")
