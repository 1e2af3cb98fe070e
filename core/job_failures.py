"""Job failures: the record of every failed background job (one per distinct failure) and its workflow."""

import datetime
import hashlib
import logging
import re
import traceback as tb
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import audit
from core.audit_context import current_audit_context
from core.errors import Conflict, InvalidInput
from core.models import JOB_FAILURE_TRANSITIONS, AuditAction, JobFailure, JobFailureState

logger = logging.getLogger(__name__)

MASK = "•••"
# Argument names whose values are secrets: a feed URL grants read access to a calendar, a token signs in.
SECRET_KEY_PATTERN = re.compile(r"url|uri|token|password|passwd|secret|key|auth|credential|dsn|cookie", re.IGNORECASE)
# A URL anywhere in a value or message keeps its scheme and host only: paths and queries carry secrets.
URL_PATTERN = re.compile(r"(?P<origin>\b[a-z][a-z0-9+.-]*://[^\s/'\"<>?#@]*@?[^\s/'\"<>?#]*)[^\s'\"<>]*", re.IGNORECASE)
MESSAGE_MAX = 2000
TRACEBACK_MAX = 20_000
NOTE_MAX = 1000
ARGUMENT_TEXT_MAX = 500


@dataclass(frozen=True)
class FailedRun:
    """What a failed job run tells us, gathered by `core.jobs.recorded_job`."""

    job_name: str
    job_id: str
    args: tuple
    kwargs: dict
    error: BaseException
    started_by_id: int | None = None
    subject: models.Model | None = None
    label: str = ""


# --- Masking secrets -------------------------------------------------------------------------------------


def mask_urls(text: str) -> str:
    """`https://user:pw@host/ical/123.ics?s=abc` -> `https://host/•••`: who was called, never with what."""

    def origin_only(match: re.Match) -> str:
        origin = match.group("origin")
        scheme, _, rest = origin.partition("://")
        host = rest.rsplit("@", 1)[-1]
        return f"{scheme}://{host}/{MASK}"

    return URL_PATTERN.sub(origin_only, text)


