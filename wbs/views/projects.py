"""Projects and their WBS trees: the list, the tree page, and the HTMX writes that reshape the tree."""

import copy

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import InvalidInput
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.roles import manager_required
from wbs.forms import ProjectForm, RollupMethodForm, WbsItemAddForm, WbsItemForm, WbsItemMoveForm
from wbs.models import Project, RollupMethod, WbsItem
from wbs.queries import item_task_page, item_tasks, project_rollups, project_tree
from wbs.services import projects as project_services
from wbs.services import wbs_tree

TREE_TEMPLATE = "wbs/project_detail.html"
# A longer offset is no page anyone reached by "Show more": read it as the first page.
MAX_OFFSET_DIGITS = 9
ROLLUP_NOTES = {
    RollupMethod.COUNT: "An item's progress is the share of the tasks under it that are done; cancelled tasks "
    "do not count.",
    RollupMethod.DURATION: "An item's progress is the share of task-days done: each task counts its days from "
    "start to due (1 without dates), times its own progress.",
    RollupMethod.WEIGHT: "An item's progress is the weighted mean of its sub-items (each by its weight) and its "
    "own tasks (1 each).",
}


@manager_required
def project_list(request: HtmxHttpRequest) -> HttpResponse:
    projects = list(Project.objects.for_list_view())
    rollups = project_rollups(projects)
    rows = [(project, rollups[project.pk]) for project in projects]
    return render_page(request, "wbs/projects.html", {"rows": rows})


@manager_required
def project_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = project_services.project_create(user=request.user, **form.cleaned_data)
        messages.success(request, f"Project “{project.name}” created. Add its first items below.")
        return redirect(project)
    return render_page(request, "wbs/project_form.html", {"form": form, "project": None}, status=_form_status(form))


@manager_required
def project_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.all(), pk=pk)
    # The form works on a copy: validating a ModelForm writes into its instance, and the service must
    # still see the old values to audit what changed.
    form = ProjectForm(request.POST or None, instance=copy.copy(project))
    if request.method == "POST" and form.is_valid():
        project_services.project_update(project=project, user=request.user, **form.cleaned_data)
        messages.success(request, "Project saved.")
        return redirect(project)
    return render_page(request, "wbs/project_form.html", {"form": form, "project": project}, status=_form_status(form))


@manager_required
def project_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("property"), pk=pk)
    return _render_tree(request, project)


@manager_required
@require_POST
def project_rollup(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.all(), pk=pk)
    form = RollupMethodForm(request.POST, instance=copy.copy(project))
    if not form.is_valid():
        return _render_tree(request, project, status=400, rollup_error=form.errors["rollup_method"][0])
    project_services.project_update(project=project, user=request.user, **form.cleaned_data)
    return _tree_response(request, project)


@manager_required
@require_POST
def item_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.all(), pk=pk)
    form = WbsItemAddForm(request.POST, project=project)
    if form.is_valid():
        try:
            item = wbs_tree.wbs_item_create(
                project=project, title=form.cleaned_data["title"], user=request.user, **form.placement()
            )
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            return _tree_response(request, project, highlight=item.pk)
    return _render_tree(request, project, add_form=form, status=400)


@manager_required
@require_POST
def item_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.all(), pk=pk)
    form = WbsItemMoveForm(request.POST, project=project)
    if form.is_valid():
        item = form.cleaned_data["item"]
        try:
            wbs_tree.wbs_item_move(item=item, parent=form.cleaned_data["parent"], user=request.user)
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            return _tree_response(request, project, highlight=item.pk)
    return _render_tree(request, project, move_form=form, status=400)


