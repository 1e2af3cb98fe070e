"""Sending mail from background jobs with retries on the mail server's transient errors (core.retry).

One message at a time, so a retry never sends a message twice that already went; the connection is closed
before each new attempt, since a dropped SMTP session cannot be reused.
"""

import smtplib
import socket
from collections.abc import Sequence

from django.conf import settings
from django.core import mail

from core.retry import retrying


def is_transient_mail_error(error: BaseException) -> bool:
    """Worth another attempt: the server went away, timed out, or answered 4xx ("try again later")."""
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, ConnectionError)):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return False


def send_messages(messages: Sequence[mail.EmailMessage]) -> int:
    """Send each message, retrying transient errors up to MAIL_SEND_ATTEMPTS times. Returns how many went."""
    sent = 0
    with mail.get_connection() as connection:

        def send_one(message: mail.EmailMessage) -> int:
            try:
                return connection.send_messages([message]) or 0
            except Exception:
                connection.close()
                raise

        for message in messages:
            controller = retrying(
                attempts=settings.MAIL_SEND_ATTEMPTS,
                base_seconds=settings.MAIL_RETRY_BASE_SECONDS,
                max_seconds=settings.MAIL_RETRY_MAX_SECONDS,
                is_transient=is_transient_mail_error,
                name="mail",
            )
            sent += controller(send_one, message)
    return sent
