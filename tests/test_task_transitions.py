"""Who may move a task where (wbs.transitions), through every way a status changes: the task page's status
form, the field app's Start and Done, the board's move, and task_set_status itself."""

import pytest
from django.urls import reverse

from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from tests.factories import make_cleaning_task
from wbs.models import Task, TaskStatus
from wbs.services.board import board_move_card
from wbs.services.tasks import task_set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(cleaner):
    return make_cleaning_task(assignee=cleaner, checklist=[])


def set_status(task: Task, status: str) -> Task:
    Task.objects.filter(pk=task.pk).update(status=status)
    task.refresh_from_db()
    return task


def status_entries(task: Task) -> int:
    return AuditEntry.objects.filter(object_id=str(task.pk), action="update", changes__has_key="status").count()


@pytest.mark.parametrize(
    ("closed", "wanted"),
    [
        (TaskStatus.CANCELLED, TaskStatus.IN_PROGRESS),
        (TaskStatus.CANCELLED, TaskStatus.TODO),
        (TaskStatus.DONE, TaskStatus.TODO),
        (TaskStatus.DONE, TaskStatus.IN_PROGRESS),
        (TaskStatus.DONE, TaskStatus.BLOCKED),
    ],
)
def test_a_cleaner_cannot_reopen_a_closed_task_from_the_task_page(cleaner_client, task, htmx_headers, closed, wanted):
    set_status(task, closed)

    response = cleaner_client.post(reverse("wbs:task_status", args=[task.pk]), {"status": wanted}, headers=htmx_headers)

    assert response.status_code == 409
    assert "only a manager can reopen it" in response.content.decode()
    task.refresh_from_db()
    assert task.status == closed
    assert status_entries(task) == 0


@pytest.mark.parametrize("closed", [TaskStatus.CANCELLED, TaskStatus.DONE])
def test_a_manager_reopens_a_closed_task_from_the_task_page(manager_client, task, htmx_headers, closed):
    set_status(task, closed)

    response = manager_client.post(
        reverse("wbs:task_status", args=[task.pk]), {"status": TaskStatus.TODO}, headers=htmx_headers
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO
    entry = AuditEntry.objects.get(object_id=str(task.pk), action="update", changes__has_key="status")
    assert entry.changes["status"] == [closed, TaskStatus.TODO]


def test_a_cleaner_moves_freely_between_the_open_statuses(cleaner_client, task, htmx_headers):
    for status in (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.TODO):
        response = cleaner_client.post(
            reverse("wbs:task_status", args=[task.pk]), {"status": status}, headers=htmx_headers
        )
        assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_a_cleaner_is_offered_only_the_moves_they_may_make(cleaner_client, task):
    set_status(task, TaskStatus.DONE)

    html = cleaner_client.get(task.get_absolute_url()).content.decode()

    buttons = html.split('class="task-status-buttons"')[1].split("</form>")[0]
    assert 'value="done"' in buttons
    assert 'value="todo"' not in buttons and 'value="in_progress"' not in buttons


@pytest.mark.parametrize("closed", [TaskStatus.CANCELLED, TaskStatus.DONE])
def test_the_field_start_does_not_reopen_a_closed_task_for_a_cleaner(cleaner_client, task, closed):
    set_status(task, closed)

    response = cleaner_client.post(reverse("wbs:my_task_start", args=[task.pk]))

    # Start on a finished task is a second tap (nothing to do); on a cancelled one it is refused.
    assert response.status_code == (409 if closed == TaskStatus.CANCELLED else 302)
    task.refresh_from_db()
    assert task.status == closed
    assert status_entries(task) == 0


def test_the_field_done_refuses_a_cancelled_task_before_its_checklist(cleaner_client, cleaner):
    task = set_status(make_cleaning_task(assignee=cleaner), TaskStatus.CANCELLED)

    response = cleaner_client.post(reverse("wbs:my_task_done", args=[task.pk]))

    assert response.status_code == 409
    assert "was cancelled" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CANCELLED


def test_a_second_done_on_the_field_page_is_a_quiet_no_op(cleaner_client, task):
    cleaner_client.post(reverse("wbs:my_task_done", args=[task.pk]))
    response = cleaner_client.post(reverse("wbs:my_task_done", args=[task.pk]))

    assert response.status_code == 302
    assert list(
        AuditEntry.objects.filter(object_id=str(task.pk), action="update", changes__has_key="status")
        .order_by("id")
        .values_list("changes__status", flat=True)
    ) == [["todo", "in_progress"], ["in_progress", "done"]]


@pytest.mark.parametrize(("closed", "wanted"), [(TaskStatus.CANCELLED, "in_progress"), (TaskStatus.DONE, "todo")])
def test_the_board_move_refuses_a_cleaner_what_the_task_page_refuses(task, cleaner, closed, wanted):
    set_status(task, closed)

    with pytest.raises(Conflict, match="only a manager can reopen it"):
        board_move_card(task=task, status=wanted, user=cleaner)

    assert Task.objects.get(pk=task.pk).status == closed


def test_the_board_is_a_managers_page(cleaner_client, task):
    response = cleaner_client.post(reverse("wbs:board_move"), {"task": task.pk, "status": "in_progress"})
    assert response.status_code == 403


@pytest.mark.parametrize("closed", [TaskStatus.CANCELLED, TaskStatus.DONE])
def test_a_manager_moves_a_closed_card_back_on_the_board(manager_client, task, htmx_headers, closed):
    set_status(task, closed)

    response = manager_client.post(
        reverse("wbs:board_move"), {"task": task.pk, "status": "in_progress"}, headers=htmx_headers
    )

    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS


def test_a_move_already_made_writes_nothing(task, manager):
    task_set_status(task=task, status=TaskStatus.BLOCKED, user=manager)
    stale = Task.objects.get(pk=task.pk)
    stale.status = TaskStatus.TODO  # what a second client still shows

    assert task_set_status(task=stale, status=TaskStatus.BLOCKED, user=manager) == {}
    assert status_entries(task) == 1


def test_an_unknown_status_is_invalid_input_not_a_conflict(task, manager):
    with pytest.raises(InvalidInput):
        task_set_status(task=task, status="finished", user=manager)


def test_a_cleaner_cannot_cancel_through_the_service(task, cleaner):
    with pytest.raises(Conflict, match="Only a manager can cancel"):
        task_set_status(task=task, status=TaskStatus.CANCELLED, user=cleaner)
