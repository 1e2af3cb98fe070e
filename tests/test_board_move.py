"""Moving cards on the board (wbs:board_move and wbs.services.board): status, position, WIP limits, FS rule."""

import math

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from core.models import AuditEntry
from tests.factories import link, make_task, make_tasks
from wbs.models import BoardColumn, Task, TaskStatus
from wbs.services.board import board_move_card
from wbs.services.positions import POSITION_GAP

pytestmark = pytest.mark.django_db
MOVE = reverse("wbs:board_move")


def positions(status: str) -> list[str]:
    return list(Task.objects.filter(status=status).order_by("position", "id").values_list("title", flat=True))


def test_it_moves_a_card_between_two_cards_of_another_column(manager_client, htmx_headers):
    first, second = (
        make_task("First", status="in_progress", position=1024),
        make_task("Second", status="in_progress", position=2048),
    )
    card = make_task("Card", position=1024)

    response = manager_client.post(
        MOVE, {"task": card.pk, "status": "in_progress", "before": first.pk, "after": second.pk}, headers=htmx_headers
    )

    assert response.status_code == 200
    card.refresh_from_db()
    assert card.status == TaskStatus.IN_PROGRESS and card.position == 1536
    assert positions("in_progress") == ["First", "Card", "Second"]
    # The answer refreshes the column headers and the card out of band.
    html = response.content.decode()
    assert 'id="colhead-none-in_progress" class="board-column-head" hx-swap-oob="true"' in html
    assert f'id="card-{card.pk}"' in html
    assert AuditEntry.objects.filter(object_id=str(card.pk), changes__has_key="status").count() == 1


def test_it_reorders_within_a_column_with_one_write_and_an_audit_entry(manager_client, django_assert_num_queries):
    cards = make_tasks(3, statuses=["todo"])
    last = cards[2]

    board_move_card(task=last, status="todo", after_id=cards[0].pk)

    assert positions("todo") == ["Task 2", "Task 0", "Task 1"]
    assert AuditEntry.objects.filter(object_id=str(last.pk), action="move").exists()


@pytest.mark.parametrize("size", [30, 300])
def test_it_moves_a_card_in_a_constant_number_of_queries(manager_client, django_assert_num_queries, htmx_headers, size):
    cards = make_tasks(size, statuses=["todo", "in_progress"])
    todo = [card for card in cards if card.status == "todo"]
    doing = [card for card in cards if card.status == "in_progress"]
    ContentType.objects.get_for_model(Task)  # cached per process: whichever test runs first would pay for it

    # session, user, roles, task, the move (savepoint, on PostgreSQL the column's lock, the row locked, WIP
    # limit, neighbours, the cards below the one landed under), status save (savepoint, the row locked again,
    # one update of status and position, audit) and the answer: counts, totals (the default scope narrows),
    # limits, the card with its tags and links.
    with django_assert_num_queries(21 + (connection.vendor == "postgresql")):
        response = manager_client.post(
            MOVE,
            {"task": todo[3].pk, "status": "in_progress", "before": doing[0].pk, "after": doing[1].pk},
            headers=htmx_headers,
        )
    assert response.status_code == 200


def test_it_drops_at_the_top_or_the_bottom_of_a_column():
    top, bottom = make_task("Top", status="done", position=10), make_task("Bottom", status="done", position=20)
    above, below = make_task("Above"), make_task("Below")

    board_move_card(task=above, status="done", after_id=top.pk)
    board_move_card(task=below, status="done", before_id=bottom.pk, confirmed=True)

    assert positions("done") == ["Above", "Top", "Bottom", "Below"]
    assert Task.objects.get(pk=below.pk).position == 20 + POSITION_GAP


def test_it_makes_room_when_the_gap_runs_out():
    left, right = make_task("Left", position=1.0), make_task("Right", position=math.nextafter(1.0, math.inf))
    card = make_task("Card", status="in_progress")

    board_move_card(task=card, status="todo", before_id=left.pk, after_id=right.pk)

    assert positions("todo") == ["Left", "Card", "Right"]
    assert len(set(Task.objects.filter(status="todo").values_list("position", flat=True))) == 3


def test_it_warns_when_a_soft_wip_limit_is_passed(manager_client, htmx_headers):
    BoardColumn.objects.create(status="in_progress", wip_limit=1)
    make_task("Busy", status="in_progress")
    card = make_task("Card")

    response = manager_client.post(MOVE, {"task": card.pk, "status": "in_progress"}, headers=htmx_headers)

    assert response.status_code == 200
    assert "over its limit of 1" in response.content.decode()
    assert Task.objects.get(pk=card.pk).status == "in_progress"


