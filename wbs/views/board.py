"""The Kanban board (/board/): status columns, swimlanes, load-more, moving cards, WIP limits; and the task export."""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from core.errors import InvalidInput
from core.ratelimits import rate_limit
from core.roles import manager_required
from core.spreadsheets import xlsx_response
from wbs.filters import TaskFilter
from wbs.models import CLOSED_STATUSES, BoardColumn, Priority, Task, TaskStatus
from wbs.services.board import NeedsConfirmation, board_move_card
from wbs.views.links import url_for_each

LANES = {"property": "Property", "assignee": "Assignee"}
BOARD_TEMPLATE = "wbs/board.html"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass
class Column:
    status: str
    label: str
    lane_key: str
    count: int
    limit: BoardColumn | None
    total: int
    cards: list = field(default_factory=list)
    more_url: str = ""

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.limit.wip_limit is not None and self.total > self.limit.wip_limit

    @property
    def at_hard_limit(self) -> bool:
        return (
            self.limit is not None
            and self.limit.hard_limit
            and self.limit.wip_limit is not None
            and self.total >= self.limit.wip_limit
        )


@dataclass
class Lane:
    key: str
    label: str
    columns: list[Column]


def _lane_of(request) -> str | None:
    lane = request.GET.get("lane", "")
    return lane if lane in LANES else None


def _lane_key(lane_id) -> str:
    return "none" if lane_id is None else str(lane_id)


def _lane_label(lane: str, card: Task | None) -> str:
    related = getattr(card, lane) if card is not None else None
    if related is None:
        return "No property" if lane == "property" else "Unassigned"
    if lane == "assignee":
        return related.get_full_name() or related.get_username()
    return related.name


def _column_headers(filterset: TaskFilter, lane: str | None) -> tuple[dict, dict, dict]:
    """Counts per (lane, status) of the filtered tasks, totals per status of all tasks, and the WIP limits."""
    counts = filterset.qs.board_counts(lane=lane)
    if not lane:
        counts = {(status, None): count for status, count in counts.items()}
    if filterset.form.has_changed():
        # WIP limits count every task in a column, not only the filtered ones.
        totals = Task.objects.board_counts()
    else:
        totals = {}
        for (status, _), count in counts.items():
            totals[status] = totals.get(status, 0) + count
    limits = {column.status: column for column in BoardColumn.objects.all()}
    return counts, totals, limits


CARD_DATE_FORMAT = "j M"

# The options of a card's status select, one variant per current status, built once.
STATUS_OPTIONS = {
    current: format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == current else "", label) for value, label in TaskStatus.choices),
    )
    for current in TaskStatus.values
}


def present_cards(cards, today) -> list[Task]:
    """What each card shows, worked out once in Python, with its tags and blockers (two queries when there are cards).

    A 10,000-task board renders hundreds of cards, and template logic per card (initials, overdue, the status
    options, date formatting) would dominate its time.
    """
    cards = list(cards)
    if not cards:
        return cards
    ids = [card.pk for card in cards]
    tags = Task.objects.tags_by_task(ids)
    blockers = Task.objects.open_blockers_by_task(ids)
    due_labels = {}  # cards of a column often share a due date; formatting one is the slow part
    task_url = url_for_each("wbs:task_detail")
    for card in cards:
        assignee = card.assignee
        card.assignee_name = (assignee.get_full_name() or assignee.get_username()) if assignee else ""
        if assignee is None:
            card.initials = ""
        elif assignee.first_name:
            card.initials = (assignee.first_name[:1] + assignee.last_name[:1]).upper()
        else:
            card.initials = assignee.get_username()[:2].upper()
        if card.due_date is not None and card.due_date not in due_labels:
            due_labels[card.due_date] = date_format(card.due_date, CARD_DATE_FORMAT)
        card.due_label = due_labels.get(card.due_date, "")
        card.overdue = card.due_date is not None and card.due_date < today and card.status not in CLOSED_STATUSES
        card.tag_list = tags.get(card.pk, [])
        blocked_by = blockers.get(card.pk, [])
        card.blocked_titles = ", ".join(blocked_by)
        card.blocked_count = len(blocked_by)
        card.status_options = STATUS_OPTIONS[card.status]
        # Normal priority goes without saying; a label marks the others.
        card.priority_label = "" if card.priority == Priority.NORMAL else card.get_priority_display()
        card.url = task_url(card.pk)
    return cards


