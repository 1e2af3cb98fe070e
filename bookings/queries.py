"""Reads for the booking pages that are more than one QuerySet method: the timeline, import batches, the trash."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count

from bookings.importing.error_groups import ErrorGroup, group_row_errors
from bookings.models import Booking, ImportBatch, ImportRowAction, Property

# Each day is two grid columns (morning, afternoon), so a check-out and a check-in share a day side by side.
COLUMNS_PER_DAY = 2
# Grid line 1 starts the property name column; the first day starts at line 2.
FIRST_DAY_LINE = 2


@dataclass
class TimelineBar:
    booking: Booking
    column_start: int
    column_end: int
    lane: int = 1
    overlaps: bool = False
    starts_before: bool = False
    ends_after: bool = False

    @property
    def css_class(self) -> str:
        """Built here rather than in the template: the two-month view draws hundreds of bars."""
        classes = [f"bk-status-{self.booking.status}"]
        classes += [name for name, on in self._flags() if on]
        return " ".join(classes)

    def _flags(self):
        return (("tl-overlap", self.overlaps), ("tl-cut-start", self.starts_before), ("tl-cut-end", self.ends_after))

    @property
    def title(self) -> str:
        booking = self.booking
        stay = f"{booking.check_in.day} {booking.check_in:%b} → {booking.check_out.day} {booking.check_out:%b}"
        text = f"{booking.guest_name} · {booking.get_status_display()} · {stay}"
        return text + (" · overlaps another booking" if self.overlaps else "")


@dataclass
class TimelineDay:
    date: datetime.date
    column_start: int
    is_today: bool
    is_weekend: bool

    @property
    def column_end(self) -> int:
        return self.column_start + COLUMNS_PER_DAY

    @property
    def css_class(self) -> str:
        return " ".join(name for name, on in (("tl-weekend", self.is_weekend), ("tl-is-today", self.is_today)) if on)


@dataclass
class TimelineRow:
    property: Property
    bars: list[TimelineBar] = field(default_factory=list)
    lanes: int = 1
    # Days on which one stay checks out and the next checks in.
    turnovers: list[TimelineDay] = field(default_factory=list)


@dataclass
class Timeline:
    start: datetime.date
    days: int
    header: list[TimelineDay]
    rows: list[TimelineRow]

    @property
    def end(self) -> datetime.date:
        """The first day not shown."""
        return self.start + datetime.timedelta(days=self.days)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def columns(self) -> int:
        return self.days * COLUMNS_PER_DAY


def _day_line(start: datetime.date, day: datetime.date) -> int:
    return FIRST_DAY_LINE + (day - start).days * COLUMNS_PER_DAY


def _days(start: datetime.date, count: int, today: datetime.date) -> list[TimelineDay]:
    days = []
    for offset in range(count):
        date = start + datetime.timedelta(days=offset)
        days.append(TimelineDay(date, _day_line(start, date), date == today, date.weekday() >= 5))
    return days


def _place(row: TimelineRow, bookings: list[Booking], days: list[TimelineDay]) -> None:
    """Bars in lanes (a booking takes the first lane free by its check-in), overlaps and turnover days."""
    start, count = days[0].date, len(days)
    first_line, last_line = FIRST_DAY_LINE, FIRST_DAY_LINE + count * COLUMNS_PER_DAY
    lane_ends: list[datetime.date] = []
    latest: Booking | None = None
    bars: list[TimelineBar] = []
    for booking in bookings:  # ordered by check-in
        bar = TimelineBar(
            booking,
            # From the afternoon of check-in to the morning of check-out.
            column_start=max(first_line, _day_line(start, booking.check_in) + 1),
            column_end=min(last_line, _day_line(start, booking.check_out) + 1),
            starts_before=booking.check_in < start,
            ends_after=booking.check_out > start + datetime.timedelta(days=count),
        )
        if latest is not None and booking.check_in < latest.check_out:
            bar.overlaps = True
            for earlier in bars:
                if earlier.booking.check_out > booking.check_in:
                    earlier.overlaps = True
        if latest is None or booking.check_out > latest.check_out:
            latest = booking
        for index, lane_end in enumerate(lane_ends):
            if lane_end <= booking.check_in:
                lane_ends[index] = booking.check_out
                bar.lane = index + 1
                break
        else:
            lane_ends.append(booking.check_out)
            bar.lane = len(lane_ends)
        bars.append(bar)
    check_outs = {booking.check_out for booking in bookings}
    check_ins = {booking.check_in for booking in bookings}
    row.turnovers = [day for day in days if day.date in check_outs and day.date in check_ins]
    row.bars = [bar for bar in bars if bar.column_end > bar.column_start]
    row.lanes = max(1, len(lane_ends))


def timeline(*, start: datetime.date, days: int, today: datetime.date) -> Timeline:
    """Live properties and their live, non-cancelled stays touching [start, start + days): two queries.

    Inactive properties appear only when they have stays in the window."""
    end = start + datetime.timedelta(days=days)
    properties = list(Property.objects.order_by("name"))
    by_property: dict[int, list[Booking]] = {prop.pk: [] for prop in properties}
    # A stay that checks out on the first day shown still draws its morning half.
    stays = (
        Booking.objects.not_cancelled()
        .filter(property__deleted_at__isnull=True, check_in__lt=end, check_out__gte=start)
        .only("id", "property_id", "guest_name", "status", "check_in", "check_out", "external_code", "source")
        .order_by("property_id", "check_in", "id")
    )
    for booking in stays:
        by_property[booking.property_id].append(booking)
    header = _days(start, days, today)
    rows = []
    for prop in properties:
        if not prop.active and not by_property[prop.pk]:
            # An inactive property (not let for now) takes a row only while it has stays in view.
            continue
        row = TimelineRow(prop)
        _place(row, by_property[prop.pk], header)
        rows.append(row)
    return Timeline(start=start, days=days, header=header, rows=rows)


# What the preview looked at (every code of the file) and its fingerprint are for the engine, not for pages;
# a 100,000-row file's scope is megabytes, and the progress bar reads its batch every second.
ENGINE_ONLY_FIELDS = ("scope", "fingerprint")


def import_batches():
    """Import batches as the pages read them: without the engine's bulky fields."""
    return ImportBatch.objects.defer(*ENGINE_ONLY_FIELDS)


def import_action_counts(batch: ImportBatch) -> list[dict]:
    """Rows per action, every action listed (zeros too) so the filter chips stay in one place."""
    counted = dict(batch.rows.order_by().values_list("action").annotate(rows=Count("id")))
    return [{"value": value, "label": label, "rows": counted.get(value, 0)} for value, label in ImportRowAction.choices]


def import_rows(batch: ImportBatch, *, action: str = ""):
    """A batch's rows in file order, only those of `action` when one is given."""
    rows = batch.rows.order_by("row_number")
    return rows.filter(action=action) if action else rows


def import_error_groups(batch: ImportBatch) -> list[ErrorGroup]:
    """The batch's row errors grouped by cause with counts (one query, streamed: a file may refuse 100,000 rows)."""
    rows = (
        batch.rows.filter(action=ImportRowAction.ERROR)
        .order_by("row_number")
        .values_list("row_number", "errors")
        .iterator(chunk_size=5000)
    )
    return group_row_errors(rows)


def trash_contents(*, limit: int):
    """Archived properties (all) and deleted bookings (the newest `limit`), each with who deleted it."""
    properties = Property.all_objects.dead().select_related("deleted_by").order_by("-deleted_at")
    bookings = (
        Booking.all_objects.dead().select_related("property", "deleted_by").order_by("-deleted_at", "-id")[:limit]
    )
    return properties, bookings
