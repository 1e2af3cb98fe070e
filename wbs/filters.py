"""TaskFilter: the one filter form of the board, the Gantt and the task export; BoardTaskFilter adds the board's
turnover horizon.

Both open on project work: turnover tasks (one per booking and template, hundreds after an import) would bury
the few project cards a manager plans, so they are a view of their own (`work=turnover`) or part of `work=all`.
"""

import datetime

import django_filters
import django_filters.fields
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from bookings.models import Property
from core.roles import ROLES
from wbs.models import CLOSED_STATUSES, Project, Tag, Task, TaskStatus, TaskType


class DueWindow:
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    NONE = "none"
    CHOICES = [
        (OVERDUE, "Overdue"),
        (TODAY, "Due today"),
        (WEEK, "Due in the next 7 days"),
        (MONTH, "Due in the next 30 days"),
        (NONE, "No due date"),
    ]


class WorkScope:
    """Which work the board and the Gantt show; the first is the default, when the URL says nothing."""

    PROJECT = "project"
    TURNOVER = "turnover"
    ALL = "all"
    DEFAULT = PROJECT
    CHOICES = [
        (PROJECT, "Project work"),
        (TURNOVER, "Turnovers"),
        (ALL, "All work"),
    ]


class TurnoverHorizon:
    """How far ahead the board shows turnover cards: the coming BOARD_TURNOVER_DAYS by default, or all."""

    COMING = "coming"
    ALL = "all"
    DEFAULT = COMING


def scope_filter(scope: str) -> Q:
    """The tasks of a work scope: turnover work is the tasks made for a booking, project work everything else."""
    if scope == WorkScope.TURNOVER:
        return Q(booking__isnull=False)
    if scope == WorkScope.PROJECT:
        return Q(booking__isnull=True)
    return Q()


def coming_turnovers(today: datetime.date, days: int) -> Q:
    """Tasks that are not turnover work, and turnover work due in the coming `days` days or overdue and open.

    A turnover done last month is history and one due in six weeks is not today's concern; an open one past its
    date is, so it stays.
    """
    horizon = today + datetime.timedelta(days=days)
    return (
        Q(booking__isnull=True)
        | Q(due_date__range=(today, horizon))
        | (Q(due_date__lt=today) & ~Q(status__in=CLOSED_STATUSES))
    )


def assignee_choices(request=None):
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class AssigneeField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AssigneeChoiceFilter(django_filters.ModelChoiceFilter):
    """People are listed by name, not username."""

    field_class = AssigneeField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=assignee_choices, **kwargs)


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    # Applied in filter_queryset, so an absent or empty value means the default scope, not every task.
    work = django_filters.ChoiceFilter(
        choices=WorkScope.CHOICES, method="filter_nothing", empty_label=None, label="Work", widget=forms.RadioSelect
    )
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.order_by("name", "id"),
        field_name="wbs_item__project",
        empty_label="All projects",
        label="Project",
    )
    property = django_filters.ModelChoiceFilter(queryset=Property.objects.all(), empty_label="All properties")
    assignee = AssigneeChoiceFilter(empty_label="Anyone")
    type = django_filters.ChoiceFilter(choices=TaskType.choices, empty_label="All types")
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.all(), field_name="tags", to_field_name="name", empty_label="All tags"
    )
    due = django_filters.ChoiceFilter(
        choices=DueWindow.CHOICES, method="filter_due", empty_label="Any due date", label="Due"
    )

    class Meta:
        model = Task
        fields = ["q", "work", "project", "property", "assignee", "type", "tag", "due"]

    # What a URL that does not say is taken to say; the form shows it chosen.
    defaults = {"work": WorkScope.DEFAULT}

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name, value in self.defaults.items():
                if not data.get(name):
                    data[name] = value
        super().__init__(data, *args, **kwargs)

    def scope(self) -> str:
        """The work scope asked for, or the default one."""
        value = self.form.cleaned_data.get("work") if self.is_valid() else None
        return value or WorkScope.DEFAULT

    def narrows(self) -> bool:
        """Whether the filter leaves out tasks: always, unless it asks for all work and sets nothing else.

        The defaults (project work, the coming turnovers) narrow too, though the URL may not name them.
        """
        if self.scope() != WorkScope.ALL:
            return True
        return any(name not in self.defaults for name in self.form.changed_data)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).filter(scope_filter(self.scope()))

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == DueWindow.OVERDUE:
            return queryset.filter(due_date__lt=today).exclude(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED])
        if value == DueWindow.TODAY:
            return queryset.filter(due_date=today)
        if value == DueWindow.WEEK:
            return queryset.filter(due_date__range=(today, today + datetime.timedelta(days=7)))
        if value == DueWindow.MONTH:
            return queryset.filter(due_date__range=(today, today + datetime.timedelta(days=30)))
        if value == DueWindow.NONE:
            return queryset.filter(due_date__isnull=True)
        return queryset


class BoardTaskFilter(TaskFilter):
    """The board's filter: TaskFilter, with turnover cards limited to the coming days unless all are asked for."""

    turnovers = django_filters.ChoiceFilter(
        choices=[],
        method="filter_nothing",
        empty_label=None,
        label="Turnovers",
    )

    defaults = TaskFilter.defaults | {"turnovers": TurnoverHorizon.DEFAULT}

    class Meta(TaskFilter.Meta):
        fields = [*TaskFilter.Meta.fields, "turnovers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The label names the setting's number of days, read per request (tests change it).
        self.filters["turnovers"].extra["choices"] = [
            (TurnoverHorizon.COMING, f"Next {settings.BOARD_TURNOVER_DAYS} days"),
            (TurnoverHorizon.ALL, "All dates"),
        ]

    def horizon(self) -> str:
        value = self.form.cleaned_data.get("turnovers") if self.is_valid() else None
        return value or TurnoverHorizon.DEFAULT

    def narrows(self) -> bool:
        return super().narrows() or self.horizon() == TurnoverHorizon.COMING

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.scope() != WorkScope.PROJECT and self.horizon() == TurnoverHorizon.COMING:
            queryset = queryset.filter(coming_turnovers(timezone.localdate(), settings.BOARD_TURNOVER_DAYS))
        return queryset
