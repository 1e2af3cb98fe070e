"""Sending email from background jobs: transient mail-server errors are retried with backoff (tenacity)."""

import logging
import smtplib
import socket
from collections.abc import Sequence

from django.conf import settings
from django.core import mail
from tenacity import Retrying, before_sleep_log, retry_if_exception, stop_after_attempt, wait_exponential_jitter

logger = logging.getLogger(__name__)


def is_transient(error: BaseException) -> bool:
    """Worth another try: the server hung up, could not be reached, timed out, or answered 4xx ("try later").

    A 5xx answer (unknown recipient, message refused) would fail the same way again.
    """
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    transient = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, socket.timeout)
    return isinstance(error, transient)


def send_messages(messages: Sequence[mail.EmailMessage]) -> int:
    """Send over one connection, retrying transient errors (MAIL_SEND_ATTEMPTS, exponential backoff with jitter).

    Raises the last error when every attempt failed, so the job fails and is recorded.
    """
    if not messages:
        return 0
    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(settings.MAIL_SEND_ATTEMPTS),
        wait=wait_exponential_jitter(multiplier=settings.MAIL_RETRY_SECONDS, max=settings.MAIL_RETRY_MAX_SECONDS),
        before_sleep=before_sleep_log(logger, logging.WARNING),
        reraise=True,
    )
    for attempt in retrying:
        with attempt, mail.get_connection() as connection:
            return connection.send_messages(list(messages)) or 0
    return 0  # unreachable: Retrying either returns above or re-raises
