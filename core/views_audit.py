"""The audit trail page (/audit/, managers): every change, filterable, paginated; and links to audited objects."""

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django_htmx.middleware import HtmxDetails

from core.models import AuditAction, AuditEntry, AuditSource
from core.roles import manager_required

# The apps whose objects people change; core's own models (the audit trail itself) are never audited.
AUDITED_APPS = ("bookings", "wbs", "auth")


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


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
    date_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    batch = django_filters.NumberFilter(field_name="batch_id", label="Import batch", min_value=1)
    # Set by the "full history" link of an object's history list, not shown as fields.
    content_type = django_filters.NumberFilter(field_name="content_type_id", widget=forms.HiddenInput)
    object_id = django_filters.CharFilter(field_name="object_id", widget=forms.HiddenInput)

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(object_repr__icontains=value) | Q(message__icontains=value) | Q(request_id=value) | Q(object_id=value)
        )

    def filter_object_type(self, queryset, name, value):
        app_label, _, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)


@manager_required
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = AuditFilter(request.GET, queryset=AuditEntry.objects.for_list_view())
    # A filter that does not parse lists nothing, not everything: the form says what to fix.
    entries = filterset.qs if filterset.is_valid() else AuditEntry.objects.none()
    page_obj = Paginator(entries, settings.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    template_name = "core/audit.html"
    if request.htmx:
        template_name += "#audit-results"
    return render(request, template_name, {"filterset": filterset, "page_obj": page_obj})


@manager_required
def audit_object(request: HtmxHttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """From an audit entry to its object's page; deleted rows too, since their page may offer a restore."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    get_absolute_url = getattr(model, "get_absolute_url", None)
    if model is None or get_absolute_url is None:
        raise Http404("This kind of object has no page.")
    try:
        obj = model._base_manager.get(pk=object_id)
    except (ObjectDoesNotExist, ValueError) as error:
        raise Http404("That object no longer exists.") from error
    return HttpResponseRedirect(get_absolute_url(obj))
