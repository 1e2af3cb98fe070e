"""The task page and its HTMX parts: status (with the confirm step), assignee, tags, checklist, comments."""

import pytest
from django.urls import reverse

from core.models import AuditAction, AuditEntry
from wbs.models import ChecklistItem, DependencyType, Project, Tag, Task, TaskComment, TaskStatus
from wbs.services import wbs_tree
from wbs.services.dependencies import dependency_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(cleaner):
    project = Project.objects.create(name="Renovate Beach House")
    kitchen = wbs_tree.wbs_item_create(project=project, title="Kitchen")
    task = Task.objects.create(title="Tile floor", wbs_item=kitchen, assignee=cleaner, description="Large tiles")
    ChecklistItem.objects.create(task=task, text="Level the floor", position=1)
    return task


def url(name: str, task: Task) -> str:
    return reverse(name, args=[task.pk])


# --- Access ---


def test_it_sends_anonymous_visitors_to_sign_in(client, task):
    response = client.get(task.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_cleaner_opens_their_own_task(cleaner_client, task):
    response = cleaner_client.get(task.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tile floor" in html
    assert "Add dependency" not in html  # managing the task is for managers
    assert "Level the floor" in html


def test_a_cleaner_gets_404_for_someone_elses_task(client, task, other_cleaner):
    client.force_login(other_cleaner)
    assert client.get(task.get_absolute_url()).status_code == 404
    response = client.post(url("wbs:task_status", task), {"status": "done"})
    assert response.status_code == 404
    item = task.checklist.get()
    assert client.post(reverse("wbs:checklist_toggle", args=[item.pk]), {"done": "1"}).status_code == 404
    task.refresh_from_db()
    item.refresh_from_db()
    assert (task.status, item.done) == (TaskStatus.TODO, False)


def test_a_cleaner_may_not_manage_a_task(cleaner_client, task, manager):
    assert cleaner_client.get(url("wbs:task_edit", task)).status_code == 403
    response = cleaner_client.post(url("wbs:task_assignee", task), {"assignee": manager.pk})
    assert response.status_code == 403
    assert cleaner_client.post(url("wbs:task_delete", task)).status_code == 403
    task.refresh_from_db()
    assert task.assignee_id != manager.pk and not task.is_deleted


def test_a_deleted_task_answers_404(manager_client, task, manager):
    from wbs.services.tasks import task_delete

    task_delete(task=task, user=manager)
    assert manager_client.get(task.get_absolute_url()).status_code == 404


# --- The page ---


def test_the_page_shows_every_part(manager_client, task):
    response = manager_client.get(task.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for part in ("task-status", "task-assignee", "task-tags", "task-checklist", "task-dependencies", "task-comments"):
        assert f'id="{part}"' in html
    assert 'id="history"' in html
    assert "Renovate Beach House" in html


def test_the_page_runs_a_fixed_number_of_queries(manager_client, task, django_assert_num_queries):
    manager_client.get(task.get_absolute_url())
    # Session, user, roles; task, tags; checklist, predecessors, successors, comments, history; the assignee,
    # tag and predecessor choices.
    with django_assert_num_queries(13) as first:
        manager_client.get(task.get_absolute_url())
    for number in range(10):
        other = Task.objects.create(title=f"Step {number}", wbs_item=task.wbs_item)
        dependency_add(predecessor=other, successor=task)
        ChecklistItem.objects.create(task=task, text=f"Check {number}", position=number + 2)
        TaskComment.objects.create(task=task, body=f"Note {number}")
    with django_assert_num_queries(len(first.captured_queries)):
        manager_client.get(task.get_absolute_url())


# --- Status ---


def test_it_changes_the_status_by_htmx(cleaner_client, task, htmx_headers):
    response = cleaner_client.post(url("wbs:task_status", task), {"status": "in_progress"}, headers=htmx_headers)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="task-status"')
    assert "task-changed" in response["HX-Trigger"]
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.started_at is not None
    entry = AuditEntry.objects.for_object(task).get(action=AuditAction.UPDATE)
    assert entry.changes["status"] == ["todo", "in_progress"]


def test_it_changes_the_status_without_javascript(manager_client, task):
    response = manager_client.post(url("wbs:task_status", task), {"status": "blocked"})
    assert response.status_code == 302
    assert response["Location"] == task.get_absolute_url()


def test_done_with_an_open_predecessor_asks_to_confirm_first(manager_client, task, htmx_headers):
    plaster = Task.objects.create(title="Plaster walls")
    dependency_add(predecessor=plaster, successor=task, type=DependencyType.FS)
    response = manager_client.post(url("wbs:task_status", task), {"status": "done"}, headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 409
    assert "waits for “Plaster walls” to finish first" in html
    assert "Mark done anyway" in html
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO

    response = manager_client.post(
        url("wbs:task_status", task), {"status": "done", "confirmed": "on"}, headers=htmx_headers
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_cleaner_finishes_under_the_field_rules(cleaner_client, task, htmx_headers):
    response = cleaner_client.post(url("wbs:task_status", task), {"status": "done"}, headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Tick “Level the floor”." in html
    assert "Mark done anyway" not in html  # only a manager may override
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO

    cleaner_client.post(reverse("wbs:checklist_toggle", args=[task.checklist.get().pk]), {"done": "1"})
    response = cleaner_client.post(url("wbs:task_status", task), {"status": "done"}, headers=htmx_headers)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_cleaner_may_not_cancel(cleaner_client, task, htmx_headers):
    assert 'value="cancelled"' not in cleaner_client.get(task.get_absolute_url()).content.decode()
    response = cleaner_client.post(url("wbs:task_status", task), {"status": "cancelled"}, headers=htmx_headers)
    assert response.status_code == 403
    assert "Only a manager can cancel" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_a_closed_tasks_checklist_does_not_change(manager_client, task, htmx_headers):
    task.status = TaskStatus.DONE
    task.save()
    item = task.checklist.get()
    response = manager_client.post(reverse("wbs:checklist_toggle", args=[item.pk]), {"done": "1"}, headers=htmx_headers)
    assert response.status_code == 409
    assert "reopen it to change its checklist" in response.content.decode()
    item.refresh_from_db()
    assert not item.done


def test_an_unknown_status_is_refused(manager_client, task, htmx_headers):
    response = manager_client.post(url("wbs:task_status", task), {"status": "finished"}, headers=htmx_headers)
    assert response.status_code == 400
    assert "Pick one of the statuses." in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


# --- Assignee and tags ---


def test_it_changes_the_assignee(manager_client, task, other_cleaner, htmx_headers):
    response = manager_client.post(url("wbs:task_assignee", task), {"assignee": other_cleaner.pk}, headers=htmx_headers)
    assert response.status_code == 200
    assert 'id="task-assignee"' in response.content.decode()
    task.refresh_from_db()
    assert task.assignee == other_cleaner


def test_it_refuses_an_assignee_without_a_role(manager_client, task, django_user_model, htmx_headers):
    stranger = django_user_model.objects.create_user(username="stranger", password="x")
    response = manager_client.post(url("wbs:task_assignee", task), {"assignee": stranger.pk}, headers=htmx_headers)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    task.refresh_from_db()
    assert task.assignee.username == "cleaner"


def test_it_sets_tags_and_creates_a_new_one(manager_client, task, htmx_headers):
    urgent = Tag.objects.create(name="urgent", color="#dc2626")
    response = manager_client.post(
        url("wbs:task_tags", task),
        {"tags": [urgent.pk], "new_tag": "tiling", "new_tag_color": "#0ea5e9"},
        headers=htmx_headers,
    )
    assert response.status_code == 200
    assert sorted(task.tags.values_list("name", flat=True)) == ["tiling", "urgent"]
    assert Tag.objects.get(name="tiling").color == "#0ea5e9"
    entry = AuditEntry.objects.for_object(task).get(action=AuditAction.UPDATE)
    assert entry.changes == {"tags": [[], ["tiling", "urgent"]]}


def test_a_bad_tag_colour_is_refused_and_nothing_written(manager_client, task, htmx_headers):
    response = manager_client.post(
        url("wbs:task_tags", task), {"new_tag": "tiling", "new_tag_color": "blue"}, headers=htmx_headers
    )
    assert response.status_code == 400
    assert "Pick a colour like #0ea5e9." in response.content.decode()
    assert not Tag.objects.exists()


# --- Checklist and comments ---


def test_it_adds_and_ticks_checklist_items(manager_client, task, htmx_headers):
    response = manager_client.post(
        url("wbs:checklist_add", task), {"checklist-text": "Buy spacers"}, headers=htmx_headers
    )
    assert response.status_code == 200
    assert "Buy spacers" in response.content.decode()
    item = task.checklist.get(text="Buy spacers")
    assert item.position == 2

    response = manager_client.post(reverse("wbs:checklist_toggle", args=[item.pk]), {"done": "1"}, headers=htmx_headers)
    assert response.status_code == 200
    assert 'aria-checked="true"' in response.content.decode()
    item.refresh_from_db()
    assert item.done and item.done_by.username == "manager"
    messages = list(AuditEntry.objects.for_object(task).values_list("message", flat=True))
    assert "Checklist ticked" in messages and "Checklist: added “Buy spacers”" in messages


def test_a_cleaner_ticks_their_own_checklist_without_javascript(cleaner_client, task):
    item = task.checklist.get()
    response = cleaner_client.post(reverse("wbs:checklist_toggle", args=[item.pk]), {"done": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done


def test_an_empty_checklist_item_is_refused(manager_client, task, htmx_headers):
    response = manager_client.post(url("wbs:checklist_add", task), {"checklist-text": "  "}, headers=htmx_headers)
    assert response.status_code == 400
    assert "Write what needs doing." in response.content.decode()
    assert task.checklist.count() == 1


def test_it_posts_a_comment(cleaner_client, task, htmx_headers):
    response = cleaner_client.post(
        url("wbs:task_comment", task), {"comment-body": "Tiles arrive Friday"}, headers=htmx_headers
    )
    assert response.status_code == 200
    assert "Tiles arrive Friday" in response.content.decode()
    assert TaskComment.objects.get().author.username == "cleaner"
    assert AuditEntry.objects.for_object(task).get().message == "Commented"


def test_an_empty_comment_is_refused(cleaner_client, task, htmx_headers):
    response = cleaner_client.post(url("wbs:task_comment", task), {"comment-body": ""}, headers=htmx_headers)
    assert response.status_code == 400
    assert "A comment needs some text." in response.content.decode()
    assert not TaskComment.objects.exists()


def test_the_history_part_reloads_on_its_own(manager_client, task, htmx_headers):
    manager_client.post(url("wbs:task_status", task), {"status": "in_progress"}, headers=htmx_headers)
    response = manager_client.get(url("wbs:task_history", task), headers=htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="task-history"')
    assert "In progress" in html and "in_progress" not in html


# --- Create, edit, delete ---


def test_the_new_task_form_is_prefilled_from_the_wbs_row(manager_client, task):
    response = manager_client.get(reverse("wbs:task_create") + f"?wbs_item={task.wbs_item_id}")
    assert response.status_code == 200
    assert 'value="Renovate Beach House › 1 Kitchen"' in response.content.decode()


def test_it_creates_a_task_with_tags(manager_client, task, cleaner):
    finishing = Tag.objects.create(name="finishing")
    response = manager_client.post(
        reverse("wbs:task_create"),
        {
            "title": "Grout",
            "wbs_item": "Renovate Beach House › 1 Kitchen",
            "type": "project_work",
            "priority": 3,
            "assignee": cleaner.pk,
            "tags": [finishing.pk],
            "start_date": "2026-11-23",
            "due_date": "2026-11-24",
            "progress": 0,
        },
    )
    grout = Task.objects.get(title="Grout")
    assert response["Location"] == grout.get_absolute_url()
    assert list(grout.tags.values_list("name", flat=True)) == ["finishing"]
    entry = AuditEntry.objects.for_object(grout).get()
    assert entry.action == AuditAction.CREATE
    assert entry.changes["tags"] == [None, ["finishing"]]


def test_a_task_due_before_it_starts_is_refused(manager_client):
    response = manager_client.post(
        reverse("wbs:task_create"),
        {
            "title": "Grout",
            "type": "other",
            "priority": 2,
            "start_date": "2026-11-24",
            "due_date": "2026-11-23",
            "progress": 0,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The due date cannot be before the start date." in html
    assert 'value="Grout"' in html  # the input is kept
    assert not Task.objects.filter(title="Grout").exists()


def test_it_edits_a_task_and_audits_each_changed_field(manager_client, task):
    response = manager_client.post(
        url("wbs:task_edit", task),
        {
            "title": "Tile kitchen floor",
            "wbs_item": "Renovate Beach House › 1 Kitchen",
            "type": "project_work",
            "priority": 2,
            "progress": 10,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Tile kitchen floor"
    changes = AuditEntry.objects.for_object(task).get(action=AuditAction.UPDATE).changes
    assert changes["title"] == ["Tile floor", "Tile kitchen floor"]
    assert changes["progress"] == [0, 10]


def test_it_soft_deletes_a_task(manager_client, task, htmx_headers):
    response = manager_client.post(url("wbs:task_delete", task), headers=htmx_headers)
    assert response.status_code == 200
    assert response["HX-Redirect"] == task.wbs_item.project.get_absolute_url()
    assert Task.all_objects.get(pk=task.pk).is_deleted
    assert AuditEntry.objects.for_object(task).get().action == AuditAction.DELETE