def redact(value, key: str = ""):
    """A JSON-safe copy of job arguments with secrets masked: by their name, and URLs wherever they appear."""
    if key and SECRET_KEY_PATTERN.search(key) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, dict):
        return {str(name): redact(item, str(name)) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return mask_urls(value)[:ARGUMENT_TEXT_MAX]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask_urls(str(value))[:ARGUMENT_TEXT_MAX]


# --- Fingerprints ----------------------------------------------------------------------------------------


def error_location(error: BaseException) -> str:
    """`module/path.py:function` of the frame that raised: stable across deploys (no line number)."""
    frames = tb.extract_tb(error.__traceback__)
    if not frames:
        return ""
    frame = frames[-1]
    path = Path(frame.filename)
    try:
        shown = path.relative_to(settings.BASE_DIR).as_posix()
    except ValueError:
        # Library code: the package path from site-packages on, or the file name.
        parts = path.parts
        shown = "/".join(parts[parts.index("site-packages") + 1 :]) if "site-packages" in parts else path.name
    return f"{shown}:{frame.name}"[:300]


def normalised_message(message: str) -> str:
    """The message's shape: numbers, ids and URLs vary between occurrences of one failure; they do not count."""
    shape = mask_urls(message)
    shape = re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uuid>", shape, flags=re.I)
    shape = re.sub(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", "<hex>", shape, flags=re.I)
    shape = re.sub(r"\d+", "<n>", shape)
    return " ".join(shape.split())[:500]


def fingerprint(*, job_name: str, error_type: str, location: str, message: str) -> str:
    key = "\x1f".join((job_name, error_type, location, normalised_message(message)))
    return hashlib.sha256(key.encode()).hexdigest()


def error_type_of(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


# --- Recording -------------------------------------------------------------------------------------------


def job_failure_record(*, run: FailedRun, alert: bool = True) -> JobFailure:
    """Record one failed run: a new failure, or one more occurrence of a known one (a resolved one reopens).

    The operators are emailed (in the background) about a new failure and a resolved one that recurs, at most
    once per failure per OPS_ALERT_THROTTLE_MINUTES; `alert=False` is for the alert job itself, whose own
    failure must not send an alert about an alert.
    """
    error = run.error
    error_type = error_type_of(error)
    message = mask_urls(str(error))[:MESSAGE_MAX]
    location = error_location(error)
    key = fingerprint(job_name=run.job_name, error_type=error_type, location=location, message=message)
    now = timezone.now()
    subject = run.subject
    latest = {
        "job_id": run.job_id[:64],
        "arguments": redact({"args": list(run.args), "kwargs": run.kwargs}),
        "message": message,
        "traceback": mask_urls("".join(tb.format_exception(error)))[-TRACEBACK_MAX:],
        "started_by_id": run.started_by_id,
        "object_label": (run.label or (str(subject) if subject is not None else ""))[:200],
        "content_type": ContentType.objects.get_for_model(subject, for_concrete_model=False) if subject else None,
        "object_id": str(subject.pk) if subject is not None else "",
        "last_seen_at": now,
    }
    with transaction.atomic():
        failure = JobFailure.objects.select_for_update().filter(fingerprint=key).first()
        created = reopened = False
        if failure is None:
            try:
                with transaction.atomic():
                    failure = JobFailure.objects.create(
                        fingerprint=key,
                        job_name=run.job_name[:200],
                        error_type=error_type[:200],
                        location=location,
                        first_seen_at=now,
                        **latest,
                    )
                created = True
            except IntegrityError:
                # Another worker recorded the same failure a moment ago: count this run on its record.
                failure = JobFailure.objects.select_for_update().get(fingerprint=key)
        if created:
            audit.record_created(failure, ["job_name", "error_type", "state"], message=message[:300])
        else:
            reopened = failure.state == JobFailureState.RESOLVED
            changes = {**latest, "occurrences": F("occurrences") + 1}
            if reopened:
                changes |= {
                    "state": JobFailureState.NEW,
                    "state_changed_by": None,
                    "state_changed_at": now,
                    "note": "Happened again after it was resolved.",
                }
            JobFailure.objects.filter(pk=failure.pk).update(**changes)
            if reopened:
                audit.record(
                    failure,
                    AuditAction.UPDATE,
                    {"state": [JobFailureState.RESOLVED, JobFailureState.NEW]},
                    message="Happened again after it was resolved.",
                )
            failure.refresh_from_db()
        if alert and (created or reopened) and _claim_alert(failure, now):
            from core import tasks as jobs  # the alert job is recorded through core.jobs, which imports this

            transaction.on_commit(partial(jobs.send_job_failure_alert.enqueue, failure.pk))
    return failure


def _claim_alert(failure: JobFailure, now: datetime.datetime) -> bool:
    """Whether this run sends the alert: one UPDATE decides, so two workers failing at once send one email."""
    if not settings.OPS_ALERT_EMAILS:
        return False
    quiet_since = now - datetime.timedelta(minutes=settings.OPS_ALERT_THROTTLE_MINUTES)
    claimed = (
        JobFailure.objects.filter(pk=failure.pk)
        .filter(Q(alerted_at__isnull=True) | Q(alerted_at__lte=quiet_since))
        .update(alerted_at=now)
    )
    return bool(claimed)


# --- Workflow --------------------------------------------------------------------------------------------


def job_failure_set_state(*, failure: JobFailure, state: str, note: str = "") -> JobFailure:
    """Move a failure along its workflow, audited; who moved it comes from the audit context.

    Moving it to the state it is already in changes nothing (a double click writes one entry).
    """
    if state not in JobFailureState.values:
        raise InvalidInput(f"{state!r} is not a state of a job failure.")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"The note is {len(note):,} characters long; at most {NOTE_MAX:,} fit.")
    with transaction.atomic():
        locked = JobFailure.objects.select_for_update().get(pk=failure.pk)
        if locked.state == state:
            return locked
        if state not in JOB_FAILURE_TRANSITIONS[locked.state]:
            raise Conflict(
                f"This failure is {locked.get_state_display().lower()}; it cannot become "
                f"{JobFailureState(state).label.lower()}."
            )
        before = {"state": locked.state, "note": locked.note}
        locked.state = state
        locked.note = note
        locked.state_changed_by_id = current_audit_context().actor_id
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=["state", "note", "state_changed_by", "state_changed_at"])
        action = AuditAction.RESOLVE if state == JobFailureState.RESOLVED else AuditAction.UPDATE
        audit.record(locked, action, audit.diff(before, {"state": state, "note": note}), message=note[:300])
    return locked
