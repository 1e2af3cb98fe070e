"""Mail from background jobs: transient server errors are retried, permanent ones are not, nothing goes twice."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from core.mail import send_messages


class FlakyBackend(EmailBackend):
    """Fails with the errors queued in `failures`, then delivers like the test backend."""

    failures: list = []
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.failures:
            raise FlakyBackend.failures.pop(0)
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.test_mail_retries.FlakyBackend"
    settings.MAIL_RETRY_BASE_SECONDS = 0.01
    settings.MAIL_SEND_ATTEMPTS = 3
    FlakyBackend.attempts = 0
    return FlakyBackend


def message(to: str) -> mail.EmailMessage:
    return mail.EmailMessage(subject="Turnover moved", body="…", from_email="stayops@localhost", to=[to])


def test_a_dropped_connection_is_retried_and_each_message_goes_once(flaky):
    flaky.failures = [smtplib.SMTPServerDisconnected("gone"), smtplib.SMTPResponseException(421, b"busy")]

    assert send_messages([message("a@example.com"), message("b@example.com")]) == 2

    assert [sent.to for sent in mail.outbox] == [["a@example.com"], ["b@example.com"]]
    assert flaky.attempts == 4


def test_a_permanent_refusal_is_not_retried(flaky):
    flaky.failures = [smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")})]

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send_messages([message("a@example.com")])
    assert flaky.attempts == 1


def test_it_gives_up_after_the_attempts(flaky):
    flaky.failures = [smtplib.SMTPServerDisconnected("gone")] * 5

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_messages([message("a@example.com")])
    assert flaky.attempts == 3
