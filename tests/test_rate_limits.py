"""Rate limits on imports, photo uploads, exports and calendar feeds: 429 as a page or an HTMX toast."""

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse

from core.errors import RateLimited
from core.ratelimits import check_rate, rate_limit
from tests.factories import make_cleaning_task
from tests.photo_files import jpeg_bytes, upload
from wbs.calendar_feeds import calendar_token_rotate

pytestmark = pytest.mark.django_db

IMPORT_URL = "/bookings/import/"


def test_the_third_import_in_the_window_gets_the_429_page(manager_client, settings):
    settings.RATE_LIMIT_IMPORTS = "2/h"
    assert manager_client.post(IMPORT_URL, {}).status_code == 400  # no file: the form's own answer
    assert manager_client.post(IMPORT_URL, {}).status_code == 400

    response = manager_client.post(IMPORT_URL, {})
    assert response.status_code == 429
    assert "Too many imports" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600
    # Looking at the page is not an import.
    assert manager_client.get(IMPORT_URL).status_code == 200


def test_htmx_requests_get_the_message_as_a_toast(manager_client, settings, htmx_headers):
    settings.RATE_LIMIT_IMPORTS = "1/h"
    manager_client.post(IMPORT_URL, {}, headers=htmx_headers)
    response = manager_client.post(IMPORT_URL, {}, headers=htmx_headers)
    assert response.status_code == 429
    assert response["HX-Retarget"] == "#toasts"
    assert 'class="toast toast-error"' in response.content.decode()


def test_photo_uploads_are_limited_per_cleaner(cleaner_client, cleaner, other_cleaner, settings):
    settings.RATE_LIMIT_PHOTO_UPLOADS = "2/10m"
    task = make_cleaning_task(assignee=cleaner)
    url = reverse("wbs:my_photo_upload", args=[task.pk])
    for _ in range(2):
        assert cleaner_client.post(url, {"photo": upload(jpeg_bytes())}).status_code in (200, 302)
    assert cleaner_client.post(url, {"photo": upload(jpeg_bytes())}).status_code == 429
    assert task.photos.count() == 2

    other_client = Client()
    other_client.force_login(other_cleaner)
    other_task = make_cleaning_task(assignee=other_cleaner)
    other_url = reverse("wbs:my_photo_upload", args=[other_task.pk])
    assert other_client.post(other_url, {"photo": upload(jpeg_bytes())}).status_code in (200, 302)


def test_the_booking_and_task_exports_share_one_budget(manager_client, settings):
    settings.RATE_LIMIT_EXPORTS = "2/h"
    assert manager_client.get(reverse("bookings:export")).status_code == 200
    assert manager_client.get(reverse("wbs:task_export")).status_code == 200
    assert manager_client.get(reverse("bookings:export")).status_code == 429
    assert manager_client.get(reverse("wbs:task_export")).status_code == 429


def test_a_calendar_feed_is_limited_per_link(client, cleaner, other_cleaner, settings):
    settings.RATE_LIMIT_CALENDAR_FEEDS = "1/h"
    mine = calendar_token_rotate(user=cleaner).token
    theirs = calendar_token_rotate(user=other_cleaner).token
    assert client.get(reverse("wbs:cleaner_feed", args=[mine])).status_code == 200
    assert client.get(reverse("wbs:cleaner_feed", args=[mine])).status_code == 429
    assert client.get(reverse("wbs:cleaner_feed", args=[theirs])).status_code == 200


def test_the_counters_live_in_the_shared_cache(manager_client, settings):
    """Every app server counts in the same cache (Redis in production): clearing it resets every budget."""
    settings.RATE_LIMIT_EXPORTS = "1/h"
    manager_client.get(reverse("bookings:export"))
    assert manager_client.get(reverse("bookings:export")).status_code == 429
    caches["default"].clear()
    assert manager_client.get(reverse("bookings:export")).status_code == 200


def test_the_decorator_takes_a_key_per_object_for_sync_now(rf: RequestFactory, manager, settings):
    settings.RATE_LIMIT_CALENDAR_SYNC = "1/h"

    @rate_limit("RATE_LIMIT_CALENDAR_SYNC", what="syncs", key=lambda request, pk: f"feed:{pk}")
    def sync_now(request, pk):
        return pk

    def post():
        request = rf.post("/")
        request.user = manager
        return request

    assert sync_now(post(), pk=1) == 1
    assert sync_now(post(), pk=2) == 2
    with pytest.raises(RateLimited) as refused:
        sync_now(post(), pk=1)
    assert refused.value.status == 429
    assert refused.value.retry_after > 0


def test_a_failing_cache_lets_requests_through(rf, monkeypatch, settings):
    settings.RATE_LIMIT_EXPORTS = "1/h"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("core.ratelimits.get_usage", broken)
    for _ in range(3):
        check_rate("RATE_LIMIT_EXPORTS", rf.get("/"), "user:1", what="exports")


@pytest.mark.parametrize("value", ["10", "ten/m", "10/x", "/m"])
def test_a_bad_rate_setting_stops_the_app(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_rate

    monkeypatch.setenv("RATE_LIMIT_X", value)
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_X must be a rate"):
        env_rate("RATE_LIMIT_X", "1/m")
