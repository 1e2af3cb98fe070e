"""The project pages: list, tree, and the HTMX writes that add, move and reorder items; access and query counts."""

import pytest
from django.urls import reverse

from core.models import AuditAction, AuditEntry
from tests.garbage_params import GARBAGE_PARAMS
from wbs.models import Project, RollupMethod, Task, TaskStatus, WbsItem
from wbs.services import wbs_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = Project.objects.create(name="Renovate Beach House")
    kitchen = wbs_tree.wbs_item_create(project=project, title="Kitchen")
    wbs_tree.wbs_item_create(project=project, title="Plumbing", parent=kitchen)
    wbs_tree.wbs_item_create(project=project, title="Bathroom")
    return project


def item(title: str) -> WbsItem:
    return WbsItem.objects.get(title=title)


def tree_codes(project) -> list[str]:
    return [f"{row.code} {row.title}" for row in WbsItem.objects.filter(project=project).in_tree_order()]


def grow(project, items: int, tasks_per_item: int) -> None:
    """More items and tasks, for the query-count checks at a second size."""
    for number in range(items):
        parent = wbs_tree.wbs_item_create(project=project, title=f"Room {number}")
        Task.objects.bulk_create(
            Task(title=f"Task {number}.{index}", wbs_item=parent, status=TaskStatus.DONE if index % 2 else "todo")
            for index in range(tasks_per_item)
        )


# --- Access ---


@pytest.mark.parametrize("name", ["wbs:projects", "wbs:project_create"])
def test_it_sends_anonymous_visitors_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_403_to_cleaners(cleaner_client, project):
    assert cleaner_client.get(reverse("wbs:projects")).status_code == 403
    assert cleaner_client.get(project.get_absolute_url()).status_code == 403
    response = cleaner_client.post(reverse("wbs:item_add", args=[project.pk]), {"title": "Garden"})
    assert response.status_code == 403
    assert not WbsItem.objects.filter(title="Garden").exists()


def test_it_answers_404_for_a_deleted_project(manager_client, project):
    project.deleted_at = project.created_at
    project.save()
    assert manager_client.get(project.get_absolute_url()).status_code == 404


# --- The list ---


