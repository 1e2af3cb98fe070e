"""Adding a card from the board: a task made in the column it was typed into, at the top, in the board's filters."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from bookings.models import Property
from core.audit_context import acting_user
from core.errors import InvalidInput
from core.text import single_line
from wbs.models import QUICK_ADD_STATUSES, Project, Task, TaskStatus, TaskType, WbsItem
from wbs.services.positions import POSITION_GAP
from wbs.services.tasks import task_create


@acting_user
def board_card_add(
    *,
    title: str,
    status: str,
    user=None,
    project: Project | None = None,
    property: Property | None = None,
    assignee: AbstractBaseUser | None = None,
) -> Task:
    """A new task titled `title` at the top of column `status`.

    With a project, it goes under the project's first WBS item (a project without items cannot take it); with a
    property or an assignee, it gets them: the board's filters say where the manager is working, and a card
    that vanished from the filtered board as soon as it was added would look lost.
    """
    title = single_line(title).strip()
    if not title:
        raise InvalidInput("Give the card a title.")
    if status not in QUICK_ADD_STATUSES:
        raise InvalidInput("Cards are added to the To do, In progress or Blocked column.")
    wbs_item = None
    if project is not None:
        wbs_item = WbsItem.objects.filter(project=project).in_tree_order().first()
        if wbs_item is None:
            raise InvalidInput(f"“{project.name}” has no WBS items yet: add one on the project's page first.")
    with transaction.atomic():
        top = Task.objects.filter(status=status).aggregate(top=Min("position"))["top"]
        return task_create(
            user=user,
            title=title,
            status=status,
            position=0.0 if top is None else top - POSITION_GAP,
            type=TaskType.PROJECT_WORK if wbs_item is not None else TaskType.OTHER,
            wbs_item=wbs_item,
            property=property,
            assignee=assignee,
            started_at=timezone.now() if status == TaskStatus.IN_PROGRESS else None,
        )
