"""The Kanban board (/board/): status columns, swimlanes, load-more, moving and adding cards, WIP limits; and the
task export."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import InvalidInput
from core.http import HtmxHttpRequest, render_page, wants_fragment
from core.ratelimits import rate_limit
from core.roles import manager_required
from core.spreadsheets import xlsx_response
from wbs.filters import BoardTaskFilter
from wbs.forms_board import BoardColumnForm, MoveForm, QuickAddForm
from wbs.models import QUICK_ADD_STATUSES, Task
from wbs.queries import board as board_queries
from wbs.queries.board import LANES
from wbs.services.board import NeedsConfirmation, board_move_card
from wbs.services.board_cards import board_card_add

BOARD_TEMPLATE = "wbs/board.html"
# The keys the board answers (static/js/shortcuts.js acts on the elements marked data-shortcut="<key>"); the "?"
# list shows these. tests/test_board_browser.py presses each of them.
BOARD_SHORTCUTS = [
    ("n", "Add a card to To do"),
    ("/", "Search the cards"),
    ("p", "Project work"),
    ("t", "Turnovers"),
    ("a", "All work"),
    ("g", "Open the Gantt"),
    ("?", "Show this list"),
    ("Esc", "Close this list or a form"),
]


def _lane_of(request: HtmxHttpRequest) -> str | None:
    """The swimlanes asked for; an unknown lane means none, so a stale or hand-edited URL still shows a board."""
    lane = request.GET.get("lane", "")
    return lane if lane in LANES else None


def _more_url(request: HtmxHttpRequest, status: str, lane: str | None, lane_id: int | None, *, offset: int) -> str:
    query = request.GET.copy()
    query["status"] = status
    query["offset"] = str(offset)
    if lane:
        query["lane_id"] = board_queries.lane_key(lane_id)
    return f"{reverse('wbs:board_column')}?{query.urlencode()}"


def _filter_query(request: HtmxHttpRequest) -> str:
    query = request.GET.copy()
    for name in ("status", "offset", "lane_id", "page"):
        query.pop(name, None)
    return query.urlencode()


def _card_forms(request: HtmxHttpRequest) -> dict:
    """What each card's status form needs. The CSRF input is rendered once here rather than by a {% csrf_token %}
    per card: a board renders hundreds of cards, and the tag costs as much as the rest of a card's form."""
    query = _filter_query(request)
    return {
        "query": query,
        "move_url": f"{reverse('wbs:board_move')}?{query}",
        "add_url": f"{reverse('wbs:board_add')}?{query}",
        "csrf_input": csrf_input(request),
        # Only the "moved" fragment swaps cards out of band; a name missing from the context is slow to look up.
        "oob": False,
        "added_id": None,
    }


def _board_context(request: HtmxHttpRequest, filterset: BoardTaskFilter) -> dict:
    lane = _lane_of(request)
    lanes = []
    if filterset.is_valid():
        lanes = board_queries.board_lanes(
            filterset.qs,
            lane=lane,
            filtered=filterset.narrows(),
            page_size=settings.BOARD_COLUMN_PAGE_SIZE,
            today=timezone.localdate(),
        )
        for lane_row in lanes:
            for column in lane_row.columns:
                if column.has_more:
                    column.more_url = _more_url(
                        request, column.status, lane, lane_row.lane_id, offset=len(column.cards)
                    )
    return {
        "filterset": filterset,
        "lane": lane,
        "lanes_available": LANES,
        "lanes": lanes,
        "page_size": settings.BOARD_COLUMN_PAGE_SIZE,
        "quick_add_statuses": QUICK_ADD_STATUSES,
        "turnover_days": settings.BOARD_TURNOVER_DAYS,
        "shortcuts": BOARD_SHORTCUTS,
        **_card_forms(request),
    }


def _render_board(
    request: HtmxHttpRequest, filterset: BoardTaskFilter, *, extra: dict | None = None, status: int = 200
):
    # A filter that does not validate shows its errors on an empty board, answered 400.
    if filterset.is_bound and not filterset.is_valid():
        status = 400
    return render_page(
        request, BOARD_TEMPLATE, _board_context(request, filterset) | (extra or {}), partial="board", status=status
    )


@require_GET
@manager_required
def board(request: HtmxHttpRequest) -> HttpResponse:
    return _render_board(request, BoardTaskFilter(request.GET, queryset=Task.objects.all()))


