"""The task page and its HTMX parts: status, assignee, tags, dependencies, checklist, comments, history."""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from core.audit_presenting import lazy_history
from core.errors import Conflict, InvalidInput, NotAllowed
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.models import AuditEntry
from core.roles import is_manager, manager_required
from wbs.forms import (
    ChecklistAddForm,
    CommentForm,
    DependencyForm,
    TaskAssigneeForm,
    TaskForm,
    TaskStatusForm,
    TaskTagsForm,
)
from wbs.models import ChecklistItem, Task, TaskDependency, TaskStatus
from wbs.queries.projects import any_item_choices
from wbs.services import tasks as task_services
from wbs.services.dependencies import dependency_add, dependency_remove
from wbs.services.field import field_task_done
from wbs.task_queries import dependency_candidates, visible_links
from wbs.transitions import allowed_moves

TASK_TEMPLATE = "wbs/task_detail.html"
# Fired after every write on the task page: the history part listens for it and reloads itself.
TASK_CHANGED_EVENT = "task-changed"
# Fired after a dependency is added or removed, for pages that draw them (the Gantt reloads its arrows).
DEPENDENCIES_CHANGED_EVENT = "dependencies-changed"


def _visible_task(request: HtmxHttpRequest, pk: int) -> Task:
    """The task if the user may see it (a cleaner only their own), else 404."""
    return get_object_or_404(Task.objects.visible_to(request.user).for_detail_view(), pk=pk)


@login_required
@require_GET
def task_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    return _render_task(request, task)


@login_required
@require_GET
def task_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    return _render_task(request, task, part="history")


@manager_required
def task_create(request: HtmxHttpRequest) -> HttpResponse:
    initial = {}
    if request.method == "GET":
        # Links from a WBS row or a property page pre-fill where the task belongs.
        initial = {name: request.GET[name] for name in ("wbs_item", "property") if request.GET.get(name, "").isdigit()}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        task = task_services.task_create(
            user=request.user, tags=list(form.cleaned_data["tags"]), **form.service_fields()
        )
        messages.success(request, f"Task “{task.title}” created.")
        return redirect(task)
    context = {"form": form, "task": None, "cancel_url": _cancel_url(form), **_item_picker(form)}
    return render_page(request, "wbs/task_form.html", context, status=400 if form.errors else 200)


@manager_required
def task_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.for_detail_view(), pk=pk)
    # The form validates a copy: a refused edit re-renders the page around the task as it is saved.
    form = TaskForm(request.POST or None, instance=copy.copy(task))
    if request.method == "POST" and form.is_valid():
        task_services.task_edit(
            task=task, tags=list(form.cleaned_data["tags"]), user=request.user, **form.service_fields()
        )
        messages.success(request, "Task saved.")
        return redirect(task)
    context = {"form": form, "task": task, "cancel_url": task.get_absolute_url(), **_item_picker(form)}
    return render_page(request, "wbs/task_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def task_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    form = TaskStatusForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, part="status", status=400, status_error="Pick one of the statuses.")
    new_status = form.cleaned_data["status"]
    manager = is_manager(request.user)
    if new_status == TaskStatus.CANCELLED and not manager:
        raise NotAllowed("Only a manager can cancel a task; report a problem instead.")
    try:
        if new_status == TaskStatus.DONE and not manager:
            # A cleaner finishes under the field app's rules: checklist ticked, photos taken.
            field_task_done(task=task, user=request.user)
        else:
            task_services.task_set_status(
                task=task, status=new_status, user=request.user, confirmed=form.cleaned_data["confirmed"]
            )
    except Conflict as conflict:
        # Not an error to toast: the reason shows in place, and a manager gets a button to go ahead anyway.
        return _render_task(request, task, part="status", status=409, status_conflict=conflict, pending=new_status)
    return _after_write(request, task, part="status")


@manager_required
@require_POST
def task_assignee(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.for_detail_view(), pk=pk)
    form = TaskAssigneeForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, part="assignee", status=400, assignee_form=form)
    task_services.task_update(task=task, user=request.user, assignee=form.cleaned_data["assignee"])
    return _after_write(request, task, part="assignee")


@manager_required
@require_POST
def task_tags(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.for_detail_view(), pk=pk)
    form = TaskTagsForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, part="tags", status=400, tags_form=form)
    task_services.task_set_tags(
        task=task,
        tags=form.cleaned_data["tags"],
        new_tag=form.cleaned_data["new_tag"],
        new_tag_color=form.cleaned_data["new_tag_color"],
        user=request.user,
    )
    return _after_write(request, task, part="tags")


@manager_required
@require_POST
def task_dependency_add(request: HtmxHttpRequest) -> HttpResponse:
    """Add predecessor → successor. Posted by the task page (with `task`, the page's task) and by the Gantt.

    A refusal (a loop, a duplicate) shows in the task page's form; an HTMX post from elsewhere gets it as
    a toast from the error middleware.
    """
    form = DependencyForm(request.POST, tasks=Task.objects.all())
    page_task = _page_task(request)
    if form.is_valid():
        try:
            dependency_add(
                predecessor=form.cleaned_data["predecessor"],
                successor=form.cleaned_data["successor"],
                type=form.cleaned_data["type"],
                lag_days=form.cleaned_data["lag_days"],
                user=request.user,
            )
        except InvalidInput as refusal:
            if page_task is None and wants_fragment(request):
                raise
            form.add_error(None, refusal.message)
        else:
            return _after_dependency_change(request, page_task or form.cleaned_data["successor"])
    shown = page_task or (None if wants_fragment(request) else form.cleaned_data.get("successor"))
    if shown is None:
        raise InvalidInput(_first_error(form))
    task = _visible_task(request, shown.pk)
    return _render_task(request, task, part="dependencies", status=400, dependency_form=form)


