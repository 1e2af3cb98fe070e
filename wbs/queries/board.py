"""Reads behind the board (/board/): column counts and WIP totals, the cards of each column and lane with their
tag and blocked-by badges, and the rows of the task export; each in a fixed number of queries."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django_stubs_ext import StrOrPromise

from bookings.models import Property
from core.urls_helpers import url_for_each
from wbs.models import CLOSED_STATUSES, BoardColumn, Priority, Task, TaskQuerySet, TaskStatus

LANES = {"property": "Property", "assignee": "Assignee"}
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


@dataclass
class Column:
    status: str
    label: StrOrPromise
    lane_key: str
    count: int
    limit: BoardColumn | None
    total: int
    cards: list = field(default_factory=list)
    more_url: str = ""
    # Counts and totals stop at these (BOARD_COUNT_LIMIT): one that reached its limit is shown as "N+". Lanes are
    # counted exactly; WIP totals are counted up to the limit (at least one past any WIP limit) in any case.
    count_limit: int | None = None
    total_limit: int | None = None

    @property
    def count_label(self) -> str:
        return f"{self.count}+" if self.count_limit is not None and self.count >= self.count_limit else str(self.count)

    @property
    def total_label(self) -> str:
        return f"{self.total}+" if self.total_limit is not None and self.total >= self.total_limit else str(self.total)

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

    @property
    def has_more(self) -> bool:
        return self.count > len(self.cards)


@dataclass
class Lane:
    key: str
    label: str
    lane_id: int | None
    columns: list[Column]


def lane_key(lane_id: int | None) -> str:
    return "none" if lane_id is None else str(lane_id)


def _lane_label(lane: str, card: Task | None) -> str:
    related = getattr(card, lane) if card is not None else None
    if related is None:
        return "No property" if lane == "property" else "Unassigned"
    if lane == "assignee":
        return related.get_full_name() or related.get_username()
    return related.name


def lane_object(lane: str, lane_id: int | None):
    """The property or user a lane stands for (None for the lane of tasks without one, or one that is gone)."""
    if lane_id is None:
        return None
    model = Property if lane == "property" else get_user_model()
    return model.objects.filter(pk=lane_id).first()


def column_headers(tasks: TaskQuerySet, *, lane: str | None, filtered: bool) -> tuple[dict, dict, dict, int]:
    """Counts per (status, lane id) of `tasks`, totals per status of all tasks, the WIP limits, and the count
    limit: without lanes a column is counted up to BOARD_COUNT_LIMIT cards (or one past its WIP limit, if more),
    so a header's cost stops growing with the plan.

    `filtered` says `tasks` is a filtered subset: WIP limits count every task in a column, so the totals then
    take a query of their own.
    """
    limits = {column.status: column for column in BoardColumn.objects.all()}
    wip_limits = [column.wip_limit for column in limits.values() if column.wip_limit is not None]
    count_limit = max([settings.BOARD_COUNT_LIMIT, *(wip_limit + 1 for wip_limit in wip_limits)])
    counts = tasks.board_counts(lane=lane, limit=None if lane else count_limit)
    if not lane:
        counts = {(status, None): count for status, count in counts.items()}
    if filtered:
        totals = Task.objects.board_counts(limit=count_limit)
    else:
        totals = {}
        for (status, _), count in counts.items():
            totals[status] = totals.get(status, 0) + count
    return counts, totals, limits, count_limit


def present_cards(cards: Iterable[Task], today: datetime.date) -> list[Task]:
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
    due_labels: dict[
        datetime.date, str
    ] = {}  # cards of a column often share a due date; formatting one is the slow part
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
        card.due_label = due_labels[card.due_date] if card.due_date is not None else ""
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


def board_lanes(
    tasks: TaskQuerySet, *, lane: str | None, filtered: bool, page_size: int, today: datetime.date
) -> list[Lane]:
    """Every lane's columns with their first `page_size` cards: a fixed number of queries, whatever the size.

    A column with more cards than it shows says so (`has_more`); the view gives it the URL of the next ones.
    """
    counts, totals, limits, count_limit = column_headers(tasks, lane=lane, filtered=filtered)
    cards_by_cell: dict[tuple, list[Task]] = {}
    for card in present_cards(tasks.for_kanban_view(per_column=page_size, lane=lane), today):
        lane_id = getattr(card, f"{lane}_id") if lane else None
        cards_by_cell.setdefault((card.status, lane_id), []).append(card)
    lane_ids = {lane_id for _, lane_id in counts} or {None}
    first_card = {lane_id: cards[0] for (_, lane_id), cards in cards_by_cell.items() if cards}
    lanes = []
    for lane_id in lane_ids:
        columns = [
            Column(
                status,
                label,
                lane_key(lane_id),
                counts.get((status, lane_id), 0),
                limits.get(status),
                totals.get(status, 0),
                cards_by_cell.get((status, lane_id), []),
                count_limit=None if lane else count_limit,
                total_limit=count_limit,
            )
            for status, label in TaskStatus.choices
        ]
        label = _lane_label(lane, first_card.get(lane_id)) if lane else ""
        lanes.append(Lane(lane_key(lane_id), label, lane_id, columns))
    # Named lanes alphabetically, then the lane of tasks with no property or no assignee.
    lanes.sort(key=lambda item: (item.key == "none", item.label.lower()))
    return lanes


def header_columns(tasks: TaskQuerySet, *, lane: str | None, filtered: bool) -> list[Column]:
    """The column headers (counts, WIP state) of every cell of every lane, so a column a move emptied says 0."""
    counts, totals, limits, count_limit = column_headers(tasks, lane=lane, filtered=filtered)
    lane_ids = {lane_id for _, lane_id in counts} or {None}
    return [
        Column(
            status,
            label,
            lane_key(lane_id),
            counts.get((status, lane_id), 0),
            limits.get(status),
            totals.get(status, 0),
            count_limit=None if lane else count_limit,
            total_limit=count_limit,
        )
        for lane_id in lane_ids
        for status, label in TaskStatus.choices
    ]


def column_cards(
    tasks: TaskQuerySet,
    *,
    status: str,
    lane: str | None,
    lane_id: int | None,
    offset: int,
    limit: int,
    today: datetime.date,
) -> list[Task]:
    """Up to `limit` cards of one column (of one lane, `lane_id` None for the lane of tasks without one) from
    rank `offset` on, presented: three queries."""
    tasks = tasks.filter(status=status)
    if lane:
        tasks = tasks.filter(**({f"{lane}_id": lane_id} if lane_id is not None else {f"{lane}__isnull": True}))
    return present_cards(
        tasks.for_kanban_view(per_column=limit, lane=lane, offset=offset, statuses=[status]),
        today,
    )


def card(task_id: int, today: datetime.date) -> Task:
    """One card as the board shows it, after a move."""
    return present_cards([Task.objects.filter(pk=task_id).with_card_details().get()], today)[0]


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


def export_rows(tasks: TaskQuerySet) -> Iterator[list]:
    """One row per task for the .xlsx export (EXPORT_HEADERS), read in chunks with what each row shows."""
    tasks = (
        tasks.select_related("wbs_item__project", "property", "assignee")
        .prefetch_related("tags")
        .order_by("status", "position", "id")
    )
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
