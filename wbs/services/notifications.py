"""Who hears about which task change: queues email jobs that run after the transaction commits."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_stubs_ext import StrOrPromise

from core.preferences import language_for_user_id
from core.text import single_line
from wbs import tasks as jobs

SUBJECT_PREFIX = "StayOps: "  # a product name, the same in every language
SUBJECT_MAX = 150


def email_subject(text: str) -> str:
    """A subject line from any text: Django refuses a header with a line break, and the job would fail."""
    return SUBJECT_PREFIX + single_line(text)[:SUBJECT_MAX]


def when_text(due_at: datetime.datetime | None) -> str:
    """A task's due time as its assignee reads it (call under their language)."""
    if due_at is None:
        return _("no time")
    return date_format(timezone.localtime(due_at), "SHORT_DATETIME_FORMAT")


@dataclass
class Digest:
    """Changes to tasks collected during one write, sent as one email per assignee when it commits."""

    since: datetime.date | None = None
    lines_by_user: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, task, message: StrOrPromise, **params) -> None:
        """`message` is a gettext_lazy text with %(name)s params: written now, in the assignee's language."""
        if task.assignee_id is None:
            return
        if self.since is not None and task.due_date is not None and task.due_date < self.since:
            return
        with translation.override(language_for_user_id(task.assignee_id)):
            values = {name: when_text(value) if name == "when" else value for name, value in params.items()}
            self.lines_by_user[task.assignee_id].append(str(message) % values)

    def send_on_commit(self) -> None:
        for user_id, lines in self.lines_by_user.items():
            with translation.override(language_for_user_id(user_id)):
                many = ngettext("%(count)s change to your tasks", "%(count)s changes to your tasks", len(lines))
            subject = lines[0] if len(lines) == 1 else many % {"count": len(lines)}
            notify_users(user_ids=[user_id], subject=subject, body="\n".join(f"- {line}" for line in lines))


def notify_users(*, user_ids, subject: str, body: str) -> None:
    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return
    # A rolled-back write must not send mail, and the request must not wait for the mail server.
    transaction.on_commit(
        lambda: jobs.send_user_notification.enqueue(user_ids=ids, subject=email_subject(subject), body=body)
    )


def notify_assigned(*, task, assignee) -> None:
    """Tell the new assignee of `task` (when there is one) by email, in their language, once the write commits."""
    if assignee is None:
        return
    with translation.override(language_for_user_id(assignee.pk)):
        body = f"{task.title} ({when_text(task.due_at)})"
        subject = _("Assigned: %(title)s") % {"title": task.title}
    notify_users(user_ids=[assignee.pk], subject=subject, body=body)


def notify_managers(*, subject: str, body: str) -> None:
    transaction.on_commit(lambda: jobs.send_manager_notification.enqueue(subject=email_subject(subject), body=body))
