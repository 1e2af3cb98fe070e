"""Who may move a task from which status to which: one table per role, checked by task_set_status.

A manager plans and corrects: any status to any other, reopening a done or cancelled task included. A cleaner
works through their open tasks: between to do, in progress and blocked, and on to done (under the field app's
checklist rules); what is done or cancelled stays so until a manager reopens it, and only a manager cancels.
Work done without a person (commands, automation: no user) follows the manager's table.
"""

from django.utils.translation import gettext as _

from core.errors import Conflict
from core.roles import CLEANER, MANAGER, is_manager
from wbs.models import TaskStatus

_OPEN = frozenset({TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED})

MOVES: dict[str, dict[str, frozenset[str]]] = {
    MANAGER: {status: frozenset(TaskStatus.values) - {status} for status in TaskStatus.values},
    CLEANER: {
        **{status: (_OPEN | {TaskStatus.DONE}) - {status} for status in _OPEN},
        TaskStatus.DONE: frozenset(),
        TaskStatus.CANCELLED: frozenset(),
    },
}


def role_for_moves(user) -> str:
    """The table `user` moves tasks by: the manager's for managers and for work without a person."""
    if user is None or not user.is_authenticated or is_manager(user):
        return MANAGER
    return CLEANER


def allowed_moves(user, current: str) -> frozenset[str]:
    """The statuses `user` may move a task in status `current` to."""
    return MOVES[role_for_moves(user)][current]


def check_move(*, user, title: str, current: str, new: str) -> None:
    """Raise Conflict, saying why, unless `user` may move the task `title` from `current` to `new`."""
    if new in allowed_moves(user, current):
        return
    if current == TaskStatus.CANCELLED:
        reason = _("“%(title)s” was cancelled; only a manager can reopen it.") % {"title": title}
    elif current == TaskStatus.DONE:
        reason = _("“%(title)s” is done; only a manager can reopen it.") % {"title": title}
    elif new == TaskStatus.CANCELLED:
        reason = _("Only a manager can cancel a task; report a problem instead.")
    else:
        reason = _("“%(title)s” cannot move from %(current)s to %(new)s.") % {
            "title": title,
            "current": TaskStatus(current).label,
            "new": TaskStatus(new).label,
        }
    raise Conflict(reason, title=_("Status not changed"))
