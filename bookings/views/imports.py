"""Import pages: upload and history, a batch's preview with its rows, confirm, progress, error report, template."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh
from django_htmx.middleware import HtmxDetails

from bookings.forms_imports import ImportUploadForm, RowFilterForm
from bookings.importing import FileRejected, import_error_report
from bookings.importing.batches import (
    import_batch_check_job,
    import_batch_preview_again,
    import_batch_start_apply,
    import_batch_upload,
)
from bookings.importing.progress import current_progress
from bookings.importing.template_workbook import template_workbook_bytes
from bookings.models import Booking, ImportBatch, ImportRowAction, ImportState, Property
from core.errors import Conflict
from core.ratelimits import rate_limit
from core.roles import manager_required
from core.spreadsheets import XLSX_CONTENT_TYPE

RUNNING_STATES = (ImportState.QUEUED, ImportState.RUNNING)
# Rows that confirming writes: bookings created, changed or cancelled, and conflicts recorded.
APPLIED_ACTIONS = (ImportRowAction.CREATE, ImportRowAction.UPDATE, ImportRowAction.CANCEL, ImportRowAction.CONFLICT)
# What the preview looked at (every code of the file) and its fingerprint are for the engine, not for pages;
# a 100,000-row file's scope is megabytes, and the progress bar reads its batch every second.
ENGINE_ONLY_FIELDS = ("scope", "fingerprint")


def batches():
    return ImportBatch.objects.defer(*ENGINE_ONLY_FIELDS)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


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
    history = batches().select_related("created_by")
    page_obj = Paginator(history, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    template_name = "bookings/import.html"
    if request.htmx and request.method == "GET":
        template_name += "#import-history"
    status = 400 if form.errors else 200
    return render(request, template_name, {"form": form, "page_obj": page_obj}, status=status)


@manager_required
@require_GET
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(batches().select_related("created_by"), pk=pk)
    # A batch whose job died turns failed here, with a retry, instead of showing "queued" for ever.
    batch = import_batch_check_job(batch=batch)
    row_filter = RowFilterForm(request.GET)
    action = row_filter.action_or_all()
    rows = batch.rows.order_by("row_number")
    if action:
        rows = rows.filter(action=action)
    page_obj = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    action_counts = _action_counts(batch)
    context = {
        "batch": batch,
        "row_filter": row_filter,
        "action": action,
        "page_obj": page_obj,
        "rows": present_rows(page_obj.object_list),
        "action_counts": action_counts,
        "error_rows": sum(item["rows"] for item in action_counts if item["value"] == ImportRowAction.ERROR),
        "rows_to_apply": sum(item["rows"] for item in action_counts if item["value"] in APPLIED_ACTIONS),
        "running": batch.state in RUNNING_STATES,
        "progress": current_progress(batch),
    }
    template_name = "bookings/import_detail.html"
    if request.htmx:
        template_name += "#import-rows"
    return render(request, template_name, context)


@manager_required
@require_GET
def import_progress(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Polled by the batch page while a job runs; once it is done the page reloads to show the result."""
    batch = get_object_or_404(batches(), pk=pk)
    if not request.htmx:
        return redirect(batch)
    batch = import_batch_check_job(batch=batch)
    if batch.state not in RUNNING_STATES:
        return HttpResponseClientRefresh()
    context = {"batch": batch, "running": True, "progress": current_progress(batch)}
    return render(request, "bookings/import_detail.html#import-progress", context)


@manager_required
@require_POST
def import_apply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(batches(), pk=pk)
    try:
        batch = import_batch_start_apply(batch=batch, user=request.user)
    except Conflict as refused:
        messages.error(request, refused.message)
    else:
        if batch.state == ImportState.APPLIED:
            messages.success(request, "Import applied. The bookings table shows the new and changed bookings.")
        else:
            messages.info(request, "Applying in the background. You can leave this page and come back.")
    if request.htmx:
        return HttpResponseClientRedirect(batch.get_absolute_url())
    return redirect(batch)


