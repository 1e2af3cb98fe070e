"""Failed jobs: one record per distinct failure, secrets masked, the workflow, and one throttled alert email."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from core.audit_context import audit_context
from core.errors import Conflict
from core.job_failures import fingerprint, job_failure_set_state, mask_urls, redact
from core.jobs import current_job, recorded_job
from core.models import AuditEntry, JobFailure, JobFailureState
from core.tasks import send_job_failure_alert

pytestmark = pytest.mark.django_db

FEED_URL = "https://www.airbnb.com/calendar/ical/12345.ics?s=8f2e9c0secret"


@recorded_job()
def sync_that_breaks(feed_url: str, attempt: int, token: str = "") -> None:
    current_job().concerns(label=f"Feed #{attempt}")
    raise ConnectionError(f"could not reach {feed_url} on try {attempt}")


@recorded_job()
def job_that_works(value: int) -> int:
    return value * 2


@pytest.fixture(autouse=True)
def operators(settings):
    settings.OPS_ALERT_EMAILS = ["ops@example.com", "oncall@example.com"]
    settings.OPS_ALERT_THROTTLE_MINUTES = 60
    settings.MAIL_RETRY_BASE_SECONDS = 0
    settings.MAIL_RETRY_MAX_SECONDS = 0


def fail(times: int, django_capture_on_commit_callbacks) -> list:
    results = []
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(times):
            results.append(sync_that_breaks.enqueue(FEED_URL, attempt, token="abc123"))
    return results


def test_it_records_a_failing_job_once_however_often_it_repeats_and_emails_once(django_capture_on_commit_callbacks):
    results = fail(5, django_capture_on_commit_callbacks)
    assert all(result.status == "FAILED" for result in results)  # django-tasks still sees the failure
    failure = JobFailure.objects.get()
    assert failure.occurrences == 5
    assert failure.state == JobFailureState.NEW
    assert failure.job_name == "tests.test_job_failures.sync_that_breaks"
    assert failure.error_type == "ConnectionError"
    assert failure.object_label == "Feed #4"
    assert failure.job_id == str(results[-1].id)
    assert "Traceback" in failure.traceback and "sync_that_breaks" in failure.traceback
    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert alert.to == ["ops@example.com", "oncall@example.com"]
    assert "sync_that_breaks" in alert.subject and "ConnectionError" in alert.subject
    assert f"/ops/failures/{failure.pk}/" in alert.body
    html, kind = alert.alternatives[0]
    assert kind == "text/html" and "Open the failure" in html


def test_secrets_are_masked_in_arguments_message_and_traceback(django_capture_on_commit_callbacks):
    fail(1, django_capture_on_commit_callbacks)
    failure = JobFailure.objects.get()
    stored = str(failure.arguments) + failure.message + failure.traceback
    assert "8f2e9c0secret" not in stored and "12345.ics" not in stored and "abc123" not in stored
    assert failure.arguments == {"args": ["https://www.airbnb.com/•••", 0], "kwargs": {"token": "•••"}}
    assert "https://www.airbnb.com/•••" in failure.message


def test_redaction_masks_secret_names_at_any_depth_and_keeps_the_rest():
    value = {
        "batch_id": 7,
        "feed": {"url": "x", "api_key": "k", "password": "p", "client_secret": "s", "note": "see http://a.b/c?d=1"},
        "tokens": ["t1"],
        "empty_token": "",
    }
    assert redact(value) == {
        "batch_id": 7,
        "feed": {
            "url": "•••",
            "api_key": "•••",
            "password": "•••",
            "client_secret": "•••",
            "note": "see http://a.b/•••",
        },
        "tokens": "•••",
        "empty_token": "",
    }
    assert mask_urls("postgres://user:pw@db.internal:5432/stayops failed") == "postgres://db.internal:5432/••• failed"


def test_the_fingerprint_ignores_numbers_and_ids_but_not_the_kind_of_error():
    one = fingerprint(job_name="j", error_type="ValueError", location="a.py:f", message="batch 12 row 4 bad")
    two = fingerprint(job_name="j", error_type="ValueError", location="a.py:f", message="batch 97 row 1 bad")
    other = fingerprint(job_name="j", error_type="KeyError", location="a.py:f", message="batch 12 row 4 bad")
    elsewhere = fingerprint(job_name="j", error_type="ValueError", location="b.py:g", message="batch 12 row 4 bad")
    assert one == two
    assert len({one, other, elsewhere}) == 3


def test_a_job_that_succeeds_records_nothing():
    assert job_that_works.enqueue(21).return_value == 42
    assert not JobFailure.objects.exists()


def test_the_workflow_moves_forward_audited_with_who_and_a_note(manager, django_capture_on_commit_callbacks):
    fail(1, django_capture_on_commit_callbacks)
    failure = JobFailure.objects.get()
    with audit_context(actor=manager, source="web"):
        failure = job_failure_set_state(failure=failure, state=JobFailureState.ACKNOWLEDGED, note="Looking")
        failure = job_failure_set_state(failure=failure, state=JobFailureState.INVESTIGATING, note="Airbnb is down")
        failure = job_failure_set_state(failure=failure, state=JobFailureState.RESOLVED, note="Back up at 10:05")
    assert failure.state == JobFailureState.RESOLVED
    assert failure.state_changed_by == manager and failure.note == "Back up at 10:05"
    entries = AuditEntry.objects.for_object(failure).order_by("id")
    assert [entry.changes.get("state") for entry in entries][1:] == [
        ["new", "acknowledged"],
        ["acknowledged", "investigating"],
        ["investigating", "resolved"],
    ]
    assert all(entry.actor == manager for entry in entries[1:])


def test_a_transition_the_workflow_does_not_allow_is_refused(django_capture_on_commit_callbacks):
    fail(1, django_capture_on_commit_callbacks)
    failure = JobFailure.objects.get()
    job_failure_set_state(failure=failure, state=JobFailureState.IGNORED, note="")
    with pytest.raises(Conflict):
        job_failure_set_state(failure=failure, state=JobFailureState.RESOLVED, note="")


def test_the_same_state_twice_writes_one_entry(django_capture_on_commit_callbacks):
    fail(1, django_capture_on_commit_callbacks)
    failure = JobFailure.objects.get()
    entries = AuditEntry.objects.count()
    job_failure_set_state(failure=failure, state=JobFailureState.ACKNOWLEDGED, note="")
    job_failure_set_state(failure=failure, state=JobFailureState.ACKNOWLEDGED, note="")
    assert AuditEntry.objects.count() == entries + 1


def test_a_resolved_failure_that_recurs_reopens_and_alerts_again_after_the_throttle(
    django_capture_on_commit_callbacks,
):
    fail(1, django_capture_on_commit_callbacks)
    failure = JobFailure.objects.get()
    job_failure_set_state(failure=failure, state=JobFailureState.RESOLVED, note="fixed")

    fail(1, django_capture_on_commit_callbacks)  # within the throttle: reopened, not emailed again
    failure.refresh_from_db()
    assert failure.state == JobFailureState.NEW and failure.occurrences == 2
    assert len(mail.outbox) == 1

    job_failure_set_state(failure=failure, state=JobFailureState.RESOLVED, note="fixed again")
    JobFailure.objects.update(alerted_at=timezone.now() - datetime.timedelta(minutes=61))
    fail(3, django_capture_on_commit_callbacks)
    failure.refresh_from_db()
    assert failure.state == JobFailureState.NEW and failure.occurrences == 5
    assert len(mail.outbox) == 2


def test_a_repeat_of_an_acknowledged_or_ignored_failure_counts_without_an_email(django_capture_on_commit_callbacks):
    fail(1, django_capture_on_commit_callbacks)
    failure = JobFailure.objects.get()
    job_failure_set_state(failure=failure, state=JobFailureState.IGNORED, note="known, harmless")
    JobFailure.objects.update(alerted_at=None)
    fail(2, django_capture_on_commit_callbacks)
    failure.refresh_from_db()
    assert failure.state == JobFailureState.IGNORED and failure.occurrences == 3
    assert len(mail.outbox) == 1


def test_no_operators_no_email(settings, django_capture_on_commit_callbacks):
    settings.OPS_ALERT_EMAILS = []
    fail(2, django_capture_on_commit_callbacks)
    assert JobFailure.objects.get().occurrences == 2
    assert mail.outbox == []


def test_sending_the_alert_retries_transient_mail_errors(monkeypatch, django_capture_on_commit_callbacks):
    attempts = []
    real_send = mail.backends.locmem.EmailBackend.send_messages

    def flaky(self, messages):
        attempts.append(1)
        if len(attempts) < 3:
            raise smtplib.SMTPServerDisconnected("hung up")
        return real_send(self, messages)

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", flaky)
    fail(1, django_capture_on_commit_callbacks)
    assert len(attempts) == 3 and len(mail.outbox) == 1


def test_an_alert_that_cannot_be_sent_is_recorded_and_does_not_alert_about_itself(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_SEND_ATTEMPTS = 2
    attempts = []

    def broken(self, messages):
        attempts.append(1)
        raise smtplib.SMTPServerDisconnected("mail server is down")

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", broken)
    fail(1, django_capture_on_commit_callbacks)
    alert_failure = JobFailure.objects.get(job_name=send_job_failure_alert.module_path)
    assert alert_failure.error_type == "smtplib.SMTPServerDisconnected"
    # Two attempts for the one alert, then nothing more: the alert job's own failure sends no alert.
    assert len(attempts) == 2
    assert JobFailure.objects.count() == 2
