"""The audit trail's filters: who, what, when, which object or import batch, and a text search."""

import datetime

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import AuditAction, AuditEntry, AuditSource
from core.params import MAX_ID
from core.widgets import DateInput

# The apps whose objects people change; core's own models (the audit trail itself) are never audited.
AUDITED_APPS = ("bookings", "wbs", "auth")


def _day_start(day: datetime.date) -> datetime.datetime | None:
    """Midnight of `day` in the current time zone; None at the calendar's ends, where no bound is a bound."""
    try:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        start.astimezone(datetime.UTC)
    except OverflowError:
        return None
    return start


def object_type_choices() -> list[tuple[str, str]]:
    """`app_label.model` values, so the filter needs no query and its URLs stay readable."""
    choices = []
    for label in AUDITED_APPS:
        if label not in apps.app_configs:
            continue
        for model in apps.get_app_config(label).get_models():
            choices.append((model._meta.label_lower, str(model._meta.verbose_name).capitalize()))
    return sorted(choices, key=lambda choice: choice[1])


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label="Text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Object, message or request id"}),
    )
    actor = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.order_by("username"), label="Who", empty_label="Anyone"
    )
    source = django_filters.ChoiceFilter(choices=AuditSource.choices, empty_label="Any source")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, empty_label="Any action")
    object_type = django_filters.ChoiceFilter(
        choices=object_type_choices, method="filter_object_type", label="Object type", empty_label="Any type"
    )
    # Bounds as moments in the site's time zone, not `created_at__date`: a date cast of the column cannot use its index.
    date_from = django_filters.DateFilter(method="filter_date_from", label="From", widget=DateInput())
    date_to = django_filters.DateFilter(method="filter_date_to", label="To", widget=DateInput())
    batch = django_filters.NumberFilter(field_name="batch_id", label="Import batch", min_value=1, max_value=MAX_ID)
    # Set by the "full history" link of an object's history list, not shown as fields.
    content_type = django_filters.NumberFilter(
        field_name="content_type_id", min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    object_id = django_filters.CharFilter(field_name="object_id", widget=forms.HiddenInput)

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.matching_text(value)

    def filter_date_from(self, queryset, name, value):
        start = _day_start(value)
        return queryset if start is None else queryset.filter(created_at__gte=start)

    def filter_date_to(self, queryset, name, value):
        end = _day_start(value + datetime.timedelta(days=1)) if value < datetime.date.max else None
        return queryset if end is None else queryset.filter(created_at__lt=end)

    def filter_object_type(self, queryset, name, value):
        app_label, _, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