@manager_required
@require_POST
def task_dependency_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    dependency = get_object_or_404(TaskDependency.objects.select_related("predecessor", "successor"), pk=pk)
    page_task = _page_task(request) or dependency.successor
    dependency_remove(dependency=dependency, user=request.user)
    return _after_dependency_change(request, page_task)


@manager_required
@require_POST
def checklist_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.for_detail_view(), pk=pk)
    form = ChecklistAddForm(request.POST, prefix="checklist")
    if not form.is_valid():
        return _render_task(request, task, part="checklist", status=400, checklist_form=form)
    task_services.checklist_item_add(task=task, text=form.cleaned_data["text"], user=request.user)
    return _after_write(request, task, part="checklist")


@login_required
@require_POST
def checklist_toggle(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ChecklistItem.objects.filter(task__in=Task.objects.visible_to(request.user)).select_related("task"), pk=pk
    )
    try:
        task_services.checklist_item_set_done(item=item, done=request.POST.get("done") == "1", user=request.user)
    except Conflict as refusal:
        task = _visible_task(request, item.task_id)
        return _render_task(request, task, part="checklist", status=409, checklist_error=refusal.message)
    return _after_write(request, _visible_task(request, item.task_id), part="checklist")


@login_required
@require_POST
def task_comment(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    form = CommentForm(request.POST, prefix="comment")
    if not form.is_valid():
        return _render_task(request, task, part="comments", status=400, comment_form=form)
    task_services.task_comment_add(task=task, body=form.cleaned_data["body"], user=request.user)
    return _after_write(request, task, part="comments")


@manager_required
@require_POST
def task_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("wbs_item__project"), pk=pk)
    task_services.task_delete(task=task, user=request.user)
    messages.success(request, f"Task “{task.title}” deleted.")
    project = task.wbs_item.project if task.wbs_item and not task.wbs_item.project.is_deleted else None
    destination = project.get_absolute_url() if project else reverse("wbs:projects")
    if wants_fragment(request):
        return HttpResponseClientRedirect(destination)
    return redirect(destination)


# --- Rendering ----------------------------------------------------------------------------------------


def _after_write(request: HtmxHttpRequest, task: Task, *, part: str) -> HttpResponse:
    """HTMX: the changed part, re-read, plus an event that refreshes the history. Otherwise back to the page."""
    if not wants_fragment(request):
        return redirect(task)
    task = _visible_task(request, task.pk)
    response = _render_task(request, task, part=part)
    return trigger_client_event(response, TASK_CHANGED_EVENT)


def _after_dependency_change(request: HtmxHttpRequest, task: Task) -> HttpResponse:
    if not wants_fragment(request):
        return redirect(_safe_next(request) or task.get_absolute_url())
    if _page_task(request) is None:
        # Posted from another page (the Gantt): it redraws itself when told.
        response = HttpResponse(status=204)
    else:
        response = _render_task(request, _visible_task(request, task.pk), part="dependencies")
    trigger_client_event(response, DEPENDENCIES_CHANGED_EVENT)
    return trigger_client_event(response, TASK_CHANGED_EVENT)


def _render_task(
    request: HtmxHttpRequest, task: Task, *, part: str | None = None, status: int = 200, **extra
) -> HttpResponse:
    """The task page, or one of its parts for HTMX. Querysets stay lazy (a part only reads what it shows),
    except the checklist, small and counted for its heading."""
    manager = is_manager(request.user)
    checklist = list(task.checklist.select_related("done_by"))
    predecessor_links, successor_links = visible_links(task, request.user)
    # The buttons offered: the current status and those the user's role may move the task to.
    moves = allowed_moves(request.user, task.status) | {task.status}
    context = {
        "task": task,
        "can_manage": manager,
        "statuses": [choice for choice in TaskStatus.choices if choice[0] in moves],
        "checklist": checklist,
        "done_count": sum(item.done for item in checklist),
        "comments": task.comments.select_related("author"),
        "predecessor_links": predecessor_links,
        "successor_links": successor_links,
        "history": lazy_history(AuditEntry.objects.for_object(task)),
        "checklist_form": ChecklistAddForm(prefix="checklist"),
        "comment_form": CommentForm(prefix="comment"),
        **extra,
    }
    if manager:
        context.setdefault("assignee_form", TaskAssigneeForm(initial={"assignee": task.assignee_id}))
        context.setdefault("tags_form", TaskTagsForm(initial={"tags": [tag.pk for tag in task.tags.all()]}))
        context.setdefault("dependency_form", DependencyForm(initial={"successor": task.pk}, tasks=Task.objects.none()))
        context["dependency_candidates"] = dependency_candidates(task)
    return render_page(request, TASK_TEMPLATE, context, partial=part, status=status)


def _page_task(request: HtmxHttpRequest) -> Task | None:
    """The task whose page posted the form (field `task`), if it is one the user may see."""
    raw = request.POST.get("task", "")
    if not raw.isdigit():
        return None
    return Task.objects.visible_to(request.user).filter(pk=int(raw)).first()


def _safe_next(request: HtmxHttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    return "Check the dependency fields."


def _cancel_url(form: TaskForm) -> str:
    if form.current_item is not None:
        return form.current_item.project.get_absolute_url()
    return reverse("wbs:projects")


def _item_picker(form: TaskForm) -> dict:
    """The item field's first suggestions (items of the task's project) and where it asks for more."""
    near_id = form.current_item.project_id if form.current_item is not None else None
    url = reverse("wbs:any_item_picker") + (f"?near={near_id}" if near_id else "")
    choices = any_item_choices("", near_id=near_id, limit=settings.WBS_TREE_PICKER_CHOICES)
    return {"item_picker_url": url, "choices": choices}
