"""The cleaners' field app at /my/: today's tasks, one task with its checklist and photos, problems, day sheet."""

import datetime

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import Conflict, InvalidInput
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.models import AuditAction, AuditEntry
from core.ratelimits import rate_limit
from core.roles import CLEANER, MANAGER, role_required
from wbs.forms_turnovers import PhotoUploadForm, ProblemForm
from wbs.models import ChecklistItem, Task, TaskPhoto, TaskStatus
from wbs.services.field import checklist_item_set, field_task_done, field_task_start, missing_for_done
from wbs.services.field_actions import FieldReceipt, field_action_run, field_receipt, field_task_for_action
from wbs.services.photos import photo_add
from wbs.services.problems import problem_report
from wbs.task_queries import (
    cleaner_description,
    day_groups,
    day_sheet_split,
    field_day_bounds,
    field_task_list,
    turnover_sentence,
    window_start,
    with_next_guest,
    with_windows,
)

field_user_required = role_required(CLEANER, MANAGER)
WEEK_DAYS = 7


@require_GET
@field_user_required
def my_tasks(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    tasks = with_windows(field_task_list(request.user, today, today + datetime.timedelta(days=WEEK_DAYS - 1)))
    context = {"groups": day_groups(tasks, today), "task_count": len(tasks), "today": today}
    return render_page(request, "wbs/my_tasks.html", context)


@require_GET
@field_user_required
def my_day_sheet(request: HtmxHttpRequest) -> HttpResponse:
    day = _sheet_day(request.GET.get("date", ""))
    # The same one query as /my/: the day's tasks plus those of the last days the cleaner has not finished.
    earlier, tasks = day_sheet_split(with_windows(field_task_list(request.user, day, day)), day)
    context = {
        "day": day,
        "earlier": earlier,
        "tasks": tasks,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
    }
    return render_page(request, "wbs/my_day_sheet.html", context)


def _sheet_day(raw: str) -> datetime.date:
    """The day asked for (today when none is): a date out of the calendar's range is clamped to its edge."""
    if not raw:
        return timezone.localdate()
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidInput(_("“%(raw)s” is not a date; write it like 2026-05-01.") % {"raw": raw[:40]}) from error
    first, last = field_day_bounds()
    return min(max(day, first), last)


def _load_task(request: HtmxHttpRequest, pk: int) -> Task:
    """The task if this user may see it (a cleaner: only their own), with what its page shows."""
    photos = Prefetch("photos", queryset=TaskPhoto.objects.order_by("created_at", "id"))
    return get_object_or_404(
        with_next_guest(Task.objects.visible_to(request.user))
        .select_related("property", "booking", "template", "assignee")
        .prefetch_related("checklist", photos),
        pk=pk,
    )


def _task_context(request: HtmxHttpRequest, task: Task, **extra) -> dict:
    # The sync's own creation entry names the raw template pattern; the first line of the history says it plainly.
    history = (
        AuditEntry.objects.for_object(task)
        .filter(source="automation")
        .exclude(action=AuditAction.CREATE)
        .order_by("created_at", "id")
    )
    photos = list(task.photos.all())
    checklist = list(task.checklist.all())
    for item in checklist:
        item.item_photos = [photo for photo in photos if photo.checklist_item_id == item.pk]
    return {
        "task": task,
        "window_start": window_start(task),
        "turnover_sentence": turnover_sentence(task),
        "description": cleaner_description(task),
        "checklist": checklist,
        "checklist_done": sum(item.done for item in checklist),
        "other_photos": [photo for photo in photos if photo.checklist_item_id is None],
        "closed": task.status in (TaskStatus.DONE, TaskStatus.CANCELLED),
        "missing": missing_for_done(task) if task.status not in (TaskStatus.DONE, TaskStatus.CANCELLED) else [],
        "history": history,
        "photo_form": extra.pop("photo_form", None) or PhotoUploadForm(),
        **extra,
    }


def _render_task(request: HtmxHttpRequest, task: Task, *, status: int = 200, **extra) -> HttpResponse:
    context = _task_context(request, task, **extra)
    return render_page(request, "wbs/my_task.html", context, partial="task-work", status=status)


@require_GET
@field_user_required
def my_task(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _load_task(request, pk)
    return _render_task(request, task)


def _receipt(request: HtmxHttpRequest) -> FieldReceipt:
    """The phone's idempotency key and action time: headers from the offline queue, form fields otherwise."""
    return field_receipt(
        key=request.headers.get("Idempotency-Key") or request.POST.get("idempotency_key"),
        made_at=request.headers.get("X-Made-At") or request.POST.get("made_at"),
    )


@require_POST
@field_user_required
def my_task_start(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    receipt = _receipt(request)

    def start() -> Task:
        task = field_task_for_action(user=request.user, pk=pk, receipt=receipt)
        field_task_start(task=task, user=request.user)
        return task

    field_action_run(user=request.user, receipt=receipt, action="start", task_id=pk, apply=start)
    if not wants_fragment(request):
        return redirect("wbs:my_task", pk=pk)
    return _render_task(request, _load_task(request, pk))


@require_POST
@field_user_required
def my_task_done(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    receipt = _receipt(request)

    def finish() -> Task:
        task = field_task_for_action(user=request.user, pk=pk, receipt=receipt)
        field_task_done(task=task, user=request.user)
        return task

    try:
        field_action_run(user=request.user, receipt=receipt, action="done", task_id=pk, apply=finish)
    except Conflict as refusal:
        task = Task.objects.visible_to(request.user).filter(pk=pk).first()
        if task is None:
            raise
        # Shown in place, next to the checklist it is about, rather than as a passing toast.
        return _render_task(request, _load_task(request, pk), status=409, done_refused=refusal.message)
    task = _load_task(request, pk)
    messages.success(request, _("Done: %(title)s. Thank you!") % {"title": task.title})
    if wants_fragment(request):
        return HttpResponseClientRedirect(reverse("wbs:my_tasks"))
    return redirect("wbs:my_tasks")


@require_POST
@field_user_required
def my_checklist_toggle(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    receipt = _receipt(request)
    done = request.POST.get("done") == "1"

    def toggle() -> Task:
        task = field_task_for_action(user=request.user, pk=pk, receipt=receipt)
        item = get_object_or_404(ChecklistItem, pk=item_pk, task=task)
        checklist_item_set(item=item, done=done, user=request.user)
        return task

    action = "tick" if done else "untick"
    field_action_run(user=request.user, receipt=receipt, action=action, task_id=pk, apply=toggle)
    if not wants_fragment(request):
        return redirect("wbs:my_task", pk=pk)
    return _render_task(request, _load_task(request, pk))


@require_POST
@field_user_required
@rate_limit("RATE_LIMIT_PHOTO_UPLOADS", what="photo uploads")
def my_photo_upload(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    receipt = _receipt(request)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        task = _load_task(request, pk)
        return _render_task(request, task, status=400, photo_form=form, photo_item=request.POST.get("checklist_item"))

    def add() -> Task:
        task = field_task_for_action(user=request.user, pk=pk, receipt=receipt)
        item = None
        if form.cleaned_data["checklist_item"]:
            item = get_object_or_404(ChecklistItem, pk=form.cleaned_data["checklist_item"], task=task)
        photo_add(task=task, prepared=form.cleaned_data["photo"], user=request.user, checklist_item=item)
        return task

    field_action_run(user=request.user, receipt=receipt, action="photo", task_id=pk, apply=add)
    messages.success(request, _("Photo added."))
    if not wants_fragment(request):
        return redirect("wbs:my_task", pk=pk)
    return _render_task(request, _load_task(request, pk))


@field_user_required
def my_problem(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    form = ProblemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        receipt = _receipt(request)

        def report() -> Task:
            current = field_task_for_action(user=request.user, pk=pk, receipt=receipt)
            problem_report(
                task=current, user=request.user, text=form.cleaned_data["text"], photo=form.cleaned_data["photo"]
            )
            return current

        field_action_run(user=request.user, receipt=receipt, action="problem", task_id=pk, apply=report)
        messages.success(request, _("Problem reported. The managers have been told."))
        return redirect("wbs:my_task", pk=pk)
    task = _load_task(request, pk)
    status = 400 if request.method == "POST" else 200
    return render_page(request, "wbs/my_problem.html", {"task": task, "form": form}, status=status)


def _stream(request: HtmxHttpRequest, pk: int, field_name: str) -> FileResponse:
    # Looked up through the tasks this user may see: another cleaner's photo is a 404, like a missing one.
    photo = get_object_or_404(TaskPhoto.objects.visible_to(request.user), pk=pk)
    stored = getattr(photo, field_name)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The photo file is missing.")) from error
    response = FileResponse(handle, content_type="image/jpeg")
    # Private: browsers may keep it, shared caches must not.
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="task-{photo.task_id}-photo-{photo.pk}.jpg"'
    return response


@require_GET
@field_user_required
def photo(request: HtmxHttpRequest, pk: int) -> FileResponse:
    return _stream(request, pk, "image")


@require_GET
@field_user_required
def photo_thumbnail(request: HtmxHttpRequest, pk: int) -> FileResponse:
    return _stream(request, pk, "thumbnail")
