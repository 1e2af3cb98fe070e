"""Turnover automation: each booking gets one task per matching active template, kept in step with the booking."""

import datetime
import decimal
import functools
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy

from bookings.models import Booking, BookingConflict, BookingStatus, ConflictKind, ConflictState, Property
from core import audit
from core.audit_context import acting_user, audit_context
from core.bulk import analyze_after_commit, insert_rows, insert_rows_skipping_conflicts
from core.errors import InvalidInput
from core.gc_pause import gc_paused
from core.models import AuditAction, AuditEntry, AuditSource
from core.text import single_line
from wbs.models import ChecklistItem, Priority, Task, TaskStatus, TaskTemplate, TemplateTrigger
from wbs.services.notifications import Digest, notify_assigned, notify_managers
from wbs.services.positions import next_positions
from wbs.services.tasks import TASK_AUDIT_FIELDS, task_update

PLACEHOLDERS = ("property", "guest", "check_in", "check_out", "nights", "guests")
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
# Automatic cancellations start with this, so a booking that comes back reopens only the tasks the
# automation cancelled, never one a manager cancelled by hand.
AUTO_CANCEL_PREFIX = "Automatic: "
SCHEDULE_FIELDS = ("title", "start_date", "due_date", "due_at", "same_day", "priority", "estimate_hours")
DATE_FIELDS = ("start_date", "due_date", "due_at")
# The lines of an assignee's email, written in their language when the digest collects them.
ASSIGNED_LINE = gettext_lazy("Assigned: %(title)s (%(when)s)")
CHANGED_LINE = gettext_lazy("Changed: %(title)s (%(when)s). %(cause)s")
CANCELLED_LINE = gettext_lazy("Cancelled: %(title)s (%(when)s). %(cause)s")
CHECK_LINE = gettext_lazy("Check with your manager: %(title)s. %(cause)s")
# Bookkeeping in a booking's diff that says nothing about why its tasks changed.
UNEXPLAINING_FIELDS = {"edited_by_hand", "last_import_batch", "updated_at"}
# Bookings whose rows the in-step check of a sweep reads per query (by id range).
TURNOVER_CHECK_RANGE = 5000


@dataclass
class SyncResult:
    created: int = 0
    moved: int = 0
    cancelled: int = 0
    reopened: int = 0
    conflicts: int = 0
    bookings: int = 0
    # One line per change, for `sync_turnovers -v 2` and for logs.
    lines: list[str] = field(default_factory=list)

    def __iadd__(self, other: "SyncResult") -> "SyncResult":
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def summary(self) -> str:
        return (
            f"bookings={self.bookings} created={self.created} moved={self.moved} cancelled={self.cancelled} "
            f"reopened={self.reopened} conflicts={self.conflicts}"
        )


@dataclass
class Schedule:
    """What a template's task for one booking should look like now."""

    title: str
    start_date: datetime.date
    due_date: datetime.date
    due_at: datetime.datetime
    same_day: bool
    priority: int
    estimate_hours: float
    description: str = ""

    def values(self) -> dict:
        return {name: getattr(self, name) for name in SCHEDULE_FIELDS}


@dataclass
class _Plan:
    creates: list[tuple[Booking, TaskTemplate, Schedule]] = field(default_factory=list)
    updates: dict[int, tuple[Task, dict, str]] = field(default_factory=dict)
    conflicts: list[tuple[Booking, list[Task], str]] = field(default_factory=list)
    result: SyncResult = field(default_factory=SyncResult)


def render_title(pattern: str, booking: Booking) -> str:
    """Fill the placeholders; an unknown `{word}` stays as written (a regex, not str.format, so a pattern
    cannot reach attributes like `{guest.__class__}`)."""
    title = single_line("".join([part if type(part) is str else part(booking) for part in _title_parts(pattern)]))
    return title[:TITLE_MAX_LENGTH]


_PLACEHOLDER_VALUES = {
    "property": lambda booking: booking.property.name,
    "guest": lambda booking: booking.guest_name,
    "check_in": lambda booking: booking.check_in.isoformat(),
    "check_out": lambda booking: booking.check_out.isoformat(),
    "nights": lambda booking: str(booking.nights()),
    "guests": lambda booking: str(booking.guests()),
}
TITLE_MAX_LENGTH = Task._meta.get_field("title").max_length


@functools.lru_cache(maxsize=64)
def _title_parts(pattern: str) -> tuple:
    """The pattern split once into its text and the placeholders' value getters (a sync renders thousands of
    titles from a few patterns); splitting on the regex finds the same placeholders as substituting with it."""
    pieces = _PLACEHOLDER_RE.split(pattern)
    return tuple(
        piece if index % 2 == 0 else _PLACEHOLDER_VALUES.get(piece, "{" + piece + "}")
        for index, piece in enumerate(pieces)
    )


def _at(day: datetime.date, time: datetime.time, time_zone: str) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(time_zone))


def booking_wants_tasks(booking: Booking, template: TaskTemplate) -> bool:
    """Whether this booking, as it is now, should have this template's task at all."""
    if booking.is_deleted or booking.status == BookingStatus.CANCELLED:
        return False
    return booking.status in (template.booking_statuses or [])


