"""A cleaner's problem report: a maintenance task for the managers, linked to the property, and an email."""

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.audit_context import acting_user
from core.errors import InvalidInput
from wbs.models import Priority, ProblemReport, Task, TaskType
from wbs.services.notifications import notify_managers
from wbs.services.photos import PreparedPhoto, photo_add
from wbs.services.tasks import task_create

PROBLEM_MAX_CHARS = 2000


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
    with transaction.atomic():
        maintenance = task_create(
            user=user,
            title=title,
            description=f"{text}\n\nReported by {reporter} from “{task.title}”.",
            type=TaskType.MAINTENANCE,
            priority=Priority.HIGH,
            property=task.property,
        )
        report = ProblemReport.objects.create(task=task, maintenance_task=maintenance, reported_by=user, text=text)
        audit.record_created(report, ["task", "maintenance_task", "text"])
        if photo is not None:
            photo_add(task=maintenance, prepared=photo, user=user)
        notify_managers(
            subject=title,
            body=f"{reporter} reported a problem at {place}:\n\n{text}\n\nThe maintenance task is on the board.",
        )
    return report
