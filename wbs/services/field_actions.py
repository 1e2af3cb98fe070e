"""Field actions sent with the phone's idempotency key: each key applies at most once, and its outcome is kept."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import audit
from core.errors import AppError, Conflict, InvalidInput, NotAllowed, NotFound
from core.models import AuditAction
from wbs.models import FieldAction, FieldActionOutcome, Task

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# A phone clock a little ahead of the server's is normal; further ahead than this, its time is not believed.
CLOCK_SKEW = datetime.timedelta(minutes=5)
ERRORS_BY_STATUS = {400: InvalidInput, 403: NotAllowed, 404: NotFound, 409: Conflict}


@dataclass(frozen=True)
class FieldReceipt:
    """What the phone sent along with an action: its key (None for a plain form post) and when it was made."""

    key: str | None
    made_at: datetime.datetime | None


def field_receipt(*, key: str | None, made_at: str | None) -> FieldReceipt:
    """The receipt from the request's header or form field; a malformed key is refused, a malformed time ignored."""
    key = (key or "").strip() or None
    if key is not None and not KEY_PATTERN.match(key):
        raise InvalidInput(_("The change's key is not valid; reload the page and try again."))
    when = None
    if made_at:
        try:
            when = parse_datetime(made_at.strip())
        except ValueError:
            when = None
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when, datetime.UTC)
        if when is not None and when > timezone.now() + CLOCK_SKEW:
            when = None
    return FieldReceipt(key=key, made_at=when)


def field_task_for_action(*, user, pk: int, receipt: FieldReceipt) -> Task:
    """The task if the user may still act on it.

    A change sent from the phone's queue (it has a key) may find the task taken off the cleaner meanwhile: it is
    refused with that reason, so the phone can say why. A plain request for a task not theirs stays a 404.
    """
    task = Task.objects.visible_to(user).filter(pk=pk).first()
    if task is not None:
        return task
    if receipt.key is not None and Task.all_objects.filter(pk=pk).exists():
        raise Conflict(
            _("This task is no longer assigned to you, so the change was not made."), title=_("Task reassigned")
        )
    raise NotFound(_("This task no longer exists, or it is not yours."))


def field_action_run(
    *, user, receipt: FieldReceipt, action: str, task_id: int, apply: Callable[[], Task | None]
) -> FieldAction | None:
    """Apply `apply()` once per (user, key); a replay answers the first outcome again and changes nothing.

    The key's row is inserted in the same transaction as the action, so a crash leaves neither. A refusal the
    cleaner must see (reassigned, cancelled, photo missing) is kept too: the action's own writes roll back to a
    savepoint and the row says why. Raises the refusal's typed error, for a first send and a replay alike.
    Without a key (a plain form post) the action simply runs and nothing is recorded.
    """
    if receipt.key is None:
        apply()
        return None
    with transaction.atomic():
        record = FieldAction.objects.filter(user=user, key=receipt.key).first()
        if record is None:
            record = _claim(user=user, receipt=receipt, action=action, task_id=task_id)
        else:
            record.replayed = True
        if not record.replayed:
            try:
                with transaction.atomic():
                    task = apply()
                    if receipt.made_at is not None and task is not None:
                        audit.record(task, AuditAction.UPDATE, message=_timing_message(action, record))
            except AppError as refusal:
                record.outcome = FieldActionOutcome.REFUSED
                record.response_status = refusal.status
                record.reason = refusal.message[:500]
            record.save(update_fields=["outcome", "response_status", "reason"])
    if record.outcome == FieldActionOutcome.REFUSED:
        error = ERRORS_BY_STATUS.get(record.response_status, Conflict)
        raise error(record.reason)
    return record


def _claim(*, user, receipt: FieldReceipt, action: str, task_id: int) -> FieldAction:
    """Insert the key's row; when a concurrent request inserted it first, answer with that request's row."""
    try:
        with transaction.atomic():
            assert receipt.key is not None  # only keyed requests are recorded
            record = FieldAction.objects.create(
                user=user,
                key=receipt.key,
                action=action,
                task=Task.all_objects.filter(pk=task_id).first(),
                made_at=receipt.made_at,
                received_at=timezone.now(),
                outcome=FieldActionOutcome.APPLIED,
                response_status=200,
            )
    except IntegrityError:
        # The other insert has committed by now (ours waited on its index entry): read its outcome.
        record = FieldAction.objects.get(user=user, key=receipt.key)
        record.replayed = True
        return record
    record.replayed = False
    return record


def _timing_message(action: str, record: FieldAction) -> str:
    made = timezone.localtime(record.made_at)
    arrived = timezone.localtime(record.received_at)
    return _("%(action)s made on the phone at %(made)s, arrived %(arrived)s") % {
        "action": action.capitalize(),
        "made": date_format(made, "D d M H:i"),
        "arrived": date_format(arrived, "D d M H:i"),
    }
