"""Import pages: upload and history, a batch's preview with its rows, confirm, progress, error report, template."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from bookings.forms_imports import ImportFixForms, ImportUploadForm, RowFilterForm
from bookings.importing import FileRejected, import_error_report
from bookings.importing.batches import (
    import_batch_check_job,
    import_batch_preview_again,
    import_batch_start_apply,
    import_batch_upload,
)
from bookings.importing.fixes import FIXABLE_STATES, import_batch_fix
from bookings.importing.progress import current_progress
from bookings.importing.template_workbook import template_workbook_bytes
from bookings.models import ImportBatch, ImportRowAction, ImportState, Property
from bookings.presenting import present_rows
from bookings.queries import import_action_counts, import_batches, import_error_groups, import_rows
from core.errors import Conflict, InvalidInput
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.ratelimits import rate_limit
from core.roles import manager_required
from core.spreadsheets import XLSX_CONTENT_TYPE

RUNNING_STATES = (ImportState.QUEUED, ImportState.RUNNING)
# Rows that confirming writes: bookings created, changed or cancelled, and conflicts recorded.
APPLIED_ACTIONS = (ImportRowAction.CREATE, ImportRowAction.UPDATE, ImportRowAction.CANCEL, ImportRowAction.CONFLICT)


@manager_required
@require_http_methods(["GET", "POST"])
@rate_limit("RATE_LIMIT_IMPORTS", what="imports")
def import_page(request: HtmxHttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_upload(
                file=upload, file_name=upload.name, user=request.user, source=form.cleaned_data["source"]
            )
        except FileRejected as rejected:
            form.add_error("file", rejected.message)
        else:
            return redirect(batch)
    history = import_batches().select_related("created_by")
    page_obj = Paginator(history, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    # A failed upload re-renders the whole page with the form's errors; only paging swaps the history.
    partial = "import-history" if request.method == "GET" else None
    status = 400 if form.errors else 200
    context = {"form": form, "page_obj": page_obj}
    return render_page(request, "bookings/import.html", context, partial=partial, status=status)


@manager_required
@require_GET
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_batches().select_related("created_by"), pk=pk)
    # A batch whose job died turns failed here, with a retry, instead of showing "queued" for ever.
    batch = import_batch_check_job(batch=batch)
    # Paging and filtering swap only the rows: the errors by cause are read for the whole page.
    context = _preview_context(request, batch, with_groups=not wants_fragment(request))
    return render_page(request, "bookings/import_detail.html", context, partial="import-rows")


@manager_required
@require_POST
def import_fix(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The preview's fix step: map listings and statuses, then the preview is planned again from the stored file."""
    batch = get_object_or_404(import_batches().select_related("created_by"), pk=pk)
    fix_forms = ImportFixForms(request.POST, groups=import_error_groups(batch), properties=_properties())
    if fix_forms.is_valid():
        try:
            batch = import_batch_fix(batch=batch, **fix_forms.fixes(), user=request.user)
        except (InvalidInput, Conflict, FileRejected) as refused:
            fix_forms.refused = refused.message
        else:
            messages.success(request, "Saved. The preview was checked again against the file you uploaded.")
            if not wants_fragment(request):
                return redirect(batch)
            fix_forms = None
    context = _preview_context(request, batch, fix_forms=fix_forms)
    status = 400 if fix_forms is not None and fix_forms.errors else 200
    return render_page(request, "bookings/import_detail.html", context, partial="import-preview", status=status)


@manager_required
@require_GET
def import_progress(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Polled by the batch page while a job runs; once it is done the page reloads to show the result."""
    batch = get_object_or_404(import_batches(), pk=pk)
    if not wants_fragment(request):
        return redirect(batch)
    batch = import_batch_check_job(batch=batch)
    if batch.state not in RUNNING_STATES:
        return HttpResponseClientRefresh()
    context = {"batch": batch, "running": True, "progress": current_progress(batch)}
    return render_page(request, "bookings/import_detail.html", context, partial="import-progress")


@manager_required
@require_POST
def import_apply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_batches(), pk=pk)
    try:
        batch = import_batch_start_apply(batch=batch, user=request.user)
    except Conflict as refused:
        messages.error(request, refused.message)
    else:
        if batch.state == ImportState.APPLIED:
            messages.success(request, "Import applied. The bookings table shows the new and changed bookings.")
        else:
            messages.info(request, "Applying in the background. You can leave this page and come back.")
    if wants_fragment(request):
        return HttpResponseClientRedirect(batch.get_absolute_url())
    return redirect(batch)


@manager_required
@require_POST
def import_preview_again(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A stale preview is read again from the stored file against today's bookings."""
    batch = get_object_or_404(import_batches(), pk=pk)
    try:
        batch = import_batch_preview_again(batch=batch)
    except (FileRejected, Conflict) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Previewed again against the current bookings. Check the rows, then confirm.")
    return redirect(batch)


@manager_required
@require_GET
def import_errors(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_batches(), pk=pk)
    response = HttpResponse(import_error_report(batch), content_type=XLSX_CONTENT_TYPE)
    stem = batch.file_name.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(stem)}-errors.xlsx"'
    return response


@manager_required
@require_GET
def import_template(request: HtmxHttpRequest) -> HttpResponse:
    codes = list(Property.objects.active().order_by("code").values_list("code", flat=True))
    response = HttpResponse(template_workbook_bytes(codes), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="stayops-import-template.xlsx"'
    return response


def _properties() -> list[Property]:
    return list(Property.objects.active().order_by("name").only("name", "code"))


def _preview_context(
    request: HtmxHttpRequest, batch: ImportBatch, *, fix_forms: ImportFixForms | None = None, with_groups: bool = True
) -> dict:
    """What the batch page shows: counts, errors grouped by cause with their fixes, and one page of rows."""
    row_filter = RowFilterForm(request.GET)
    action = row_filter.action_or_all()
    page_obj = Paginator(import_rows(batch, action=action), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    action_counts = import_action_counts(batch)
    error_rows = sum(item["rows"] for item in action_counts if item["value"] == ImportRowAction.ERROR)
    error_groups = import_error_groups(batch) if error_rows and with_groups else []
    if fix_forms is None and batch.state in FIXABLE_STATES and error_groups:
        fix_forms = ImportFixForms(groups=error_groups, properties=_properties())
    return {
        "batch": batch,
        "row_filter": row_filter,
        "action": action,
        "page_obj": page_obj,
        "rows": present_rows(page_obj.object_list),
        "action_counts": action_counts,
        "error_rows": error_rows,
        "error_groups": error_groups,
        "fix_forms": fix_forms if batch.state in FIXABLE_STATES else None,
        "rows_to_apply": sum(item["rows"] for item in action_counts if item["value"] in APPLIED_ACTIONS),
        "running": batch.state in RUNNING_STATES,
        "progress": current_progress(batch),
    }


def _safe_filename(stem: str) -> str:
    # The name goes into a header: keep letters, digits and a few separators only.
    cleaned = "".join(char if (char.isascii() and char.isalnum()) or char in "-_ ." else "_" for char in stem).strip()
    return cleaned[:80] or "import"
