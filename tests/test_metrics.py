"""/metrics: Prometheus text for operators only, with request, database, cache and our own figures."""

import pytest
from django.db import connection

from bookings.models import ImportBatch, ImportState

pytestmark = pytest.mark.django_db
OUTSIDE = "203.0.113.7"
TOKEN = "ops-token-for-metrics-0123456789"


@pytest.fixture(autouse=True)
def _ops_token(settings):
    settings.OPS_TOKEN = TOKEN


def test_it_answers_404_to_everyone_else(client):
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404


def test_it_answers_a_bearer_token_from_outside_even_by_ip_address(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_it_reports_requests_database_jobs_and_imports(client, manager_client):
    manager_client.get("/bookings/")
    ImportBatch.objects.create(
        file_name="a.xlsx", state=ImportState.APPLIED, counts={"created": 3, "updated": 1, "errors": 2}
    )
    ImportBatch.objects.create(file_name="b.xlsx", state=ImportState.APPLIED, counts={"created": 4})

    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()

    assert "django_http_requests_total_by_view_transport_method_total" in body
    if connection.vendor == "postgresql":
        assert "django_db_execute_total" in body
    assert "stayops_job_queue_depth 0.0" in body
    assert 'stayops_import_rows{outcome="created"} 7.0' in body
    assert 'stayops_import_rows{outcome="errors"} 2.0' in body
    assert "stayops_calendar_feeds" in body


def test_a_calendar_sync_is_counted_by_outcome(client):
    from bookings.calendar.sync import calendar_feed_sync

    calendar_feed_sync(feed_id=999_999)
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'stayops_calendar_syncs_total{status="skipped"}' in body
