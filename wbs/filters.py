"""TaskFilter: the one filter form of the board, the Gantt and the task export."""

import datetime

import django_filters
import django_filters.fields
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from bookings.models import Property
from core.roles import ROLES
from wbs.models import Tag, Task, TaskStatus, TaskType


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
        fields = ["q", "property", "assignee", "type", "tag", "due"]

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