def build_board(request, filterset: TaskFilter, lane: str | None) -> list[Lane]:
    """Every lane's columns with their first BOARD_COLUMN_PAGE_SIZE cards: a fixed number of queries."""
    page_size = settings.BOARD_COLUMN_PAGE_SIZE
    tasks = filterset.qs
    counts, totals, limits = _column_headers(filterset, lane)
    cards_by_cell: dict[tuple, list[Task]] = {}
    for card in present_cards(tasks.for_kanban_view(per_column=page_size, lane=lane), timezone.localdate()):
        lane_id = getattr(card, f"{lane}_id") if lane else None
        cards_by_cell.setdefault((card.status, lane_id), []).append(card)
    lane_ids = {lane_id for _, lane_id in counts} or {None}
    first_card = {lane_id: cards[0] for (_, lane_id), cards in cards_by_cell.items() if cards}
    lanes = []
    for lane_id in lane_ids:
        columns = []
        for status, label in TaskStatus.choices:
            count = counts.get((status, lane_id), 0)
            cards = cards_by_cell.get((status, lane_id), [])
            column = Column(status, label, _lane_key(lane_id), count, limits.get(status), totals.get(status, 0), cards)
            if count > len(cards):
                column.more_url = _more_url(request, status, lane, lane_id, offset=len(cards))
            columns.append(column)
        label = _lane_label(lane, first_card.get(lane_id)) if lane else ""
        lanes.append(Lane(_lane_key(lane_id), label, columns))
    # Named lanes alphabetically, then the lane of tasks with no property or no assignee.
    lanes.sort(key=lambda item: (item.key == "none", item.label.lower()))
    return lanes


def _more_url(request, status: str, lane: str | None, lane_id, *, offset: int) -> str:
    query = request.GET.copy()
    query["status"] = status
    query["offset"] = str(offset)
    if lane:
        query["lane_id"] = _lane_key(lane_id)
    return f"{reverse('wbs:board_column')}?{query.urlencode()}"


def _filter_query(request) -> str:
    query = request.GET.copy()
    for name in ("status", "offset", "lane_id", "page"):
        query.pop(name, None)
    return query.urlencode()


def _card_forms(request) -> dict:
    """What each card's status form needs. The CSRF input is rendered once here rather than by a {% csrf_token %}
    per card: a board renders hundreds of cards, and the tag costs as much as the rest of a card's form."""
    query = _filter_query(request)
    return {
        "query": query,
        "move_url": f"{reverse('wbs:board_move')}?{query}",
        "csrf_input": csrf_input(request),
        # Only the "moved" fragment swaps cards out of band; a name missing from the context is slow to look up.
        "oob": False,
    }


def _board_context(request, filterset: TaskFilter) -> dict:
    lane = _lane_of(request)
    return {
        "filterset": filterset,
        "lane": lane,
        "lanes_available": LANES,
        "lanes": build_board(request, filterset, lane) if filterset.is_valid() else [],
        "page_size": settings.BOARD_COLUMN_PAGE_SIZE,
        **_card_forms(request),
    }


@require_GET
@manager_required
def board(request: HtmxHttpRequest) -> HttpResponse:
    filterset = TaskFilter(request.GET, queryset=Task.objects.all())
    template = BOARD_TEMPLATE + "#board" if request.htmx else BOARD_TEMPLATE
    return render(request, template, _board_context(request, filterset))


@require_GET
@manager_required
def board_column(request: HtmxHttpRequest) -> HttpResponse:
    """The next cards of one column (of one lane), appended when the end of the column scrolls into view."""
    if not request.htmx:
        return redirect(f"{reverse('wbs:board')}?{_filter_query(request)}")
    status = request.GET.get("status", "")
    if status not in TaskStatus.values:
        raise InvalidInput(f"{status!r} is not a board column.")
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError as error:
        raise InvalidInput("offset must be a whole number.") from error
    lane = _lane_of(request)
    filterset = TaskFilter(request.GET, queryset=Task.objects.filter(status=status))
    tasks = filterset.qs
    lane_id = None
    if lane:
        lane_id = None if request.GET.get("lane_id") in (None, "", "none") else request.GET["lane_id"]
        tasks = tasks.filter(**({f"{lane}_id": lane_id} if lane_id else {f"{lane}__isnull": True}))
    page_size = settings.BOARD_COLUMN_PAGE_SIZE
    cards = present_cards(
        list(tasks.for_kanban_view(per_column=page_size + 1, lane=lane, offset=offset, statuses=[status])),
        timezone.localdate(),
    )
    more_url = ""
    if len(cards) > page_size:
        cards = cards[:page_size]
        more_url = _more_url(request, status, lane, lane_id, offset=offset + page_size)
    context = {"cards": cards, "more_url": more_url, **_card_forms(request)}
    return render(request, BOARD_TEMPLATE + "#more_cards", context)


