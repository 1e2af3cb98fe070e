"""The cleaners' field app at /my/: today's tasks, one task with its checklist and photos, problems, day sheet."""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from bookings.models import Booking, BookingStatus
from core.errors import Conflict
from core.models import AuditEntry
from core.ratelimits import rate_limit
from core.roles import CLEANER, MANAGER, role_required
from wbs.forms_turnovers import PhotoUploadForm, ProblemForm
from wbs.models import ChecklistItem, Task, TaskPhoto, TaskStatus
from wbs.services.field import checklist_item_set, field_task_done, field_task_start, missing_for_done
from wbs.services.photos import photo_add
from wbs.services.problems import problem_report

field_user_required = role_required(CLEANER, MANAGER)
WEEK_DAYS = 7
_OPEN = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _next_stay(field_name: str):
    """The first live, not cancelled booking of the task's property that arrives on or after its due day."""
    return Subquery(
        Booking.objects.filter(property=OuterRef("property"), check_in__gte=OuterRef("due_date"))
        .exclude(status=BookingStatus.CANCELLED)
        .order_by("check_in")
        .values(field_name)[:1]
    )


def my_task_list(user, first_day: datetime.date, last_day: datetime.date):
    """The user's tasks due in [first_day, last_day], plus those of the last days still open; one query."""
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


def _with_windows(tasks) -> list[Task]:
    """The start of each task's time window: its deadline minus its estimate, when both are known."""
    tasks = list(tasks)
    for task in tasks:
        task.window_start = _window_start(task)
    return tasks


def _window_start(task: Task) -> datetime.datetime | None:
    if task.same_day and task.property_id and task.due_date:
        # The deadline is the next guests' arrival: the window opens when the last guests leave.
        prop = task.property
        return datetime.datetime.combine(task.due_date, prop.check_out_time, tzinfo=zoneinfo.ZoneInfo(prop.time_zone))
    if task.due_at is None or task.estimate_hours is None:
        return None
    return task.due_at - datetime.timedelta(hours=float(task.estimate_hours))


def _day_groups(tasks: list[Task], today: datetime.date) -> list[dict]:
    tomorrow = today + datetime.timedelta(days=1)
    groups = [
        {"key": "earlier", "label": "Still open from earlier", "tasks": []},
        {"key": "today", "label": f"Today, {today:%a %d %b}", "tasks": []},
        {"key": "tomorrow", "label": f"Tomorrow, {tomorrow:%a %d %b}", "tasks": []},
        {"key": "week", "label": "Later this week", "tasks": []},
    ]
    for task in tasks:
        if task.due_date is None or task.due_date < today:
            groups[0]["tasks"].append(task)
        elif task.due_date == today:
            groups[1]["tasks"].append(task)
        elif task.due_date == tomorrow:
            groups[2]["tasks"].append(task)
        else:
            groups[3]["tasks"].append(task)
    return groups


@require_GET
@field_user_required
def my_tasks(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    tasks = _with_windows(my_task_list(request.user, today, today + datetime.timedelta(days=WEEK_DAYS - 1)))
    context = {"groups": _day_groups(tasks, today), "task_count": len(tasks), "today": today}
    return render(request, "wbs/my_tasks.html", context)


@require_GET
@field_user_required
def my_day_sheet(request: HtmxHttpRequest) -> HttpResponse:
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    tasks = _with_windows(my_task_list(request.user, day, day).filter(due_date=day))
    context = {
        "day": day,
        "tasks": tasks,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
    }
    return render(request, "wbs/my_day_sheet.html", context)


def _load_task(request, pk: int) -> Task:
    """The task if this user may see it (a cleaner: only their own), with what its page shows."""
    photos = Prefetch("photos", queryset=TaskPhoto.objects.order_by("created_at", "id"))
    return get_object_or_404(
        Task.objects.visible_to(request.user)
        .select_related("property", "booking", "template", "assignee")
        .prefetch_related("checklist", photos),
        pk=pk,
    )


def _task_context(request, task: Task, **extra) -> dict:
    history = AuditEntry.objects.for_object(task).filter(source="automation").order_by("created_at", "id")
    photos = list(task.photos.all())
    checklist = list(task.checklist.all())
    for item in checklist:
        item.item_photos = [photo for photo in photos if photo.checklist_item_id == item.pk]
    return {
        "task": task,
        "window_start": _window_start(task),
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
    template_name = "wbs/my_task.html"
    if request.htmx:
        template_name += "#task-work"
    return render(request, template_name, _task_context(request, task, **extra), status=status)


@require_GET
@field_user_required
def my_task(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _load_task(request, pk)
    return _render_task(request, task)


@require_POST
@field_user_required
def my_task_start(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _load_task(request, pk)
    field_task_start(task=task, user=request.user)
    if not request.htmx:
        return redirect("wbs:my_task", pk=task.pk)
    return _render_task(request, _load_task(request, pk))


@require_POST
@field_user_required
def my_task_done(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _load_task(request, pk)
    try:
        field_task_done(task=task, user=request.user)
    except Conflict as refusal:
        # Shown in place, next to the checklist it is about, rather than as a passing toast.
        return _render_task(request, task, status=409, done_refused=refusal.message)
    messages.success(request, f"Done: {task.title}. Thank you!")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("wbs:my_tasks"))
    return redirect("wbs:my_tasks")


@require_POST
@field_user_required
def my_checklist_toggle(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    task = _load_task(request, pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, task=task)
    item.task = task
    checklist_item_set(item=item, done=request.POST.get("done") == "1", user=request.user)
    if not request.htmx:
        return redirect("wbs:my_task", pk=task.pk)
    return _render_task(request, _load_task(request, pk))


@require_POST
@field_user_required
@rate_limit("RATE_LIMIT_PHOTO_UPLOADS", what="photo uploads")
def my_photo_upload(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _load_task(request, pk)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_task(request, task, status=400, photo_form=form, photo_item=request.POST.get("checklist_item"))
    item = None
    if form.cleaned_data["checklist_item"]:
        item = get_object_or_404(ChecklistItem, pk=form.cleaned_data["checklist_item"], task=task)
    photo_add(task=task, prepared=form.cleaned_data["photo"], user=request.user, checklist_item=item)
    messages.success(request, "Photo added.")
    if not request.htmx:
        return redirect("wbs:my_task", pk=task.pk)
    return _render_task(request, _load_task(request, pk))


@field_user_required
def my_problem(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _load_task(request, pk)
    form = ProblemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        problem_report(task=task, user=request.user, text=form.cleaned_data["text"], photo=form.cleaned_data["photo"])
        messages.success(request, "Problem reported. The managers have been told.")
        return redirect("wbs:my_task", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "wbs/my_problem.html", {"task": task, "form": form}, status=status)


def _stream(request, pk: int, field_name: str) -> FileResponse:
    # Looked up through the tasks this user may see: another cleaner's photo is a 404, like a missing one.
    photo = get_object_or_404(TaskPhoto.objects.visible_to(request.user), pk=pk)
    stored = getattr(photo, field_name)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404("The photo file is missing.") from error
    response = FileResponse(handle, content_type="image/jpeg")
    # Private: browsers may keep it, shared caches must not.
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="task-{photo.task_id}-photo-{photo.pk}.jpg"'
    return response


@require_GET
@field_user_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    return _stream(request, pk, "image")


@require_GET
@field_user_required
def photo_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    return _stream(request, pk, "thumbnail")