def test_the_list_shows_each_project_with_its_progress(manager_client, project):
    Task.objects.create(title="Tile floor", wbs_item=item("Plumbing"), status=TaskStatus.DONE)
    Task.objects.create(title="Grout", wbs_item=item("Plumbing"))
    response = manager_client.get(reverse("wbs:projects"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Renovate Beach House" in html
    assert "1 of 2 tasks done = 50 %" in html


def test_the_list_runs_the_same_queries_at_two_sizes(manager_client, project, django_assert_num_queries):
    manager_client.get(reverse("wbs:projects"))
    # Session, user, roles, projects, items, tasks.
    with django_assert_num_queries(6):
        manager_client.get(reverse("wbs:projects"))
    for number in range(5):
        grow(Project.objects.create(name=f"Project {number}"), items=4, tasks_per_item=5)
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("wbs:projects"))
    assert response.content.decode().count("wbs-project-link") == 6


def test_the_list_invites_a_first_project(manager_client):
    response = manager_client.get(reverse("wbs:projects"))
    assert "Create the first project" in response.content.decode()


# --- The tree page ---


def test_the_tree_shows_codes_progress_and_how_it_was_computed(manager_client, project):
    Task.objects.create(title="Tile floor", wbs_item=item("Plumbing"), status=TaskStatus.DONE)
    Task.objects.create(title="Grout", wbs_item=item("Plumbing"))
    response = manager_client.get(project.get_absolute_url(), {"open": item("Kitchen").pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="1.1"' in html and 'data-code="2"' in html
    assert "1 of 2 tasks done = 50 %" in html
    # Tasks are listed on demand: the row offers them by count (a link to the item's page without JavaScript).
    assert "Tile floor" not in html
    assert "2 tasks ▾" in html
    assert "share of the tasks under it that are done" in html
    assert "<html" in html


def test_the_tree_answers_htmx_with_the_fragment_only(manager_client, project, htmx_headers):
    response = manager_client.get(project.get_absolute_url(), headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="wbs-tree"')
    assert "<html" not in html


def test_the_tree_runs_the_same_queries_at_two_sizes(manager_client, project, django_assert_num_queries, settings):
    settings.WBS_TREE_ITEM_PAGE = 10
    closed = {"open": ""}
    manager_client.get(project.get_absolute_url(), closed)
    # Session, user, roles, project; a page of top-level items; item counts and task sums per top-level subtree
    # (two GROUP BYs, which also give the project's figures): no task rows, and no items beyond the page.
    with django_assert_num_queries(7):
        manager_client.get(project.get_absolute_url(), closed)
    grow(project, items=30, tasks_per_item=40)
    # 33 items do not fit one page: the tree opens closed without being asked.
    with django_assert_num_queries(7):
        response = manager_client.get(project.get_absolute_url())
    html = response.content.decode()
    assert "wbs-task-row" not in html
    assert html.count('class="wbs-row ') == 10
    assert html.count("40 tasks ▾") == 8
    assert "Show more items" in html and "22 more" in html
    # The row builds the rows' URL from the item's (one reversal a row): it must be the real route.
    assert f'hx-get="{reverse("wbs:item_task_rows", args=[item("Room 0").pk])}"' in html


def test_the_tree_shows_sub_items_on_demand_with_their_rollups(
    manager_client, project, htmx_headers, django_assert_num_queries
):
    Task.objects.create(title="Tile floor", wbs_item=item("Plumbing"), status=TaskStatus.DONE)
    kitchen = item("Kitchen")
    html = manager_client.get(project.get_absolute_url(), {"open": ""}).content.decode()
    assert 'data-code="1.1"' not in html
    assert f'hx-get="{reverse("wbs:item_rows", args=[project.pk])}?parent={kitchen.pk}"' in html
    assert 'aria-expanded="false"' in html and "1 sub-item" in html
    url = reverse("wbs:item_rows", args=[project.pk])
    # Session, user, roles, project, parent item, its child count, a page of children, their two GROUP BYs.
    with django_assert_num_queries(9):
        html = manager_client.get(url, {"parent": kitchen.pk}, headers=htmx_headers).content.decode()
    assert 'data-code="1.1"' in html and "Plumbing" in html
    assert "1 of 1 tasks done = 100 %" in html
    assert "<html" not in html and "Bathroom" not in html


def test_sub_items_cost_the_same_queries_for_a_big_item(
    manager_client, project, htmx_headers, django_assert_num_queries, settings
):
    settings.WBS_TREE_ITEM_PAGE = 5
    kitchen = item("Kitchen")
    url = reverse("wbs:item_rows", args=[project.pk])
    manager_client.get(url, {"parent": kitchen.pk}, headers=htmx_headers)
    with django_assert_num_queries(9):
        manager_client.get(url, {"parent": kitchen.pk}, headers=htmx_headers)
    for number in range(12):
        room = wbs_tree.wbs_item_create(project=project, title=f"Unit {number}", parent=kitchen)
        wbs_tree.wbs_item_create(project=project, title=f"Shelf {number}", parent=room)
        Task.objects.bulk_create(Task(title=f"Fit {number}.{index}", wbs_item=room) for index in range(20))
    with django_assert_num_queries(9):
        html = manager_client.get(url, {"parent": kitchen.pk}, headers=htmx_headers).content.decode()
    assert html.count('class="wbs-row ') == 5
    assert f"{url}?parent={kitchen.pk}&amp;offset=5" in html and "8 more" in html
    with django_assert_num_queries(9):
        html = manager_client.get(url, {"parent": kitchen.pk, "offset": 10}, headers=htmx_headers).content.decode()
    assert html.count('class="wbs-row ') == 3
    assert "Show more" not in html
    assert 'data-code="1.13"' in html and "20 tasks ▾" in html


def test_a_tree_that_fits_one_page_opens_in_full_until_the_manager_closes_items(
    manager_client, project, django_assert_num_queries
):
    manager_client.get(project.get_absolute_url())
    # As a closed tree, and every item with its tasks summed per item: two queries more, for at most a page of items.
    with django_assert_num_queries(9):
        html = manager_client.get(project.get_absolute_url()).content.decode()
    assert 'data-code="1.1"' in html and html.count('aria-expanded="true"') == 1
    html = manager_client.get(project.get_absolute_url(), {"open": ""}).content.decode()
    assert 'data-code="1.1"' not in html and 'aria-expanded="false"' in html


def test_the_top_level_shows_more_a_page_at_a_time(manager_client, project, htmx_headers, settings):
    settings.WBS_TREE_ITEM_PAGE = 1
    html = manager_client.get(project.get_absolute_url()).content.decode()
    assert html.count('class="wbs-row ') == 1 and "1 more" in html and "Show more items" in html
    url = reverse("wbs:item_rows", args=[project.pk])
    html = manager_client.get(url, {"offset": 1}, headers=htmx_headers).content.decode()
    assert html.count('class="wbs-row ') == 1 and 'data-code="2"' in html and "Show more" not in html


def test_open_items_and_a_link_to_an_item_open_its_path(manager_client, project, settings):
    settings.WBS_TREE_ITEM_PAGE = 2
    kitchen = item("Kitchen")
    deep = wbs_tree.wbs_item_create(project=project, title="Taps", parent=item("Plumbing"))
    for number in range(3):
        wbs_tree.wbs_item_create(project=project, title=f"Cupboard {number}", parent=kitchen)
    html = manager_client.get(project.get_absolute_url(), {"open": f"{kitchen.pk},x,"}).content.decode()
    assert 'data-code="1.2"' in html and 'data-code="1.1.1"' not in html and "2 more" in html
    # A link to 1.1.1 opens 1 and 1.1; the path's page stretches to show it.
    cupboard = item("Cupboard 2")
    html = manager_client.get(project.get_absolute_url(), {"item": cupboard.pk}).content.decode()
    assert 'data-code="1.4"' in html and "Cupboard 2" in html
    html = manager_client.get(project.get_absolute_url(), {"item": deep.pk}).content.decode()
    assert 'data-code="1.1.1"' in html and html.count('aria-expanded="true"') == 2


def test_a_write_keeps_the_open_items_of_the_page(manager_client, project, htmx_headers):
    kitchen = item("Kitchen")
    page = f"http://testserver{project.get_absolute_url()}?open={kitchen.pk}"
    url = reverse("wbs:item_reorder", args=[project.pk])
    response = manager_client.post(
        url, {"item": item("Bathroom").pk, "direction": "up"}, headers={**htmx_headers, "HX-Current-URL": page}
    )
    assert 'data-code="2.1"' in response.content.decode()


def test_the_sub_items_without_htmx_open_the_tree_at_the_item(manager_client, project):
    kitchen = item("Kitchen")
    response = manager_client.get(reverse("wbs:item_rows", args=[project.pk]), {"parent": kitchen.pk})
    assert response["Location"] == f"{project.get_absolute_url()}?item={kitchen.pk}#wbs-item-{kitchen.pk}"
    other = Project.objects.create(name="Winter maintenance")
    response = manager_client.get(reverse("wbs:item_rows", args=[other.pk]), {"parent": kitchen.pk})
    assert response.status_code == 404


def test_the_item_fields_suggest_a_bounded_list_as_one_types(
    manager_client, project, htmx_headers, settings, django_assert_num_queries
):
    settings.WBS_TREE_PICKER_CHOICES = 3
    grow(project, items=10, tasks_per_item=0)
    html = manager_client.get(project.get_absolute_url()).content.decode()
    assert '<select name="anchor"' not in html and 'list="wbs-item-choices"' in html
    url = reverse("wbs:item_picker", args=[project.pk])
    # Session, user, roles, project, the matching items.
    with django_assert_num_queries(5):
        html = manager_client.get(url, {"parent": "room"}, headers=htmx_headers).content.decode()
    assert html.count("<option") == 3 and 'value="3 Room 0"' in html
    html = manager_client.get(url, {"anchor": "1."}, headers=htmx_headers).content.decode()
    assert html.count("<option") == 1 and 'value="1.1 Plumbing"' in html


def test_an_item_lists_its_tasks_on_demand_a_page_at_a_time(
    manager_client, project, settings, htmx_headers, django_assert_num_queries
):
    settings.WBS_TREE_TASK_PAGE = 3
    plumbing = item("Plumbing")
    for number in range(4):
        Task.objects.create(title=f"Pipe run {number}", wbs_item=plumbing, start_date=f"2026-11-0{number + 1}")
    url = reverse("wbs:item_task_rows", args=[plumbing.pk])
    # Session, user, roles, item with its project, one page of tasks with assignees.
    with django_assert_num_queries(5):
        html = manager_client.get(url, headers=htmx_headers).content.decode()
    assert html.count("wbs-task-row") == 3
    assert "Pipe run 0" in html and "Pipe run 3" not in html
    assert f"{url}?offset=3" in html
    with django_assert_num_queries(5):
        html = manager_client.get(url, {"offset": 3}, headers=htmx_headers).content.decode()
    assert html.count("wbs-task-row") == 1 and "Pipe run 3" in html
    assert "offset=" not in html and "Hide tasks" in html
    assert manager_client.get(url, {"hide": 1}, headers=htmx_headers).content == b""


def test_the_task_rows_cost_the_same_queries_for_a_big_item(
    manager_client, project, htmx_headers, django_assert_num_queries
):
    plumbing = item("Plumbing")
    url = reverse("wbs:item_task_rows", args=[plumbing.pk])
    Task.objects.create(title="Only one", wbs_item=plumbing)
    with django_assert_num_queries(5):
        manager_client.get(url, headers=htmx_headers)
    Task.objects.bulk_create(Task(title=f"Pipe {number}", wbs_item=plumbing) for number in range(500))
    with django_assert_num_queries(5):
        html = manager_client.get(url, headers=htmx_headers).content.decode()
    assert html.count("wbs-task-row") == 50


def test_the_task_rows_without_htmx_send_to_the_item_page(manager_client, project):
    plumbing = item("Plumbing")
    response = manager_client.get(reverse("wbs:item_task_rows", args=[plumbing.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wbs:item_edit", args=[plumbing.pk]) + "#item-tasks"


def test_the_tree_flags_late_and_blocked_work_on_every_item_above_it(manager_client, project):
    plumbing = item("Plumbing")
    Task.objects.create(title="Overdue", wbs_item=plumbing, due_date="2020-01-01")
    Task.objects.create(title="Finished late", wbs_item=plumbing, due_date="2020-01-01", status=TaskStatus.DONE)
    Task.objects.create(title="Stuck", wbs_item=plumbing, status=TaskStatus.BLOCKED)
    html = manager_client.get(project.get_absolute_url(), {"item": plumbing.pk}).content.decode()
    # Plumbing and Kitchen above it both show the flags; Bathroom shows none.
    assert html.count("1 late</span>") == 2
    assert html.count("1 blocked</span>") == 2


# --- Reshaping the tree ---


def test_it_adds_a_child_by_htmx_and_answers_with_the_new_tree(manager_client, project, htmx_headers):
    url = reverse("wbs:item_add", args=[project.pk])
    response = manager_client.post(
        url, {"title": "Tiling", "place": "child", "anchor": "1 Kitchen"}, headers=htmx_headers
    )
    assert response.status_code == 200
    # The new item's path opens, so it is in view.
    assert 'data-code="1.2"' in response.content.decode()
    assert tree_codes(project) == ["1 Kitchen", "1.1 Plumbing", "1.2 Tiling", "2 Bathroom"]
    entry = AuditEntry.objects.for_object(item("Tiling")).get()
    assert entry.action == AuditAction.CREATE
    assert entry.actor is not None


def test_it_adds_a_sibling_after_an_item_without_javascript(manager_client, project):
    url = reverse("wbs:item_add", args=[project.pk])
    response = manager_client.post(url, {"title": "Hallway", "place": "after", "anchor": "1"})
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert tree_codes(project) == ["1 Kitchen", "1.1 Plumbing", "2 Hallway", "3 Bathroom"]


def test_it_adds_at_the_top_level_when_no_item_is_chosen(manager_client, project, htmx_headers):
    manager_client.post(reverse("wbs:item_add", args=[project.pk]), {"title": "Garden", "place": "child"})
    assert tree_codes(project)[-1] == "3 Garden"


def test_a_blank_title_is_refused_with_a_message_and_nothing_written(manager_client, project, htmx_headers):
    before = WbsItem.objects.count(), AuditEntry.objects.count()
    response = manager_client.post(
        reverse("wbs:item_add", args=[project.pk]), {"title": "   ", "place": "child"}, headers=htmx_headers
    )
    assert response.status_code == 400
    assert "Give the item a title." in response.content.decode()
    assert (WbsItem.objects.count(), AuditEntry.objects.count()) == before


def test_an_unknown_item_code_is_refused(manager_client, project, htmx_headers):
    other = Project.objects.create(name="Winter maintenance")
    for title in ("Roof", "Gutters", "Garden"):
        wbs_tree.wbs_item_create(project=other, title=title)
    count = WbsItem.objects.count()
    url = reverse("wbs:item_add", args=[project.pk])
    response = manager_client.post(url, {"title": "Gutters", "anchor": "3 Garden"}, headers=htmx_headers)
    assert response.status_code == 400
    assert "This project has no item 3." in response.content.decode()
    assert 'value="3 Garden"' in response.content.decode()
    response = manager_client.post(url, {"title": "Gutters", "anchor": "Garden"}, headers=htmx_headers)
    assert "Type an item&#x27;s code" in response.content.decode()
    assert WbsItem.objects.count() == count


def test_it_moves_an_item_with_its_subtree(manager_client, project, htmx_headers):
    url = reverse("wbs:item_move", args=[project.pk])
    response = manager_client.post(url, {"item": "1 Kitchen", "parent": "2"}, headers=htmx_headers)
    assert response.status_code == 200
    assert tree_codes(project) == ["1 Bathroom", "1.1 Kitchen", "1.1.1 Plumbing"]


def test_moving_an_item_into_itself_says_why_and_writes_nothing(manager_client, project, htmx_headers):
    entries = AuditEntry.objects.count()
    url = reverse("wbs:item_move", args=[project.pk])
    response = manager_client.post(url, {"item": "1", "parent": "1.1 Plumbing"}, headers=htmx_headers)
    assert response.status_code == 400
    assert "cannot move under" in response.content.decode()
    assert tree_codes(project) == ["1 Kitchen", "1.1 Plumbing", "2 Bathroom"]
    assert AuditEntry.objects.count() == entries


def test_it_reorders_by_htmx_and_renumbers(manager_client, project, htmx_headers):
    url = reverse("wbs:item_reorder", args=[project.pk])
    response = manager_client.post(url, {"item": item("Bathroom").pk, "direction": "up"}, headers=htmx_headers)
    assert response.status_code == 200
    assert tree_codes(project) == ["1 Bathroom", "2 Kitchen", "2.1 Plumbing"]
    assert 'id="wbs-tree"' in response.content.decode()


def test_reordering_past_the_end_is_a_toast_for_htmx(manager_client, project, htmx_headers):
    url = reverse("wbs:item_reorder", args=[project.pk])
    response = manager_client.post(url, {"item": item("Kitchen").pk, "direction": "up"}, headers=htmx_headers)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#toasts"
    assert "already the first" in response.content.decode()


def test_it_changes_the_rollup_method(manager_client, project, htmx_headers):
    url = reverse("wbs:project_rollup", args=[project.pk])
    response = manager_client.post(url, {"rollup_method": RollupMethod.WEIGHT}, headers=htmx_headers)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.rollup_method == RollupMethod.WEIGHT
    assert AuditEntry.objects.for_object(project).get().changes == {"rollup_method": ["count", "weight"]}
    response = manager_client.post(url, {"rollup_method": "vibes"}, headers=htmx_headers)
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.rollup_method == RollupMethod.WEIGHT


# --- Project and item forms ---


def test_it_creates_a_project(manager_client):
    response = manager_client.post(
        reverse("wbs:project_create"), {"name": " Winter maintenance ", "rollup_method": "duration"}
    )
    project = Project.objects.get()
    assert response["Location"] == project.get_absolute_url()
    assert project.name == "Winter maintenance"
    assert AuditEntry.objects.for_object(project).get().action == AuditAction.CREATE


def test_a_project_without_a_name_is_refused(manager_client):
    response = manager_client.post(reverse("wbs:project_create"), {"name": "", "rollup_method": "count"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Project.objects.count() == 0


def test_it_edits_a_project_and_audits_the_change(manager_client, project):
    response = manager_client.post(
        reverse("wbs:project_edit", args=[project.pk]), {"name": "Beach House refit", "rollup_method": "count"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.for_object(project).get().changes == {
        "name": ["Renovate Beach House", "Beach House refit"]
    }


def test_it_edits_an_item(manager_client, project):
    kitchen = item("Kitchen")
    url = reverse("wbs:item_edit", args=[kitchen.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(
        url,
        {
            "title": "Kitchen",
            "status": "on_hold",
            "planned_start": "2026-11-02",
            "planned_end": "2026-11-20",
            "weight": "2",
        },
    )
    # Back to the tree, opened at the item.
    assert response["Location"] == f"{project.get_absolute_url()}?item={kitchen.pk}#wbs-item-{kitchen.pk}"
    kitchen.refresh_from_db()
    assert kitchen.status == "on_hold"
    changes = AuditEntry.objects.for_object(kitchen).filter(action=AuditAction.UPDATE).get().changes
    assert changes["status"] == ["not_started", "on_hold"]


def test_an_item_ending_before_it_starts_is_refused(manager_client, project):
    kitchen = item("Kitchen")
    response = manager_client.post(
        reverse("wbs:item_edit", args=[kitchen.pk]),
        {
            "title": "Kitchen",
            "status": "not_started",
            "planned_start": "2026-11-20",
            "planned_end": "2026-11-02",
            "weight": "1",
        },
    )
    assert response.status_code == 400
    assert "cannot be before the planned start" in response.content.decode()
    kitchen.refresh_from_db()
    assert kitchen.planned_start is None


def test_it_deletes_an_empty_item_and_explains_when_it_cannot(manager_client, project):
    response = manager_client.post(reverse("wbs:item_delete", args=[item("Kitchen").pk]))
    assert response.status_code == 400
    assert "still has sub-items" in response.content.decode()
    response = manager_client.post(reverse("wbs:item_delete", args=[item("Plumbing").pk]))
    assert response.status_code == 302
    assert tree_codes(project) == ["1 Kitchen", "2 Bathroom"]


# --- Back button, caches and stray parameters ---


def test_a_history_restore_of_the_tree_gets_the_whole_page(manager_client, project):
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}

    response = manager_client.get(project.get_absolute_url(), headers=restore)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "Kitchen" in html
    assert "HX-Request" in response["Vary"]


def test_the_list_and_the_tree_ignore_parameters_they_do_not_take(manager_client, project):
    for url in (reverse("wbs:projects"), project.get_absolute_url()):
        response = manager_client.get(url, GARBAGE_PARAMS)
        assert response.status_code == 200
        assert "Renovate Beach House" in response.content.decode()
