"""The app compresses its own HTML and JSON, and leaves photos and spreadsheets alone."""

import gzip

import pytest


@pytest.mark.django_db
def test_it_compresses_a_page_for_clients_that_accept_gzip(client, manager):
    client.force_login(manager)
    response = client.get("/bookings/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"<html" in gzip.decompress(response.content)


@pytest.mark.django_db
def test_it_sends_plain_html_to_clients_that_do_not_accept_gzip(client, manager):
    client.force_login(manager)
    response = client.get("/bookings/")
    assert not response.has_header("Content-Encoding")
    assert b"<html" in response.content


@pytest.mark.django_db
def test_it_leaves_spreadsheets_uncompressed(client, manager):
    client.force_login(manager)
    response = client.get("/bookings/export/?format=xlsx", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