@require_GET
@manager_required
def board_column(request: HtmxHttpRequest) -> HttpResponse:
    """The next cards of one column (of one lane), appended when the end of the column scrolls into view."""
    if not wants_fragment(request):
        return redirect(f"{reverse('wbs:board')}?{_filter_query(request)}")
    form = BoardColumnForm(request.GET)
    if not form.is_valid():
        raise InvalidInput("Not a column of the board: " + "; ".join(form.errors.as_text().splitlines()))
    filterset = BoardTaskFilter(request.GET, queryset=Task.objects.all())
    if not filterset.is_valid():
        raise InvalidInput("The filter is not valid: " + "; ".join(filterset.errors.as_text().splitlines()))
    status, offset, lane, lane_id = (form.cleaned_data[name] for name in ("status", "offset", "lane", "lane_id"))
    page_size = settings.BOARD_COLUMN_PAGE_SIZE
    cards = board_queries.column_cards(
        filterset.qs,
        status=status,
        lane=lane,
        lane_id=lane_id,
        offset=offset,
        limit=page_size + 1,
        today=timezone.localdate(),
    )
    more_url = ""
    if len(cards) > page_size:
        cards = cards[:page_size]
        more_url = _more_url(request, status, lane, lane_id, offset=offset + page_size)
    context = {"cards": cards, "more_url": more_url, **_card_forms(request)}
    return render_page(request, BOARD_TEMPLATE + "#more_cards", context)


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
    filterset = BoardTaskFilter(request.GET, queryset=Task.objects.all())
    if request.htmx.target == "board":
        return _render_board(request, filterset)
    columns = board_queries.header_columns(filterset.qs, lane=_lane_of(request), filtered=filterset.narrows())
    card = board_queries.card(result.task.pk, timezone.localdate())
    context = {"columns": columns, "card": card, **_card_forms(request)}
    return render_page(request, BOARD_TEMPLATE + "#moved", context)


@require_POST
@manager_required
def board_add(request: HtmxHttpRequest) -> HttpResponse:
    """A card typed into a column (in the board's project, property or assignee): the board redrawn with it."""
    form = QuickAddForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("Type a title (up to 200 characters) into the To do, In progress or Blocked column.")
    filterset = BoardTaskFilter(request.GET, queryset=Task.objects.all())
    chosen = dict(filterset.form.cleaned_data) if filterset.is_valid() else {}
    lane = _lane_of(request)
    if lane:
        # The card joins the lane it was typed into: its property or assignee (none for the lane of tasks without).
        chosen[lane] = board_queries.lane_object(lane, form.cleaned_data["lane_id"])
    task = board_card_add(
        title=form.cleaned_data["title"],
        status=form.cleaned_data["status"],
        user=request.user,
        project=chosen.get("project"),
        property=chosen.get("property"),
        assignee=chosen.get("assignee"),
    )
    messages.success(request, f"Added “{task.title}”.")
    if not request.htmx:
        return redirect(f"{reverse('wbs:board')}?{_filter_query(request)}")
    # The column's form stays open for the next card.
    added = {
        "added_status": task.status,
        "added_id": task.pk,
        "added_lane": board_queries.lane_key(form.cleaned_data["lane_id"]) if lane else "none",
    }
    return _render_board(request, filterset, extra=added)


def _confirm_done(request: HtmxHttpRequest, error: NeedsConfirmation, data: dict) -> HttpResponse:
    """Ask before marking done a task whose finish-to-start predecessors are open; the card stays where it was."""
    confirm = {"confirm_error": error, "move": data}
    if not request.htmx:
        filterset = BoardTaskFilter(request.GET, queryset=Task.objects.all())
        return _render_board(request, filterset, extra=confirm, status=409)
    response = render_page(request, BOARD_TEMPLATE + "#confirm_done", confirm | _card_forms(request), status=409)
    response["HX-Retarget"] = "#board-dialog"
    response["HX-Reswap"] = "innerHTML"
    return response


@require_GET
@manager_required
@rate_limit("RATE_LIMIT_EXPORTS", what="exports", methods=["GET"])
def task_export(request: HtmxHttpRequest) -> HttpResponse:
    """The tasks in the current filter as .xlsx, formula-like cells escaped."""
    if request.GET.get("format", "xlsx") != "xlsx":
        raise InvalidInput("Tasks export as .xlsx only: use format=xlsx.")
    filterset = BoardTaskFilter(request.GET, queryset=Task.objects.all())
    if not filterset.is_valid():
        raise InvalidInput("The filter is not valid: " + "; ".join(filterset.errors.as_text().splitlines()))
    filename = f"tasks-{timezone.localdate().isoformat()}.xlsx"
    rows = board_queries.export_rows(filterset.qs)
    return xlsx_response(filename, board_queries.EXPORT_HEADERS, rows, sheet_title="Tasks")