class MoveForm(forms.Form):
    task = forms.IntegerField()
    status = forms.ChoiceField(choices=TaskStatus.choices)
    before = forms.IntegerField(required=False)
    after = forms.IntegerField(required=False)
    confirmed = forms.BooleanField(required=False)


@require_POST
@manager_required
def board_move(request: HtmxHttpRequest) -> HttpResponse:
    """Drag and drop (answers with fresh column headers) or the status control (answers with the whole board)."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Choose a task and one of the board's columns.")
    data = form.cleaned_data
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=data["task"])
    try:
        result = board_move_card(
            task=task,
            status=data["status"],
            before_id=data["before"],
            after_id=data["after"],
            user=request.user,
            confirmed=data["confirmed"],
        )
    except NeedsConfirmation as error:
        return _confirm_done(request, error, data)
    if result.warning:
        messages.warning(request, result.warning)
    board_url = f"{reverse('wbs:board')}?{_filter_query(request)}"
    if not request.htmx:
        return redirect(board_url)
    if data["confirmed"]:
        return HttpResponseClientRedirect(board_url)
    filterset = TaskFilter(request.GET, queryset=Task.objects.all())
    if request.htmx.target == "board":
        return render(request, BOARD_TEMPLATE + "#board", _board_context(request, filterset))
    lane = _lane_of(request)
    card = present_cards([Task.objects.filter(pk=result.task.pk).with_card_details().get()], timezone.localdate())[0]
    context = {"columns": _header_columns(filterset, lane), "card": card, **_card_forms(request)}
    return render(request, BOARD_TEMPLATE + "#moved", context)


def _header_columns(filterset: TaskFilter, lane: str | None) -> list[Column]:
    counts, totals, limits = _column_headers(filterset, lane)
    lane_ids = {lane_id for _, lane_id in counts} or {None}
    # Every cell of every lane, so a column the move emptied says 0.
    return [
        Column(
            status,
            label,
            _lane_key(lane_id),
            counts.get((status, lane_id), 0),
            limits.get(status),
            totals.get(status, 0),
        )
        for lane_id in lane_ids
        for status, label in TaskStatus.choices
    ]


def _confirm_done(request, error: NeedsConfirmation, data: dict) -> HttpResponse:
    """Ask before marking done a task whose finish-to-start predecessors are open; the card stays where it was."""
    confirm = {"confirm_error": error, "move": data}
    if not request.htmx:
        filterset = TaskFilter(request.GET, queryset=Task.objects.all())
        return render(request, BOARD_TEMPLATE, _board_context(request, filterset) | confirm, status=409)
    response = render(request, BOARD_TEMPLATE + "#confirm_done", confirm | _card_forms(request), status=409)
    response["HX-Retarget"] = "#board-dialog"
    response["HX-Reswap"] = "innerHTML"
    return response


EXPORT_HEADERS = [
    "ID",
    "Title",
    "Status",
    "Type",
    "Priority",
    "Project",
    "WBS",
    "Property",
    "Assignee",
    "Start",
    "Due",
    "Progress %",
    "Milestone",
    "Tags",
    "Description",
]


def _export_rows(tasks):
    for task in tasks.iterator(chunk_size=2000):
        wbs_item = task.wbs_item
        yield [
            task.pk,
            task.title,
            task.get_status_display(),
            task.get_type_display(),
            task.get_priority_display(),
            wbs_item.project.name if wbs_item else "",
            str(wbs_item) if wbs_item else "",
            task.property.name if task.property else "",
            (task.assignee.get_full_name() or task.assignee.get_username()) if task.assignee else "",
            task.start_date,
            task.due_date,
            task.progress,
            "yes" if task.is_milestone else "",
            ", ".join(tag.name for tag in task.tags.all()),
            task.description,
        ]


@require_GET
@manager_required
@rate_limit("RATE_LIMIT_EXPORTS", what="exports", methods=["GET"])
def task_export(request: HtmxHttpRequest) -> HttpResponse:
    """The tasks in the current filter as .xlsx, formula-like cells escaped."""
    if request.GET.get("format", "xlsx") != "xlsx":
        raise InvalidInput("Tasks export as .xlsx only: use format=xlsx.")
    filterset = TaskFilter(request.GET, queryset=Task.objects.all())
    if not filterset.is_valid():
        raise InvalidInput("The filter is not valid: " + "; ".join(filterset.errors.as_text().splitlines()))
    tasks = (
        filterset.qs.select_related("wbs_item__project", "property", "assignee")
        .prefetch_related("tags")
        .order_by("status", "position", "id")
    )
    filename = f"tasks-{timezone.localdate().isoformat()}.xlsx"
    return xlsx_response(filename, EXPORT_HEADERS, _export_rows(tasks), sheet_title="Tasks")
