"""A database that cannot be reached (restarting, failing over) answers 503 with Retry-After, never our 500 page."""

from unittest import mock

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db


def unreachable():
    # What psycopg raises while PostgreSQL restarts: every new cursor needs a connection that cannot be made.
    error = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    return mock.patch.object(connections["default"], "ensure_connection", side_effect=error)


def test_it_answers_503_when_the_session_cannot_be_loaded(client, manager):
    client.raise_request_exception = False
    client.force_login(manager)
    with unreachable():
        response = client.get("/today/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Temporarily unavailable" in response.content
    assert b"Nothing was saved" in response.content


def test_it_answers_htmx_requests_with_a_toast_in_place(client, cleaner, htmx_headers):
    client.raise_request_exception = False
    client.force_login(cleaner)
    with unreachable():
        response = client.post("/my/tasks/1/start/", headers=htmx_headers)
    assert response.status_code == 503
    assert response["HX-Retarget"] == "#toasts"
    assert b'class="toast toast-error"' in response.content
    assert b"<html" not in response.content


def test_it_keeps_the_500_page_for_other_errors(client, manager):
    client.raise_request_exception = False
    client.force_login(manager)
    with mock.patch("wbs.views.today.render_page", side_effect=RuntimeError("a bug")):
        response = client.get("/today/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