def template_applies(template: TaskTemplate, booking: Booking) -> bool:
    """Matching for creation: active, for this property (an empty list means every property), this status."""
    if not template.active or not booking_wants_tasks(booking, template):
        return False
    property_ids = _property_ids(template)
    if property_ids and booking.property_id not in property_ids:
        return False
    return _has_visits(template, booking)


def _has_visits(template: TaskTemplate, booking: Booking) -> bool:
    """Every-N-nights templates only apply to stays longer than N nights; the other triggers always do."""
    if template.trigger == TemplateTrigger.EVERY_N_NIGHTS:
        return (
            template.every_n_nights is not None
            and template.every_n_nights > 0
            and booking.nights() > template.every_n_nights
        )
    return True


def _property_ids(template: TaskTemplate) -> set[int]:
    # Asked once per booking: kept on the (prefetched) template instead of rebuilt each time.
    # Kept under a private attribute the model does not declare, hence getattr/setattr.
    cached: set[int] | None = getattr(template, "_property_ids", None)
    if cached is None:
        cached = {prop.pk for prop in template.properties.all()}
        setattr(template, "_property_ids", cached)  # noqa: B010
    return cached


def schedule_for(template: TaskTemplate, booking: Booking, next_check_in: datetime.datetime | None) -> Schedule:
    """Times in the property's time zone. `next_check_in` is the next guest's arrival when it is on the
    day this booking checks out (a same-day turnover)."""
    prop = booking.property
    check_in_at = _at(booking.check_in, prop.check_in_time, prop.time_zone)
    check_out_at = _at(booking.check_out, prop.check_out_time, prop.time_zone)
    offset = datetime.timedelta(hours=template.offset_hours)
    duration = datetime.timedelta(minutes=template.duration_minutes)
    same_day = False
    description = ""
    if template.trigger == TemplateTrigger.AFTER_CHECK_OUT:
        start = check_out_at + offset
        due = start + duration
        if next_check_in is not None:
            same_day = True
            due = next_check_in
    elif template.trigger == TemplateTrigger.BEFORE_CHECK_IN:
        due = check_in_at - offset
        start = due - duration
    elif template.trigger == TemplateTrigger.ON_CHECK_IN:
        start = check_in_at + offset
        due = start + duration
    else:
        # One task per (booking, template) is a database rule, so a long stay's visits share one task
        # that spans them, with the dates listed.
        step = template.every_n_nights
        assert step is not None  # the trigger's form requires it
        visits = [booking.check_in + datetime.timedelta(days=n) for n in range(step, booking.nights(), step)]
        start = _at(visits[0], prop.check_out_time, prop.time_zone) + offset
        due = _at(visits[-1], prop.check_out_time, prop.time_zone) + offset + duration
        description = "Visits during the stay: " + ", ".join(day.strftime("%a %d %b") for day in visits) + "."
    zone = zoneinfo.ZoneInfo(prop.time_zone)
    priority = min(template.priority + 1, Priority.URGENT) if same_day else template.priority
    return Schedule(
        title=render_title(template.title_pattern, booking),
        start_date=start.astimezone(zone).date(),
        due_date=due.astimezone(zone).date(),
        due_at=due,
        same_day=same_day,
        priority=priority,
        estimate_hours=round(template.duration_minutes / 60, 2),
        description=description,
    )


def describe_booking_change(booking: Booking, change: dict | None, source: str) -> str:
    """The sentence every automatic change carries in the audit trail: which booking change caused it."""
    label = f"booking {booking} at {booking.property.name}"
    if change is None:
        return f"Sync of {label} ({source})"
    if not change:
        return f"New {label} ({source})"
    parts = [
        f"{name} {old or '—'} → {new or '—'}"
        for name, (old, new) in sorted(change.items())
        if name not in UNEXPLAINING_FIELDS
    ]
    return f"Change to {label} ({source}): " + "; ".join(parts)


def _is_started(task: Task) -> bool:
    return task.status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE) or task.started_at is not None


def _when(task_or_schedule) -> str:
    due_at = task_or_schedule.due_at
    return f"{due_at:%a %d %b %H:%M}" if due_at else "no time"


def turnovers_sync(
    *,
    booking_ids: Iterable[int],
    changes: dict | None = None,
    source: str = AuditSource.AUTOMATION,
    notify: bool = True,
) -> SyncResult:
    """Bring the turnover tasks of these bookings (and of the stays just before them) in step.

    `changes` maps booking id to the audit diff of the change that triggered the sync; it names the cause
    in each audit entry. Runs in one transaction per chunk of bookings, with a fixed number of queries each.
    """
    with gc_paused():
        return _sync(sorted(set(booking_ids)), changes, source, notify)


