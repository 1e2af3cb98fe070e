"""Projects and their WBS trees: the list, the tree page, and the HTMX writes that reshape the tree."""

import copy
from urllib.parse import parse_qs, urlsplit

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
from wbs.queries import item_task_page, item_tasks, project_rollups
from wbs.queries.projects import MAX_OPEN_ITEMS, any_item_choices, item_choices, item_path, tree_page, tree_rows
from wbs.services import projects as project_services
from wbs.services import wbs_tree

TREE_TEMPLATE = "wbs/project_detail.html"
# The item fields (the tree's, the task form's): the picker reads what was typed in whichever of them asked.
PICKER_FIELDS = ("q", "anchor", "item", "parent", "wbs_item")
# A longer offset or id is no page anyone reached by "Show more" or a link: read it as the first page / nothing.
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
        return redirect(_tree_url(item.project, item))
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
    page = item_task_page(item, offset=_offset(request), size=settings.WBS_TREE_TASK_PAGE)
    context = {"page": page, "depth": item.code.count(".") + 1, "today": timezone.localdate()}
    return render_page(request, TREE_TEMPLATE, context, partial="item_tasks")


@require_GET
@manager_required
def item_rows(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A page of sub-items of `parent` (top-level items without it) as tree rows, each with its rollup.

    Expanding an item swaps its first page in; "Show more" the next (`offset`). Without HTMX (a bookmarked or
    typed URL) the tree page opens at that item.
    """
    project = get_object_or_404(Project.objects.all(), pk=pk)
    parent_id = _digits(request.GET.get("parent", ""))
    parent = get_object_or_404(WbsItem.objects.filter(project=project), pk=parent_id) if parent_id else None
    if not wants_fragment(request):
        return redirect(_tree_url(project, parent))
    page = tree_rows(project, parent=parent, offset=_offset(request), size=settings.WBS_TREE_ITEM_PAGE)
    context = {"project": project, "page": page, "rows_url": request.path}
    return render_page(request, TREE_TEMPLATE, context, partial="tree_rows")


@require_GET
@manager_required
def item_picker(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    """The options of an item field for what the manager typed: a bounded list, searched as they type.

    The tree's fields (anchor, item, parent) pick items of its project (`pk`); the task form's (wbs_item) picks
    items of any live project, named "Project › code title", those of the task's project (`near`) first. The
    field sends its own value under its own name.
    """
    project = get_object_or_404(Project.objects.all(), pk=pk) if pk is not None else None
    query = next((request.GET[name] for name in PICKER_FIELDS if request.GET.get(name)), "")
    if not wants_fragment(request):
        return redirect(project or reverse("wbs:projects"))
    limit = settings.WBS_TREE_PICKER_CHOICES
    if project is not None:
        context = {"choices": item_choices(project, query, limit=limit)}
    else:
        near_id = _digits(request.GET.get("near", ""))
        context = {"choices": any_item_choices(query, near_id=near_id, limit=limit), "choices_name_project": True}
    return render_page(request, TREE_TEMPLATE, context, partial="item_choices")


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
    open_ids, path_ids, reach = _open_items(request, project, highlight=highlight)
    tree = tree_page(project, size=settings.WBS_TREE_ITEM_PAGE, open_ids=open_ids, path_ids=path_ids, reach=reach)
    context = {
        "project": project,
        "tree": tree,
        "rows_url": reverse("wbs:item_rows", args=[project.pk]),
        "item_picker_url": reverse("wbs:item_picker", args=[project.pk]),
        "rollup_methods": RollupMethod.choices,
        "rollup_note": ROLLUP_NOTES[project.rollup_method],
        "rollup_error": rollup_error,
        "add_form": add_form or WbsItemAddForm(project=project),
        "move_form": move_form or WbsItemMoveForm(project=project),
        # The item fields start with the rows in view; typing asks item_picker for the rest.
        "choices": [row.item for row in tree.page.rows][: settings.WBS_TREE_PICKER_CHOICES],
        "highlight": highlight,
    }
    return render_page(request, TREE_TEMPLATE, context, partial="tree", status=status)


def _open_items(
    request: HtmxHttpRequest, project: Project, *, highlight: int | None
) -> tuple[set[int] | None, set[int], dict[int | None, int]]:
    """The items the tree shows open: `?open=3,17` (kept in the URL by the page's script; None when the URL
    says nothing, and a small tree opens in full), and the path to `?item=` (a link to an item) or to the item
    just written, with how far down its siblings each step of that path is. After an HTMX write the page's own
    URL (sent by htmx) says what was open, so the tree keeps its shape.
    """
    params = request.GET
    if request.method != "GET" and request.htmx and request.htmx.current_url:
        query = parse_qs(urlsplit(request.htmx.current_url).query, keep_blank_values=True)
        params = {name: values[-1] for name, values in query.items()}  # type: ignore[assignment]
    open_ids = None
    if "open" in params:
        open_ids = {int(part) for part in params["open"].split(",")[:MAX_OPEN_ITEMS] if _digits(part)}
    path_ids: set[int] = set()
    reach: dict[int | None, int] = {}
    for target in (_digits(params.get("item", "")), highlight):
        for item in item_path(project, target) if target else []:
            path_ids.add(item.pk)
            reach[item.parent_id] = max(reach.get(item.parent_id, 0), item.position)
    return open_ids, path_ids, reach


def _tree_url(project: Project, item: WbsItem | None) -> str:
    """The tree page opened at `item` (its path expanded), scrolled to its row."""
    if item is None:
        return project.get_absolute_url()
    return f"{project.get_absolute_url()}?item={item.pk}#wbs-item-{item.pk}"


def _digits(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < MAX_OFFSET_DIGITS else None


def _offset(request: HtmxHttpRequest) -> int:
    return _digits(request.GET.get("offset", "")) or 0


def _posted_id(request: HtmxHttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit():
        raise InvalidInput(f"Choose the item to move ({name} is missing).")
    return int(raw)


def _form_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200
