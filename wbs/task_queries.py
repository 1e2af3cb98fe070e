"""Reads behind the task page and the cleaners' field pages: a person's tasks by day, a task's links."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from wbs.models import Task, TaskDependency, TaskStatus, TaskType

_OPEN = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED]


def _next_stay(field_name: str) -> Subquery:
    """The first live, not cancelled booking of the task's property that arrives on or after its due day."""
    return Subquery(
        Booking.objects.filter(property=OuterRef("property"), check_in__gte=OuterRef("due_date"))
        .exclude(status=BookingStatus.CANCELLED)
        .order_by("check_in")
        .values(field_name)[:1]
    )


def field_task_list(user, first_day: datetime.date, last_day: datetime.date) -> QuerySet[Task]:
    """The user's tasks due in [first_day, last_day], plus those of the last days still open; one query.

    Each carries its checklist counts and the next stay's guests and arrival (what the cleaner prepares for).
    """
    overdue_since = first_day - datetime.timedelta(days=settings.FIELD_OVERDUE_DAYS)
    return (
        Task.objects.filter(assignee=user)
        .exclude(status=TaskStatus.CANCELLED)
        .filter(
            Q(due_date__range=(first_day, last_day))
            | Q(due_date__gte=overdue_since, due_date__lt=first_day, status__in=_OPEN)
        )
        .select_related("property")
        .annotate(
            checklist_total=Count("checklist", distinct=True),
            checklist_done=Count("checklist", filter=Q(checklist__done=True), distinct=True),
            next_guests=Coalesce(_next_stay("adults"), 0, output_field=IntegerField())
            + Coalesce(_next_stay("children"), 0, output_field=IntegerField())
            + Coalesce(_next_stay("infants"), 0, output_field=IntegerField()),
            next_check_in=_next_stay("check_in"),
        )
        .order_by("due_date", "due_at", "pk")
    )


def field_day_bounds() -> tuple[datetime.date, datetime.date]:
    """The first and last day a field list can show: its date arithmetic (the overdue days before, the next
    day after) must stay inside the calendar Python can count."""
    first = datetime.date.min + datetime.timedelta(days=settings.FIELD_OVERDUE_DAYS + 1)
    return first, datetime.date.max - datetime.timedelta(days=1)


def window_start(task: Task) -> datetime.datetime | None:
    """The start of the task's time window: its deadline minus its estimate, when both are known."""
    prop = task.property
    if task.same_day and prop is not None and task.due_date:
        # The deadline is the next guests' arrival: the window opens when the last guests leave.
        return datetime.datetime.combine(task.due_date, prop.check_out_time, tzinfo=zoneinfo.ZoneInfo(prop.time_zone))
    if task.due_at is None or task.estimate_hours is None:
        return None
    return task.due_at - datetime.timedelta(hours=float(task.estimate_hours))


def with_windows(tasks) -> list[Task]:
    """The tasks as a list, each with its `window_start`."""
    tasks = list(tasks)
    for task in tasks:
        task.window_start = window_start(task)
    return tasks


@dataclass
class DayGroup:
    key: str
    label: str
    tasks: list[Task]


def day_groups(tasks: list[Task], today: datetime.date) -> list[DayGroup]:
    """The field list's sections: still open from earlier, today, tomorrow, later this week."""
    tomorrow = today + datetime.timedelta(days=1)
    earlier, on_today, on_tomorrow, later = (
        DayGroup("earlier", _("Still open from earlier"), []),
        DayGroup("today", _("Today, %(day)s") % {"day": date_format(today, "MONTH_DAY_FORMAT")}, []),
        DayGroup("tomorrow", _("Tomorrow, %(day)s") % {"day": date_format(tomorrow, "MONTH_DAY_FORMAT")}, []),
        DayGroup("week", _("Later this week"), []),
    )
    for task in tasks:
        if task.due_date is None or task.due_date < today:
            earlier.tasks.append(task)
        elif task.due_date == today:
            on_today.tasks.append(task)
        elif task.due_date == tomorrow:
            on_tomorrow.tasks.append(task)
        else:
            later.tasks.append(task)
    return [earlier, on_today, on_tomorrow, later]


def day_sheet_split(tasks: list[Task], day: datetime.date) -> tuple[list[Task], list[Task]]:
    """A day sheet's two sections: the tasks still open from the days before, and the day's own tasks."""
    earlier = [task for task in tasks if task.due_date is not None and task.due_date < day]
    return earlier, [task for task in tasks if task.due_date == day]


def with_next_guest(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """The tasks, each with `next_guest_name`: who arrives next at its property (None when nobody is booked)."""
    return tasks.annotate(next_guest_name=_next_stay("guest_name"))


# The note the turnover sync writes at the head of a task's description (wbs.services.turnovers): meant for
# managers' records, it reads as raw template text to a cleaner.
_SOURCE_NOTE = re.compile(r'^Created by template ".*?" for booking [^\n]*?\)\.\s*')


def turnover_sentence(task: Task) -> str:
    """A turnover task's origin as a plain sentence: whose stay it follows and whose it prepares for."""
    booking = task.booking
    if not task.template_id or booking is None:
        return ""
    # `next_guest_name` is annotated by with_next_guest(); a task read without it says nothing about arrivals.
    leaving, arriving = booking.guest_name, getattr(task, "next_guest_name", None)
    cleaning = task.type == TaskType.CLEANING
    if arriving:
        if cleaning:
            return _("Cleaning after %(leaving)s leaves, before %(arriving)s arrives") % {
                "leaving": leaving,
                "arriving": arriving,
            }
        return _("After %(leaving)s leaves, before %(arriving)s arrives") % {"leaving": leaving, "arriving": arriving}
    if cleaning:
        return _("Cleaning after %(leaving)s leaves; no guests booked next") % {"leaving": leaving}
    return _("After %(leaving)s leaves; no guests booked next") % {"leaving": leaving}


def cleaner_description(task: Task) -> str:
    """The task's description without the sync's source note (the data keeps it; a cleaner reads the sentence)."""
    if not task.template_id:
        return task.description
    return _SOURCE_NOTE.sub("", task.description, count=1)


def visible_links(task: Task, user) -> tuple[QuerySet[TaskDependency], QuerySet[TaskDependency]]:
    """The task's links, (what it waits for, what it blocks), to tasks `user` may open: a cleaner must not read
    the titles of other people's work, and nobody can open a deleted task. Lazy: a part reads what it shows."""
    visible = Task.objects.visible_to(user)
    predecessors = task.predecessor_links.filter(predecessor__in=visible).select_related("predecessor")
    successors = task.successor_links.filter(successor__in=visible).select_related("successor")
    return predecessors.order_by("id"), successors.order_by("id")


def dependency_candidates(task: Task) -> QuerySet[Task]:
    """Tasks offered as predecessors: the same project's (or property's) open work first, nearest dates first."""
    # Only what an option shows: at thousands of tasks, loading whole rows is most of the page's time.
    candidates = Task.objects.exclude(pk=task.pk).select_related("wbs_item").only("id", "title", "wbs_item__code")
    if task.wbs_item is not None:
        candidates = candidates.filter(wbs_item__project_id=task.wbs_item.project_id)
    elif task.property_id:
        candidates = candidates.filter(property_id=task.property_id)
    return candidates.order_by("wbs_item__sort_key", "start_date", "id")[: settings.TASK_DEPENDENCY_CHOICES]