@manager_required
@require_POST
def import_preview_again(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A stale preview is read again from the stored file against today's bookings."""
    batch = get_object_or_404(batches(), pk=pk)
    try:
        batch = import_batch_preview_again(batch=batch)
    except (FileRejected, Conflict) as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Previewed again against the current bookings. Check the rows, then confirm.")
    return redirect(batch)


@manager_required
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(batches(), pk=pk)
    response = HttpResponse(import_error_report(batch), content_type=XLSX_CONTENT_TYPE)
    stem = batch.file_name.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(stem)}-errors.xlsx"'
    return response


@manager_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    codes = list(Property.objects.active().order_by("code").values_list("code", flat=True))
    response = HttpResponse(template_workbook_bytes(codes), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="stayops-import-template.xlsx"'
    return response


def present_rows(rows) -> list[dict]:
    """Each row as the page shows it: who and when, its changes with field labels, its errors.

    Property ids in the rows become names with one query for the whole page.
    """
    rows = list(rows)
    property_ids = set()
    for row in rows:
        property_ids.add(row.data.get("property_id"))
        property_ids.update((row.diff or {}).get("property_id", []))
    names = dict(Property.all_objects.filter(pk__in=property_ids - {None}).values_list("pk", "name"))
    presented = []
    for row in rows:
        data = row.data or {}
        place = names.get(data.get("property_id"), "")
        stay = _stay(data.get("check_in"), data.get("check_out"))
        conflict = row.action == ImportRowAction.CONFLICT and row.errors
        presented.append(
            {
                "row": row,
                # A row with errors has no parsed data: its guest is shown as the file wrote it.
                "guest": data.get("guest_name") or _raw_guest(row.raw),
                "stay": " · ".join(part for part in (place, stay) if part),
                "changes": [
                    {
                        "label": _field_label(field),
                        "old": names.get(old, old) if field == "property_id" else old,
                        "new": names.get(new, new) if field == "property_id" else new,
                    }
                    for field, (old, new) in (row.diff or {}).items()
                ],
                "errors": [] if conflict else row.errors or [],
                "message": row.errors[0].get("reason", "") if conflict else "",
                # An unknown status is fixed on the status aliases page, not in the file.
                "alias_hint": not conflict
                and any("status alias" in str(error.get("reason")) for error in row.errors or []),
                "note": ROW_NOTES.get(row.action, ""),
            }
        )
    return presented


ROW_NOTES = {
    ImportRowAction.CREATE: "New booking.",
    ImportRowAction.UNCHANGED: "Same as the booking StayOps has.",
    ImportRowAction.CANCEL: "The booking will be cancelled.",
    ImportRowAction.CONFLICT: "Needs your decision on the conflicts page.",
}


def _stay(check_in: str | None, check_out: str | None) -> str:
    """`14 Mar – 17 Mar 2026` from the ISO dates an import row keeps."""
    if not (check_in and check_out):
        return ""
    try:
        start, end = datetime.date.fromisoformat(check_in), datetime.date.fromisoformat(check_out)
    except ValueError:
        return f"{check_in} – {check_out}"
    return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"


def _raw_guest(raw: dict) -> str:
    return next((str(value) for key, value in (raw or {}).items() if "guest" in key.lower() and value), "")


def _field_label(name: str) -> str:
    try:
        return str(Booking._meta.get_field(name.removesuffix("_id")).verbose_name).capitalize()
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()


def _action_counts(batch: ImportBatch) -> list[dict]:
    """Rows per action, every action listed (zeros too) so the filter chips stay in one place."""
    counted = dict(batch.rows.order_by().values_list("action").annotate(rows=Count("id")))
    return [{"value": value, "label": label, "rows": counted.get(value, 0)} for value, label in ImportRowAction.choices]


def _safe_filename(stem: str) -> str:
    # The name goes into a header: keep letters, digits and a few separators only.
    cleaned = "".join(char if (char.isascii() and char.isalnum()) or char in "-_ ." else "_" for char in stem).strip()
    return cleaned[:80] or "import"
