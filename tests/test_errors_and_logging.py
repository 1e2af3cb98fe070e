"""Typed errors become friendly pages or in-place toasts; every request logs one JSON line with its id."""

import json
import logging

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_probe")]


def test_it_renders_an_app_error_as_a_page_with_its_status(manager_client):
    response = manager_client.get("/probe/conflict/")
    assert response.status_code == 409
    assert b"Someone changed this booking" in response.content
    assert b"<html" in response.content


def test_it_renders_an_app_error_in_place_for_htmx(manager_client, htmx_headers):
    response = manager_client.get("/probe/conflict/", headers=htmx_headers)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#toasts"
    assert response["HX-Reswap"] == "beforeend"
    assert b'class="toast toast-error"' in response.content
    assert b"<html" not in response.content


def test_it_answers_forbidden_htmx_requests_in_place(cleaner_client, htmx_headers):
    response = cleaner_client.get("/probe/manager/", headers=htmx_headers)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#toasts"


def test_it_uses_our_404_page(manager_client):
    response = manager_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"There is nothing here" in response.content


def test_it_hides_unexpected_errors_behind_our_500_page(client, manager):
    client.raise_request_exception = False
    client.force_login(manager)
    response = client.get("/probe/crash/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"passwd" not in response.content


def test_it_logs_one_json_line_per_request_and_echoes_the_request_id(manager_client, manager, caplog):
    with caplog.at_level(logging.INFO, logger="stayops.request"):
        response = manager_client.get("/probe/manager/", headers={"X-Request-ID": "lb-1234.abc"})
    assert response["X-Request-ID"] == "lb-1234.abc"
    records = [record for record in caplog.records if record.name == "stayops.request"]
    assert len(records) == 1
    fields = records[0].fields
    assert fields["request_id"] == "lb-1234.abc"
    assert fields["user_id"] == manager.pk
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/probe/manager/", 200)
    assert fields["duration_ms"] >= 0

    from core.logging import JsonFormatter

    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "lb-1234.abc" and line["level"] == "INFO"


def test_it_replaces_an_unsafe_incoming_request_id(client):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "bad id\nwith newline"})
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_it_delivers_queued_messages_to_htmx_swaps_as_toasts(manager_client, htmx_headers):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    # Queue a message the way a previous request would have, through the messages cookie.
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Saved the booking.")
    response_with_cookie = manager_client.get("/probe/partial/")
    storage.update(response_with_cookie)
    manager_client.cookies.update(response_with_cookie.cookies)

    response = manager_client.get("/probe/partial/", headers=htmx_headers)
    assert b'hx-swap-oob="beforeend"' in response.content
    assert b"Saved the booking." in response.content


def test_a_history_restore_gets_the_error_page_not_a_toast(manager_client):
    response = manager_client.get(
        "/probe/conflict/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert response.status_code == 409
    assert "HX-Retarget" not in response
    assert b"<html" in response.content