def test_it_refuses_a_move_over_a_hard_wip_limit_and_writes_nothing(manager_client, htmx_headers):
    BoardColumn.objects.create(status="in_progress", wip_limit=1, hard_limit=True)
    make_task("Busy", status="in_progress")
    card = make_task("Card", position=5)
    entries = AuditEntry.objects.count()

    response = manager_client.post(MOVE, {"task": card.pk, "status": "in_progress"}, headers=htmx_headers)

    assert response.status_code == 409
    assert "at its limit of 1" in response.content.decode()
    assert response["HX-Retarget"] == "#toasts"
    card.refresh_from_db()
    assert (card.status, card.position) == ("todo", 5)
    assert AuditEntry.objects.count() == entries


def test_it_asks_to_confirm_done_while_a_finish_to_start_predecessor_is_open(manager_client, htmx_headers):
    grout = make_task("Grout")
    seal = make_task("Seal", status="in_progress")
    link(grout, seal)

    response = manager_client.post(MOVE, {"task": seal.pk, "status": "done"}, headers=htmx_headers)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#board-dialog"
    html = response.content.decode()
    assert "“Seal” waits for “Grout”" in html and "Mark done anyway" in html
    assert Task.objects.get(pk=seal.pk).status == "in_progress"


def test_it_marks_done_once_the_manager_confirms(manager_client):
    grout = make_task("Grout")
    seal = make_task("Seal", status="in_progress")
    link(grout, seal)

    response = manager_client.post(MOVE, {"task": seal.pk, "status": "done", "confirmed": "on", "q": ""})

    assert response.status_code == 302
    seal.refresh_from_db()
    assert seal.status == "done" and seal.completed_at is not None


def test_it_shows_the_confirmation_on_the_full_board_without_javascript(manager_client):
    grout = make_task("Grout")
    seal = make_task("Seal", status="in_progress")
    link(grout, seal)

    response = manager_client.post(MOVE, {"task": seal.pk, "status": "done"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "<html" in html and "Mark done anyway" in html


def test_the_phone_status_control_answers_with_the_whole_board(manager_client):
    card = make_task("Card")

    response = manager_client.post(
        f"{MOVE}?q=Card", {"task": card.pk, "status": "blocked"}, headers={"HX-Request": "true", "HX-Target": "board"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert Task.objects.get(pk=card.pk).status == "blocked"
    assert 'data-move-url="/board/move/?q=Card"' in html


def test_it_redirects_back_to_the_filtered_board_without_javascript(manager_client):
    card = make_task("Card")

    response = manager_client.post(f"{MOVE}?q=Card&lane=property", {"task": card.pk, "status": "done"})

    assert response.status_code == 302
    assert response["Location"] == "/board/?q=Card&lane=property"


def test_it_refuses_an_unknown_column_and_writes_nothing(manager_client):
    card = make_task("Card")

    response = manager_client.post(MOVE, {"task": card.pk, "status": "archived"})

    assert response.status_code == 400
    assert "Choose a task and one of the board" in response.content.decode()
    assert Task.objects.get(pk=card.pk).status == "todo"


def test_it_answers_404_for_a_deleted_task(manager_client):
    card = make_task("Card")
    Task.objects.filter(pk=card.pk).update(deleted_at="2026-01-01T00:00Z")

    assert manager_client.post(MOVE, {"task": card.pk, "status": "done"}).status_code == 404


def test_it_refuses_cleaners_and_anonymous_users(client, cleaner_client):
    card = make_task("Card")
    assert cleaner_client.post(MOVE, {"task": card.pk, "status": "done"}).status_code == 403
    client.logout()
    assert client.post(MOVE, {"task": card.pk, "status": "done"}).status_code == 302
    assert Task.objects.get(pk=card.pk).status == "todo"


def test_it_only_accepts_posts(manager_client):
    assert manager_client.get(MOVE).status_code == 405


def test_dropping_below_the_last_card_shown_lands_before_the_next_card_not_shown():
    shown = make_task("Shown", position=1024)
    make_task("Not shown yet", position=2048)
    card = make_task("Card", status="done", position=0)

    board_move_card(task=card, status="todo", before_id=shown.pk, confirmed=True)

    assert positions("todo") == ["Shown", "Card", "Not shown yet"]


def test_dropping_above_the_first_card_shown_stays_above_it():
    make_task("Earlier", position=512)
    first = make_task("First", position=1024)
    card = make_task("Card", status="done")

    board_move_card(task=card, status="todo", after_id=first.pk)

    assert positions("todo") == ["Earlier", "Card", "First"]
