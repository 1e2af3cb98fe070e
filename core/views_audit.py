"""The audit trail page (/audit/, managers): every change, filterable, paginated; and links to audited objects."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404

from core.audit_presenting import present_entries
from core.filters import AuditFilter
from core.http import HtmxHttpRequest, render_page
from core.models import AuditEntry
from core.paging import CappedCountPaginator
from core.roles import manager_required


@manager_required
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = AuditFilter(request.GET, queryset=AuditEntry.objects.for_list_view())
    # A filter that does not parse lists nothing, not everything: the form says what to fix.
    entries = filterset.qs if filterset.is_valid() else AuditEntry.objects.none()
    paginator = CappedCountPaginator(entries, settings.AUDIT_PAGE_SIZE, cap=settings.AUDIT_COUNT_LIMIT)
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = present_entries(page_obj.object_list)
    context = {"filterset": filterset, "page_obj": page_obj}
    return render_page(request, "core/audit.html", context, partial="audit-results")


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
