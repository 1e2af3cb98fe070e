"""A cleaner's problem report: a maintenance task for the managers, linked to the property, and an email."""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Property
from core import audit
from core.audit_context import acting_user
from core.errors import InvalidInput
from core.roles import ROLES
from wbs.models import Priority, ProblemReport, Task, TaskType
from wbs.services.notifications import notify_assigned, notify_managers
from wbs.services.photos import PreparedPhoto, photo_add
from wbs.services.tasks import task_create

logger = logging.getLogger(__name__)

PROBLEM_MAX_CHARS = 2000


def problem_owner(prop: Property | None):
    """Who a new problem report goes to: the property's maintenance owner, else the user PROBLEM_DEFAULT_OWNER
    names, else nobody (the report then waits unassigned at the top of the managers' Today page).

    Only active users with a role take it: a departed owner must not swallow reports no one reads.
    """
    people = get_user_model().objects.filter(is_active=True, groups__name__in=ROLES)
    if prop is not None and prop.maintenance_owner_id is not None:
        owner = people.filter(pk=prop.maintenance_owner_id).first()
        if owner is not None:
            return owner
    username = settings.PROBLEM_DEFAULT_OWNER
    if username:
        owner = people.filter(username=username).first()
        if owner is not None:
            return owner
        # Settings are read before the database is reachable, so a wrong name is only found here.
        logger.warning("PROBLEM_DEFAULT_OWNER names %r, which is no active user with a role", username)
    return None


def problem_due(prop: Property | None, *, now: datetime.datetime) -> tuple[datetime.datetime, datetime.date]:
    """When a problem reported at `now` is due: PROBLEM_DUE_HOURS later, and that moment's day at the property."""
    due_at = now + datetime.timedelta(hours=settings.PROBLEM_DUE_HOURS)
    zone = zoneinfo.ZoneInfo(prop.time_zone) if prop is not None else timezone.get_current_timezone()
    return due_at, due_at.astimezone(zone).date()


@acting_user
def problem_report(*, task: Task, user, text: str, photo: PreparedPhoto | None = None) -> ProblemReport:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Describe the problem: what is wrong, and where."))
    if len(text) > PROBLEM_MAX_CHARS:
        raise InvalidInput(_("Keep the description under %(limit)s characters.") % {"limit": PROBLEM_MAX_CHARS})
    place = task.property.name if task.property else "a task"
    first_line = text.splitlines()[0]
    title = f"Problem at {place}: {first_line}"
    if len(title) > 120:
        title = title[:119] + "…"
    reporter = user.get_full_name() or user.get_username()
    owner = problem_owner(task.property)
    due_at, due_date = problem_due(task.property, now=timezone.now())
    with transaction.atomic():
        maintenance = task_create(
            user=user,
            title=title,
            description=f"{text}\n\nReported by {reporter} from “{task.title}”.",
            type=TaskType.MAINTENANCE,
            priority=Priority.HIGH,
            property=task.property,
            assignee=owner,
            due_at=due_at,
            due_date=due_date,
        )
        report = ProblemReport.objects.create(task=task, maintenance_task=maintenance, reported_by=user, text=text)
        audit.record_created(report, ["task", "maintenance_task", "text"])
        if photo is not None:
            photo_add(task=maintenance, prepared=photo, user=user)
        if owner is not None and owner.pk != user.pk:
            notify_assigned(task=maintenance, assignee=owner)
        notify_managers(
            subject=title,
            body=f"{reporter} reported a problem at {place}:\n\n{text}\n\nThe maintenance task is on the board.",
        )
    return report