def _sync(ordered_ids: list[int], changes: dict | None, source: str, notify: bool) -> SyncResult:
    result = SyncResult()
    size = _chunk_size()
    swept = len(ordered_ids)
    if changes is None and swept > size:
        # A sweep (`sync_turnovers`, the nightly job) finds most bookings in step: an unlocked read of plain rows
        # picks the ones that are not, and only those go through the locked chunks below, which plan them
        # again from what they read under the lock. Skipping a booking here is safe: whoever changes it later
        # syncs it in the same transaction (bookings_changed).
        ordered_ids = _bookings_out_of_step(ordered_ids)
    # Chunks long enough to amortise their round of queries, short enough that a sweep locks one chunk's
    # bookings at a time, never all of them.
    for start in range(0, len(ordered_ids), size):
        result += _sync_chunk(ordered_ids[start : start + size], changes, source, notify)
    # Thousands of new tasks (an import, a first sweep): fresh planner statistics once they are committed.
    analyze_after_commit([Task, ChecklistItem, AuditEntry], rows=result.created + result.moved + result.cancelled)
    if changes is None:
        # Bookings found in step count as synced.
        result.bookings += swept - len(ordered_ids)
    return result


def _chunk_size() -> int:
    """TURNOVER_SYNC_CHUNK_SIZE, within the database's limit on a statement's parameters: a chunk's reads list its
    bookings and the stays before them (an SQLite older than 3.32 takes 999)."""
    limit = connection.features.max_query_params
    return min(settings.TURNOVER_SYNC_CHUNK_SIZE, limit // 3) if limit else settings.TURNOVER_SYNC_CHUNK_SIZE


def turnovers_sync_all(*, source: str = AuditSource.CLI, notify: bool = True) -> SyncResult:
    """Every booking, including deleted ones (their live tasks must be cancelled). Idempotent."""
    booking_ids = Booking.all_objects.order_by("pk").values_list("pk", flat=True)
    return turnovers_sync(booking_ids=list(booking_ids), source=source, notify=notify)


class _BookingRow:
    """A booking as the planning reads it, built from a plain row: the in-step check reads ten thousand of them,
    and a model instance costs more to build than the check itself. Same names, same methods."""

    FIELDS = (
        "pk",
        "property_id",
        "guest_name",
        "external_code",
        "check_in",
        "check_out",
        "status",
        "deleted_at",
        "adults",
        "children",
        "infants",
    )
    nights = Booking.nights
    guests = Booking.guests
    is_deleted = Booking.is_deleted
    __str__ = Booking.__str__


class _TaskRow:
    """A template's task as the planning compares it (see _BookingRow)."""

    FIELDS = ("pk", "booking_id", "template_id", "status", "started_at", "cancel_reason", *SCHEDULE_FIELDS)


def _rows(cls, queryset, keep: set[int], key: str) -> list:
    """Instances of `cls` from the queryset's rows whose `key` is in `keep`."""
    rows = []
    position = cls.FIELDS.index(key)
    for values in queryset.values_list(*cls.FIELDS):
        if values[position] in keep:
            row = cls.__new__(cls)
            row.__dict__.update(zip(cls.FIELDS, values, strict=True))
            rows.append(row)
    return rows


def _bookings_out_of_step(ordered_ids: list[int]) -> list[int]:
    """The bookings among these (sorted ids) whose tasks the sync would change, read without locks, in ranges of
    ids (no parameter list as long as the sweep): a quick check vouches for the bookings whose tasks are exactly as
    planned, and the bookings it cannot vouch for go through the same planning as a locked chunk's."""
    active, templates, properties = _sweep_inputs()
    check = _QuickCheck(active, templates, properties)
    out_of_step: list[int] = []
    unsure: list[int] = []
    for start in range(0, len(ordered_ids), TURNOVER_CHECK_RANGE):
        check.check_range(ordered_ids[start : start + TURNOVER_CHECK_RANGE], out_of_step, unsure)
    # By lists of ids, as long as the locked chunks': the bookings left are few and scattered, mostly.
    size = _chunk_size()
    for start in range(0, len(unsure), size):
        out_of_step += _planned_out_of_step(unsure[start : start + size], active, templates, properties)
    return sorted(out_of_step)


def _sweep_inputs() -> tuple[list[TaskTemplate], dict[int, TaskTemplate], dict[int, Property]]:
    """The active templates (as the planning loops over them), every template by id (tasks of inactive ones are
    kept in step too) and every property by id."""
    active = list(TaskTemplate.objects.filter(active=True).prefetch_related("properties"))
    templates = {template.pk: template for template in active}
    templates.update((t.pk, t) for t in TaskTemplate._base_manager.exclude(pk__in=list(templates)))
    return active, templates, Property._base_manager.in_bulk()


def _planned_out_of_step(booking_ids: list[int], active, templates, properties) -> list[int]:
    """The bookings among these whose tasks the planning of a locked chunk (_plan_booking) would change."""
    keep = set(booking_ids)
    bookings = _rows(_BookingRow, Booking.all_objects.filter(pk__in=booking_ids).order_by(), keep, "pk")
    tasks_by_booking: dict[int, dict[int, _TaskRow]] = {}
    tasks = Task.objects.filter(booking_id__in=booking_ids, template__isnull=False).order_by()
    for task in _rows(_TaskRow, tasks, keep, "booking_id"):
        task.template = templates[task.template_id]
        tasks_by_booking.setdefault(task.booking_id, {})[task.template_id] = task
    if not bookings:
        return []
    arrivals = _arrivals({booking.check_out for booking in bookings})
    out_of_step = []
    plan = _Plan()
    for booking in bookings:
        prop = booking.property = properties[booking.property_id]
        next_check_in = (
            _at(booking.check_out, prop.check_in_time, prop.time_zone)
            if (booking.property_id, booking.check_out) in arrivals
            else None
        )
        before = len(plan.creates) + len(plan.updates) + len(plan.conflicts)
        _plan_booking(plan, booking, True, active, tasks_by_booking.get(booking.pk, {}), next_check_in, "")
        if len(plan.creates) + len(plan.updates) + len(plan.conflicts) != before:
            out_of_step.append(booking.pk)
    return out_of_step


def _arrivals(days: set[datetime.date]) -> set[tuple[int, datetime.date]]:
    """(property id, day) of the stays arriving on these days: as in _sync_chunk, a live, not cancelled, not
    blocked stay (a calendar block is no guest arriving). Read by a range of days, not a list as long as the
    sweep, with the days as text (see _as_text)."""
    day = functools.cache(datetime.date.fromisoformat)
    rows = (
        Booking.objects.exclude(status__in=[BookingStatus.CANCELLED, BookingStatus.BLOCKED])
        .filter(check_in__range=(min(days), max(days)))
        .order_by()
        .values_list("property_id", _as_text("check_in"))
    )
    return {(property_id, day(check_in)) for property_id, check_in in rows}


def _as_text(name: str) -> Cast:
    """A date, time stamp or decimal column as the database writes it. Converting ten thousand of each into
    Python values costs more than the rest of a sweep's check (SQLite parses each date twice, psycopg's time zone
    loader is pure Python), and a sweep's tasks share a few hundred distinct values: the text, parsed once per
    distinct value, costs a dict lookup. (psycopg reads time stamps only in PostgreSQL's ISO DateStyle: so
    does this.)"""
    return Cast(name, output_field=CharField())


# The quick check's task columns, in this order; the dates, time stamp and estimate as text (see _as_text).
_QUICK_TASK_COLUMNS = ("booking_id", "template_id", "status", "cancel_reason", "title", "same_day", "priority")
_QUICK_TASK_TEXTS = ("start_date", "due_date", "due_at", "estimate_hours")
_QUICK_BOOKING_TEXTS = ("check_in", "check_out", "deleted_at")


class _QuickCheck:
    """A sweep's check of its bookings over plain rows, with dates as text: it vouches for a booking only when
    the planning would leave it as it is, for reasons that take a few comparisons (each task exactly as planned,
    or cancelled and meant to stay so, and no task to create); any other booking is left to the planning itself.

    Most bookings of a sweep share their schedule's inputs (a template, a time zone and check-in/out times, a
    day) with many others: the planned dates and the verdict on a task's stored ones are worked out once per
    distinct inputs and stored values, not once per task."""

    def __init__(self, active: list[TaskTemplate], templates: dict[int, TaskTemplate], properties: dict):
        self.active = active
        self.active_ids = {template.pk for template in active}
        self.templates = templates
        self.properties = properties
        # A property's schedule inputs: its zone and times (most properties share them).
        self.clocks = {pk: (prop.time_zone, prop.check_in_time, prop.check_out_time) for pk, prop in properties.items()}
        self.day = functools.cache(datetime.date.fromisoformat)
        self.verdicts: dict[tuple, bool] = {}

    def check_range(self, chunk: list[int], out_of_step: list[int], unsure: list[int]) -> None:
        keep, first, last = set(chunk), chunk[0], chunk[-1]
        booking_columns = [_as_text(name) if name in _QUICK_BOOKING_TEXTS else name for name in _BookingRow.FIELDS]
        booking_rows = Booking.all_objects.filter(pk__range=(first, last)).order_by().values_list(*booking_columns)
        task_rows = (
            Task.objects.filter(booking_id__gte=first, booking_id__lte=last, template__isnull=False)
            .order_by()
            .values_list(*_QUICK_TASK_COLUMNS, *map(_as_text, _QUICK_TASK_TEXTS))
        )
        tasks_by_booking: dict[int, dict[int, tuple]] = {}
        for values in task_rows:
            tasks_by_booking.setdefault(values[0], {})[values[1]] = values
        bookings = []
        day = self.day
        for values in booking_rows:
            if values[0] in keep:
                # Typed as what it stands in for: the planning's functions take it as a Booking.
                booking: Booking = _BookingRow.__new__(_BookingRow)  # type: ignore[assignment]
                booking.__dict__.update(zip(_BookingRow.FIELDS, values, strict=True))
                booking.check_in, booking.check_out = day(booking.check_in), day(booking.check_out)
                booking.property = self.properties[booking.property_id]
                bookings.append(booking)
        if not bookings:
            return
        arrivals = _arrivals({booking.check_out for booking in bookings})
        active_ids = self.active_ids
        for booking in bookings:
            tasks = tasks_by_booking.get(booking.pk, {})
            if not active_ids <= tasks.keys() and any(
                template.pk not in tasks and template_applies(template, booking) for template in self.active
            ):
                # The planning creates this task: out of step, whatever else it finds.
                out_of_step.append(booking.pk)
                continue
            same_day = (booking.property_id, booking.check_out) in arrivals
            clock = self.clocks[booking.property_id]
            for task in tasks.values():
                if not self.task_in_step(booking, task, same_day, clock):
                    unsure.append(booking.pk)
                    break

    def task_in_step(self, booking: Booking, task: tuple, same_day: bool, clock: tuple) -> bool:
        """True when _plan_booking would leave this task as it is; False when it might not."""
        _, template_id, status, cancel_reason, title = task[:5]
        template = self.templates[template_id]
        wanted = booking_wants_tasks(booking, template) and _has_visits(template, booking)
        if status == TaskStatus.CANCELLED:
            # Reopened only when wanted again and cancelled by the automation.
            return not wanted or not cancel_reason.startswith(AUTO_CANCEL_PREFIX)
        if not wanted or title != render_title(template.title_pattern, booking):
            return False
        # What the schedule's dates, flag and priority depend on (see schedule_for) besides the template.
        trigger = template.trigger
        if trigger == TemplateTrigger.AFTER_CHECK_OUT:
            days: tuple = (booking.check_out, same_day)
        elif trigger == TemplateTrigger.EVERY_N_NIGHTS:
            days = (booking.check_in, booking.check_out)
        else:
            days = (booking.check_in,)
        stored = task[5:]
        key = (template_id, clock, days, stored)
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.verdicts[key] = self.stored_as_planned(template, booking, same_day, stored)
        return verdict

    def stored_as_planned(self, template: TaskTemplate, booking: Booking, same_day: bool, stored: tuple) -> bool:
        """Whether a task's stored schedule (same_day, priority, then the texts) is what the planning wants."""
        prop = booking.property
        next_check_in = _at(booking.check_out, prop.check_in_time, prop.time_zone) if same_day else None
        schedule = schedule_for(template, booking, next_check_in)
        task = _TaskRow.__new__(_TaskRow)
        same_day_stored, priority, start_date, due_date, due_at, estimate_hours = stored
        due_instant = parse_datetime(due_at) if due_at is not None else None
        if due_instant is not None and timezone.is_naive(due_instant):
            # SQLite stores UTC time stamps without their zone, as Django reads them back.
            due_instant = timezone.make_aware(due_instant, connection.timezone)
        task.__dict__.update(
            title=schedule.title,
            start_date=parse_date(start_date) if start_date is not None else None,
            due_date=parse_date(due_date) if due_date is not None else None,
            due_at=due_instant,
            same_day=same_day_stored,
            priority=priority,
            estimate_hours=decimal.Decimal(estimate_hours) if estimate_hours is not None else None,
        )
        return not _schedule_changes(task, schedule.values())


def _load_bookings(booking_ids: list[int]) -> list[Booking]:
    """The chunk's bookings as plain rows (_BookingRow: the planning reads nothing else; an import's receiver reads
    ten thousand bookings it has just written, and instances cost more than the rest of the read)."""
    bookings = Booking.all_objects.filter(pk__in=booking_ids).order_by("pk")
    if connection.vendor == "postgresql":
        # Two syncs of the same booking queue here, so the second sees the first one's tasks. Locked in
        # id order, so overlapping syncs cannot deadlock. SQLite's IMMEDIATE transactions already serialise.
        bookings = bookings.select_for_update()
    return _rows(_BookingRow, bookings, set(booking_ids), "pk")


def _attach_properties(bookings: list[Booking]) -> None:
    """Each booking's property, one instance per property: select_related would build one per booking."""
    properties = Property._base_manager.in_bulk({booking.property_id for booking in bookings})
    for booking in bookings:
        booking.property = properties[booking.property_id]


@dataclass
class _Neighbours:
    """The stays next to a chunk's bookings at the same property, read as plain rows."""

    # (property id, day) -> the id of a live guest stay arriving then: the next guest of whoever leaves that day.
    arrivals: dict[tuple[int, datetime.date], int]
    # Stays that check out as a booking of the chunk checks in, or used to: their same-day flag may change.
    before: list[int]


def _load_neighbours(bookings: list[Booking], changes: dict) -> _Neighbours:
    """The one checking in as a booking checks out (its arrival is a deadline), the one checking out as a booking
    checks in or used to (its same-day flag may change), and the arrivals on the days those check out (whoever
    else arrives where a booking used to). One read of plain values, matched to the bookings' (property, day)
    pairs here: no model instance, and no "not deleted" condition that would lead SQLite away from the day
    indexes (a scan of every live booking per chunk)."""
    own_ids = {booking.pk for booking in bookings}
    arrival_pairs = set()
    departure_pairs = set()
    for booking in bookings:
        arrival_pairs.add((booking.property_id, booking.check_out))
        arrival_pairs.add((booking.property_id, booking.check_in))
        departure_pairs.add((booking.property_id, booking.check_in))
        old_check_in = _old_check_in(changes.get(booking.pk))
        if old_check_in is not None:
            arrival_pairs.add((booking.property_id, old_check_in))
            departure_pairs.add((booking.property_id, old_check_in))
    rows = (
        Booking.all_objects.filter(property_id__in={booking.property_id for booking in bookings})
        .filter(
            Q(check_in__in={day for _, day in arrival_pairs}) | Q(check_out__in={day for _, day in departure_pairs})
        )
        .order_by()
        .values_list("pk", "property_id", "check_in", "check_out", "status", "deleted_at")
    )
    neighbours = _Neighbours(arrivals={}, before=[])
    # By id, as the locked chunk reads its own bookings: the first live arrival of a day is the one that counts.
    for pk, property_id, check_in, check_out, status, deleted_at in sorted(rows):
        if pk in own_ids or deleted_at is not None or status == BookingStatus.CANCELLED:
            continue
        # A calendar block is no guest arriving: it makes no same-day turnover.
        if status != BookingStatus.BLOCKED and (property_id, check_in) in arrival_pairs:
            neighbours.arrivals.setdefault((property_id, check_in), pk)
        if (property_id, check_out) in departure_pairs:
            neighbours.before.append(pk)
    return neighbours


def _old_check_in(change: dict | None) -> datetime.date | None:
    old_check_in = (change or {}).get("check_in", [None])[0]
    if isinstance(old_check_in, str):
        return datetime.date.fromisoformat(old_check_in)
    if isinstance(old_check_in, datetime.date):
        return old_check_in
    return None


def _sync_chunk(booking_ids: list[int], changes: dict | None, source: str, notify: bool) -> SyncResult:
    changes_by_id = {int(key): value for key, value in (changes or {}).items()}
    with transaction.atomic(), audit_context(source=AuditSource.AUTOMATION):
        bookings = _load_bookings(booking_ids)
        if not bookings:
            return SyncResult()
        neighbours = _load_neighbours(bookings, changes_by_id)
        arrivals: dict[tuple[int, datetime.date], int] = {}
        for booking in bookings:
            # A calendar block is no guest arriving: it makes no same-day turnover.
            if not booking.is_deleted and booking.status not in (BookingStatus.CANCELLED, BookingStatus.BLOCKED):
                arrivals.setdefault((booking.property_id, booking.check_in), booking.pk)
        for pair, pk in neighbours.arrivals.items():
            arrivals.setdefault(pair, pk)
        # Every template a task may come from, shared by its tasks (select_related would build one per task).
        all_templates = list(
            TaskTemplate.objects.select_related("default_assignee", "backup_assignee").prefetch_related("properties")
        )
        templates = [template for template in all_templates if template.active]
        templates_by_id = {template.pk: template for template in all_templates}
        own_ids = {booking.pk for booking in bookings}
        tasks_by_booking: dict[int, dict[int, Task]] = {}
        for task in Task.objects.filter(booking_id__in=[*own_ids, *neighbours.before], template__isnull=False):
            # Both set: the query asks for tasks of these bookings made from a template.
            assert task.booking_id is not None and task.template_id is not None
            task.template = templates_by_id[task.template_id]
            tasks_by_booking.setdefault(task.booking_id, {})[task.template_id] = task
        # A stay before with no task of a template has nothing to bring in step.
        before = [pk for pk in neighbours.before if pk in tasks_by_booking]
        everyone = bookings + _rows(
            _BookingRow, Booking.all_objects.filter(pk__in=before).order_by("check_in", "pk"), set(before), "pk"
        )
        _attach_properties(everyone)

        plan = _Plan()
        for booking in everyone:
            own = booking.pk in own_ids
            cause = describe_booking_change(booking, changes_by_id.get(booking.pk) if changes else None, source)
            if not own:
                cause = f"The next stay at {booking.property.name} changed ({source})"
            next_arrival = arrivals.get((booking.property_id, booking.check_out))
            next_check_in = (
                _at(booking.check_out, booking.property.check_in_time, booking.property.time_zone)
                if next_arrival is not None and next_arrival != booking.pk
                else None
            )
            _plan_booking(plan, booking, own, templates, tasks_by_booking.get(booking.pk, {}), next_check_in, cause)
        plan.result.bookings = len(bookings)
        _apply(plan, notify)
    return plan.result


def _plan_booking(plan, booking, own, templates, tasks_by_template, next_check_in, cause) -> None:
    stale_started: list[Task] = []
    for template in templates:
        if own and template.pk not in tasks_by_template and template_applies(template, booking):
            plan.creates.append((booking, template, schedule_for(template, booking, next_check_in)))
    for task in tasks_by_template.values():
        template = task.template
        if not booking_wants_tasks(booking, template) or not _has_visits(template, booking):
            if task.status == TaskStatus.CANCELLED:
                continue
            if _is_started(task):
                stale_started.append(task)
                continue
            reason = f"{AUTO_CANCEL_PREFIX}booking {booking} was cancelled or no longer needs this task"
            changes = {"status": TaskStatus.CANCELLED, "cancel_reason": reason[:300]}
            plan.updates[task.pk] = (task, changes, cause)
            plan.result.cancelled += 1
            continue
        schedule = schedule_for(template, booking, next_check_in)
        changes = _schedule_changes(task, schedule.values())
        if task.status == TaskStatus.CANCELLED:
            if own and task.cancel_reason.startswith(AUTO_CANCEL_PREFIX):
                changes.update(status=TaskStatus.TODO, cancel_reason="")
                plan.updates[task.pk] = (task, changes, cause)
                plan.result.reopened += 1
            continue
        if not changes:
            continue
        if _is_started(task):
            if any(name in changes for name in DATE_FIELDS):
                stale_started.append(task)
            continue
        if "same_day" not in changes:
            # A manager's own priority choice stands unless the same-day status itself changed.
            changes.pop("priority", None)
        if changes:
            plan.updates[task.pk] = (task, changes, cause)
            plan.result.moved += 1
    if stale_started and own:
        plan.conflicts.append((booking, stale_started, cause))


def _schedule_changes(task, wanted: dict) -> dict:
    """The values of `wanted` that differ from the task's."""
    # `!=` first: equal values (nearly all of them in a sweep) skip the float tolerance check.
    return {
        name: value
        for name, value in wanted.items()
        if getattr(task, name) != value and _differs(getattr(task, name), value)
    }


def _differs(current, wanted) -> bool:
    if isinstance(wanted, float) and current is not None:
        return abs(float(current) - wanted) > 0.005
    return current != wanted


def _apply(plan: _Plan, notify: bool) -> None:
    content_type = ContentType.objects.get_for_model(Task)
    entries: list[AuditEntry] = []
    # Nobody needs an email about work whose day has passed.
    digest = Digest(since=timezone.localdate())
    plan.result.created = _create_tasks(plan, content_type, digest)

    if plan.updates:
        touched_fields: set[str] = set()
        rows = []
        # bulk_update writes the instances' values as they are, auto_now included: stamp them here (the Gantt's
        # critical-path cache and "recently changed" sorting read updated_at).
        now = timezone.now()
        for task, changes, cause in plan.updates.values():
            before = audit.snapshot(task, TASK_AUDIT_FIELDS)
            for name, value in changes.items():
                setattr(task, name, value)
            task.updated_at = now
            touched_fields.update(changes)
            diff = audit.diff(before, audit.snapshot(task, TASK_AUDIT_FIELDS))
            action = AuditAction.CANCEL if changes.get("status") == TaskStatus.CANCELLED else AuditAction.MOVE
            entries.append(audit.build_entry(task, action, diff, message=cause, content_type=content_type))
            rows.append(task)
            verb = "Cancelled" if action == AuditAction.CANCEL else "Changed"
            message = CANCELLED_LINE if action == AuditAction.CANCEL else CHANGED_LINE
            digest.add(task, message, title=task.title, when=task.due_at, cause=cause)
            plan.result.lines.append(f"{verb.lower()} task {task.pk} “{task.title}”: {', '.join(sorted(diff))}")
        Task.objects.bulk_update(rows, sorted(touched_fields | {"updated_at"}), batch_size=500)

    if plan.conflicts:
        _raise_conflicts(plan, digest)
    audit.record_many(entries)
    if notify:
        digest.send_on_commit()


class _NewTask(NamedTuple):
    """What the digest, the audit entry and the sync's lines read of a task just written, under a task's names."""

    pk: int
    title: str
    due_at: datetime.datetime
    due_date: datetime.date
    assignee_id: int | None

    def __str__(self) -> str:
        return self.title  # as Task.__str__: the audit entry's object_repr


def _create_tasks(plan: _Plan, content_type, digest: Digest) -> int:
    """Write the planned tasks, their checklists and their audit entries as plain rows: no model instance per
    task, step or entry (a first import creates tens of thousands of each in its transaction)."""
    if not plan.creates:
        return 0
    templates = {template.pk: template for _booking, template, _schedule in plan.creates}
    assignee_ids = {pk: _assignee_id(template) for pk, template in templates.items()}
    # Spaced at the end of their column, in the order planned: a drag among them later writes one row.
    positions = next_positions(TaskStatus.TODO, len(plan.creates))
    rows = []
    for (booking, template, schedule), position in zip(plan.creates, positions, strict=True):
        source_note = f'Created by template "{template.title_pattern}" for booking {booking}.'
        rows.append(
            (
                booking.property_id,
                booking.pk,
                template.pk,
                template.type,
                TaskStatus.TODO,
                assignee_ids[template.pk],
                f"{source_note} {schedule.description}".strip(),
                position,
                *(getattr(schedule, name) for name in SCHEDULE_FIELDS),
            )
        )
    # A concurrent writer that slipped past the booking lock (or a manager's manual task) loses quietly:
    # the unique constraint keeps one task per (booking, template), and the insert skips ours.
    inserted = insert_rows_skipping_conflicts(Task, NEW_TASK_FIELDS, rows, key=("booking_id", "template_id"))
    ids = {(booking_id, template_id): pk for pk, booking_id, template_id in inserted}
    checklists = {pk: _checklist_steps(template) for pk, template in templates.items()}
    audited = _audited_fields_of_new_tasks()
    title, due_at, due_date, assignee = (NEW_TASK_FIELDS.index(name) for name in NEW_TASK_READ_BACK)
    checklist_rows: list[tuple] = []
    entries = audit.EntryRows(content_type)
    for (booking, template, _schedule), row in zip(plan.creates, rows, strict=True):
        pk = ids.get((booking.pk, template.pk))
        if pk is None:
            continue
        checklist_rows.extend((pk, *step) for step in checklists[template.pk])
        task = _NewTask(pk, row[title], row[due_at], row[due_date], row[assignee])
        snapshot = {name: default if index is None else row[index] for name, index, default in audited}
        message = f'Template "{template.title_pattern}" for booking {booking}'
        entries.add(task, AuditAction.CREATE, audit.diff_from_nothing(snapshot), message=message, changes_are_json=True)
        digest.add(task, ASSIGNED_LINE, title=task.title, when=task.due_at)
        plan.result.lines.append(f"created task {pk} “{task.title}” ({_when(task)})")
    # Several items per task, written from plain tuples (COPY on PostgreSQL): nothing needs their ids back.
    insert_rows(ChecklistItem, CHECKLIST_ROW_FIELDS, checklist_rows)
    return entries.write()


# What a new turnover task is written with; its other columns take their defaults (no progress, created now).
NEW_TASK_FIELDS = (
    "property_id",
    "booking_id",
    "template_id",
    "type",
    "status",
    "assignee_id",
    "description",
    "position",
    *SCHEDULE_FIELDS,
)
# What the digest and the sync's lines read back from a new task's row (as _NewTask holds them).
NEW_TASK_READ_BACK = ("title", "due_at", "due_date", "assignee_id")
CHECKLIST_ROW_FIELDS = ("task_id", "position", "text", "requires_photo", "required")
CHECKLIST_TEXT_MAX = ChecklistItem._meta.get_field("text").max_length


def _assignee_id(template: TaskTemplate) -> int | None:
    """The template's cleaner, or its backup while the cleaner's account is switched off."""
    assignee = template.default_assignee
    if assignee is None or not assignee.is_active:
        assignee = template.backup_assignee if template.backup_assignee_id else assignee
    return assignee.pk if assignee is not None else None


def _checklist_steps(template: TaskTemplate) -> list[tuple]:
    """(position, text, requires photo, required) of each step of the template's checklist, read once per sync."""
    return [
        (
            position,
            str(item.get("text", ""))[:CHECKLIST_TEXT_MAX],
            bool(item.get("requires_photo", False)),
            bool(item.get("required", True)),
        )
        for position, item in enumerate(template.checklist or [], start=1)
    ]


def _audited_fields_of_new_tasks() -> list[tuple[str, int | None, object]]:
    """(name, place in NEW_TASK_FIELDS or None, default) of each audited task field, in the audit's order: a new
    task's audit entry holds what it was written with and, for the other fields, the model's defaults (what a
    saved instance holds)."""
    fields = []
    for name in TASK_AUDIT_FIELDS:
        field = Task._meta.get_field(name)
        assert isinstance(field, models.Field)  # TASK_AUDIT_FIELDS are columns
        index = NEW_TASK_FIELDS.index(field.attname) if field.attname in NEW_TASK_FIELDS else None
        fields.append((name, index, field.get_default()))
    return fields


def _raise_conflicts(plan: _Plan, digest: Digest) -> None:
    """A started or done task is never moved or cancelled silently: the manager gets a conflict to resolve
    (one open conflict per booking, however often the booking is synced) and the assignee is told."""
    booking_ids = [booking.pk for booking, _tasks, _cause in plan.conflicts]
    already_open = set(
        BookingConflict.objects.filter(
            kind=ConflictKind.STARTED_TASKS, state=ConflictState.OPEN, booking_id__in=booking_ids
        ).values_list("booking_id", flat=True)
    )
    new_conflicts = []
    for booking, tasks, cause in plan.conflicts:
        if booking.pk in already_open:
            continue
        titles = ", ".join(f"“{task.title}” ({task.get_status_display().lower()})" for task in tasks)
        message = f"{cause[:150]}. Not applied to {titles}: work has started."
        new_conflicts.append(
            BookingConflict(
                kind=ConflictKind.STARTED_TASKS,
                booking_id=booking.pk,
                message=message[:300],
                incoming={
                    "check_in": booking.check_in.isoformat(),
                    "check_out": booking.check_out.isoformat(),
                    "status": booking.status,
                    "deleted": booking.is_deleted,
                    "task_ids": [task.pk for task in tasks],
                },
            )
        )
        for task in tasks:
            digest.add(task, CHECK_LINE, title=task.title, cause=cause)
    if new_conflicts:
        BookingConflict.objects.bulk_create(new_conflicts)
        plan.result.conflicts += len(new_conflicts)
        plan.result.lines.extend(
            f"conflict on booking {conflict.booking_id}: {conflict.message}" for conflict in new_conflicts
        )
        body = "\n".join(f"- {conflict.message}" for conflict in new_conflicts)
        notify_managers(subject=f"{len(new_conflicts)} booking change(s) hit started tasks", body=body)


@acting_user
def turnover_assign(*, task: Task, assignee, user) -> dict:
    """Give a task to someone (or to nobody); the new assignee hears of it by email."""
    if task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise InvalidInput(f"“{task.title}” is {task.get_status_display().lower()}; it can no longer be reassigned.")
    with transaction.atomic():
        diff = task_update(task=task, user=user, assignee=assignee, message="Assigned from the turnovers list")
        if diff:
            notify_assigned(task=task, assignee=assignee)
    return diff
