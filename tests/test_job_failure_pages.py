"""The failed-jobs pages: list by state with counts, detail (traceback for staff), state changes by HTMX."""

import pytest
from django.urls import reverse

from core.models import JobFailure, JobFailureState

pytestmark = pytest.mark.django_db


def make_failure(**fields) -> JobFailure:
    defaults = {
        "fingerprint": f"fp-{JobFailure.objects.count()}",
        "job_name": "bookings.tasks.preview_import_batch",
        "error_type": "RuntimeError",
        "message": "disk on fire",
        "traceback": 'Traceback (most recent call last):\n  File "bookings/tasks.py"\nRuntimeError: disk on fire',
        "object_label": "Import #7: march.xlsx",
    }
    return JobFailure.objects.create(**(defaults | fields))


def test_it_is_for_managers_and_staff_only(client, cleaner, django_user_model):
    url = reverse("core:job_failures")
    assert client.get(url).status_code == 302
    client.force_login(cleaner)
    assert client.get(url).status_code == 403
    client.force_login(django_user_model.objects.create_user("operator", is_staff=True))
    assert client.get(url).status_code == 200


def test_it_lists_open_failures_with_counts_per_state(manager_client, django_assert_num_queries):
    make_failure()
    make_failure(error_type="KeyError", state=JobFailureState.INVESTIGATING)
    make_failure(error_type="ValueError", state=JobFailureState.RESOLVED)
    with django_assert_num_queries(6):  # session, user, roles, counts, page count, page
        response = manager_client.get(reverse("core:job_failures"))
    html = response.content.decode()
    assert "RuntimeError" in html and "KeyError" in html and "ValueError" not in html
    assert 'Open <span class="chip-count">2</span>' in html
    assert 'Resolved <span class="chip-count">1</span>' in html
    assert response["Vary"].count("HX-Request")


def test_it_filters_by_state_and_answers_htmx_with_the_results_only(manager_client, htmx_headers):
    make_failure(state=JobFailureState.RESOLVED)
    response = manager_client.get(reverse("core:job_failures"), {"state": "resolved"}, headers=htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="failure-results"') and "RuntimeError" in html


def test_the_traceback_is_shown_to_staff_only(manager_client, manager):
    failure = make_failure()
    assert "Traceback (most recent" not in manager_client.get(failure.get_absolute_url()).content.decode()
    manager.is_staff = True
    manager.save()
    assert "Traceback (most recent" in manager_client.get(failure.get_absolute_url()).content.decode()


def test_acknowledging_by_htmx_answers_the_state_fragment(manager_client, manager, htmx_headers):
    failure = make_failure()
    url = reverse("core:job_failure_state", args=[failure.pk])
    response = manager_client.post(url, {"state": "acknowledged", "note": "on it"}, headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="failure-state"')
    assert "Acknowledged" in html and "on it" in html
    failure.refresh_from_db()
    assert failure.state == JobFailureState.ACKNOWLEDGED and failure.state_changed_by == manager


def test_a_refused_transition_answers_409(manager_client):
    failure = make_failure(state=JobFailureState.IGNORED)
    response = manager_client.post(reverse("core:job_failure_state", args=[failure.pk]), {"state": "resolved"})
    assert response.status_code == 409
    failure.refresh_from_db()
    assert failure.state == JobFailureState.IGNORED


def test_an_unknown_state_answers_400(manager_client):
    failure = make_failure()
    response = manager_client.post(reverse("core:job_failure_state", args=[failure.pk]), {"state": "fixed"})
    assert response.status_code == 400


def test_the_admin_changes_state_through_the_workflow(admin_client):
    failure = make_failure()
    response = admin_client.post(
        reverse("admin:core_jobfailure_change", args=[failure.pk]), {"state": "resolved", "note": "done"}
    )
    assert response.status_code == 302
    failure.refresh_from_db()
    assert failure.state == JobFailureState.RESOLVED and failure.note == "done"
    assert failure.state_changed_by is not None