@manager_required
@require_POST
def item_reorder(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Move the posted `item` one place `up` or `down`. One URL per project keeps the tree's rows light."""
    project = get_object_or_404(Project.objects.all(), pk=pk)
    item = get_object_or_404(WbsItem.objects.filter(project=project), pk=_posted_id(request, "item"))
    wbs_tree.wbs_item_reorder(item=item, direction=request.POST.get("direction", ""), user=request.user)
    return _tree_response(request, project, highlight=item.pk)


@manager_required
def item_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(WbsItem.objects.select_related("project"), pk=pk, project__deleted_at__isnull=True)
    form = WbsItemForm(request.POST or None, instance=copy.copy(item))
    if request.method == "POST" and form.is_valid():
        wbs_tree.wbs_item_update(item=item, user=request.user, **form.cleaned_data)
        messages.success(request, f"“{item}” saved.")
        return redirect(item.project)
    tasks = item_tasks(item)
    context = {"form": form, "item": item, "project": item.project, "tasks": tasks}
    return render_page(request, "wbs/project_item.html", context, status=_form_status(form))


@require_GET
@manager_required
def item_task_rows(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """An item's tasks as rows for the tree, a page at a time, swapped in when the manager expands the item.

    `offset` picks the page; `hide` answers nothing, which collapses the rows. Without HTMX (a bookmarked or
    typed URL) the item's own page lists the tasks.
    """
    item = get_object_or_404(WbsItem.objects.select_related("project"), pk=pk, project__deleted_at__isnull=True)
    if not wants_fragment(request):
        return redirect(reverse("wbs:item_edit", args=[item.pk]) + "#item-tasks")
    if request.GET.get("hide"):
        return HttpResponse("")
    raw_offset = request.GET.get("offset", "")
    offset = int(raw_offset) if raw_offset.isdigit() and len(raw_offset) < MAX_OFFSET_DIGITS else 0
    page = item_task_page(item, offset=offset, size=settings.WBS_TREE_TASK_PAGE)
    context = {"page": page, "depth": item.code.count(".") + 1, "today": timezone.localdate()}
    return render_page(request, TREE_TEMPLATE, context, partial="item_tasks")


@manager_required
@require_POST
def item_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(WbsItem.objects.select_related("project"), pk=pk, project__deleted_at__isnull=True)
    try:
        wbs_tree.wbs_item_delete(item=item, user=request.user)
    except InvalidInput as error:
        form = WbsItemForm(instance=item)
        tasks = item_tasks(item)
        context = {"form": form, "item": item, "project": item.project, "tasks": tasks, "delete_error": error.message}
        return render_page(request, "wbs/project_item.html", context, status=400)
    messages.success(request, f"“{item.title}” deleted; the items after it were renumbered.")
    if request.htmx:
        return HttpResponseClientRedirect(item.project.get_absolute_url())
    return redirect(item.project)


def _tree_response(request: HtmxHttpRequest, project: Project, *, highlight: int | None = None) -> HttpResponse:
    """After a write: the fresh tree for HTMX, or back to the page (post/redirect/get) without JavaScript."""
    if request.htmx:
        return _render_tree(request, project, highlight=highlight)
    return redirect(project)


def _render_tree(
    request: HtmxHttpRequest,
    project: Project,
    *,
    add_form: WbsItemAddForm | None = None,
    move_form: WbsItemMoveForm | None = None,
    status: int = 200,
    highlight: int | None = None,
    rollup_error: str = "",
) -> HttpResponse:
    tree = project_tree(project)
    context = {
        "project": project,
        "tree": tree,
        "rollup_methods": RollupMethod.choices,
        "rollup_note": ROLLUP_NOTES[project.rollup_method],
        "rollup_error": rollup_error,
        # The template lists the items in the selects from `tree`: with hundreds of items, rendering them
        # through form widgets would cost a template per option.
        "add_form": add_form or WbsItemAddForm(project=project),
        "move_form": move_form or WbsItemMoveForm(project=project),
        "highlight": highlight,
    }
    return render_page(request, TREE_TEMPLATE, context, partial="tree", status=status)


def _posted_id(request: HtmxHttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit():
        raise InvalidInput(f"Choose the item to move ({name} is missing).")
    return int(raw)


def _form_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200
