"""Syncing one calendar feed: fetch, check, match events to bookings, write the changes in one transaction.

A bad feed changes nothing: a fetch or parse failure records why on the feed; an empty calendar, or one whose
events dropped by more than CALENDAR_MAX_DROP_RATIO since the last good sync, waits for the manager ("needs
review"). A stay missing from good syncs is never cancelled silently: after CALENDAR_MISSING_SYNCS good syncs
without it, it becomes a conflict. Past stays are never touched. Every change is audited with the source
`calendar` and announced through `bookings_changed`, so the turnover tasks follow.

Matching, in order: the platform's confirmation code (so an Excel import and a feed of one stay are one
booking), the event's UID, a stay of this feed whose UID just vanished and whose nights overlap the event
(Airbnb gives an extended stay a new UID), then a live booking of the property with the same dates.
"""

import datetime
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings import hooks
from bookings.calendar.fetch import FetchFailed, fetch_calendar
from bookings.calendar.parsing import FeedEvent, NotACalendar, parse_calendar
from bookings.metrics import calendar_syncs_total
from bookings.models import (
    BOOKING_DATA_FIELDS,
    Booking,
    BookingConflict,
    BookingSource,
    BookingStatus,
    CalendarFeed,
    CalendarFeedStay,
    ConflictKind,
    ConflictResolution,
    ConflictState,
    FeedSource,
)
from bookings.services.bookings import BOOKING_AUDIT_FIELDS
from bookings.signals import announce_bookings_changed
from core import audit
from core.audit_context import acting_user, audit_context
from core.circuit import CircuitOpen
from core.models import AuditAction, AuditSource

logger = logging.getLogger(__name__)

OK, FAILED, REVIEW, SKIPPED = "ok", "failed", "review", "skipped"
COUNT_NAMES = ("created", "updated", "cancelled", "unchanged", "conflicts")
GUEST_UNKNOWN: dict[str, str] = {
    FeedSource.AIRBNB: "Airbnb guest",
    FeedSource.VRBO: "Vrbo guest",
    FeedSource.BOOKINGCOM: "Booking.com guest",
    FeedSource.OTHER: "Guest",
}
# Statuses that hold nights for guests: overlaps are checked among these (a block only mirrors another
# platform's stay, so it never makes an overlap).
GUEST_STATUSES_EXCLUDED = (BookingStatus.CANCELLED, BookingStatus.BLOCKED)


@dataclass
class SyncOutcome:
    feed_id: int
    status: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    reason: str = ""

    def line(self) -> str:
        """`feed=7 status=ok created=1 updated=0 cancelled=0 unchanged=5 conflicts=0`, with the reason when not ok."""
        figures = " ".join(f"{name}={self.counts.get(name, 0)}" for name in COUNT_NAMES)
        text = f"feed={self.feed_id} status={self.status} {figures}"
        if self.reason:
            text += f' reason="{self.reason}"'
        return text


# --- Claiming a feed: one sync at a time, across workers and machines ------------------------------------


def _lease_seconds() -> float:
    # Long enough for every attempt of a slow fetch, with its waits, plus the write.
    attempts = settings.CALENDAR_FETCH_ATTEMPTS
    return attempts * (settings.CALENDAR_FETCH_TIMEOUT * 2 + settings.CALENDAR_RETRY_MAX_SECONDS) + 60


def _claim(feed_id: int) -> datetime.datetime | None:
    """An atomic UPDATE takes the lease, so of two workers exactly one gets it; no transaction stays open
    while the feed is fetched. A lease left by a dead worker expires."""
    now = timezone.now()
    until = now + datetime.timedelta(seconds=_lease_seconds())
    claimed = (
        CalendarFeed.objects.filter(pk=feed_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=until)
    )
    return until if claimed else None


def _release(feed_id: int, lease: datetime.datetime) -> None:
    CalendarFeed.objects.filter(pk=feed_id, lease_until=lease).update(lease_until=None)


# --- Recording a feed's state ---------------------------------------------------------------------------


def _record_failure(feed: CalendarFeed, reason: str, *, counts_as_failure: bool = True) -> None:
    now = timezone.now()
    feed.last_attempt_at = now
    feed.last_error = reason[:300]
    feed.failing_since = feed.failing_since or now
    if counts_as_failure:
        feed.consecutive_failures += 1
    feed.save(update_fields=["last_attempt_at", "last_error", "failing_since", "consecutive_failures", "updated_at"])


def _record_review(feed: CalendarFeed, reason: str, body: bytes) -> None:
    now = timezone.now()
    feed.last_attempt_at = now
    feed.review_reason = reason[:300]
    feed.review_since = feed.review_since or now
    feed.review_body = body.decode("utf-8", errors="replace")
    # The fetch itself worked: the feed is not failing, it waits for a person.
    feed.failing_since = None
    feed.consecutive_failures = 0
    feed.last_error = ""
    feed.save(
        update_fields=[
            "last_attempt_at",
            "review_reason",
            "review_since",
            "review_body",
            "failing_since",
            "consecutive_failures",
            "last_error",
            "updated_at",
        ]
    )


def review_reason(feed: CalendarFeed, events: list[FeedEvent]) -> str:
    """Why this calendar should wait for the manager, or "" when it may be applied."""
    if not events:
        return "the calendar is empty: apply it only if every stay was really cancelled"
    previous = feed.last_event_count
    if previous and len(events) < previous * (1 - settings.CALENDAR_MAX_DROP_RATIO):
        return f"the calendar has {len(events)} events, down from {previous} at the last good sync"
    return ""


# --- The sync ---------------------------------------------------------------------------------------------


def calendar_feed_sync(*, feed_id: int) -> SyncOutcome:
    """Fetch and apply one feed. Never raises for a bad feed: the outcome says what happened and why."""
    outcome = _sync(feed_id)
    calendar_syncs_total.labels(status=outcome.status).inc()
    return outcome


def _sync(feed_id: int) -> SyncOutcome:
    lease = _claim(feed_id)
    if lease is None:
        if not CalendarFeed.objects.filter(pk=feed_id).exists():
            return SyncOutcome(feed_id, SKIPPED, reason="no such feed")
        return SyncOutcome(feed_id, SKIPPED, reason="another sync of this feed is running")
    try:
        feed = CalendarFeed.objects.select_related("property").get(pk=feed_id)
        if not feed.active:
            return SyncOutcome(feed_id, SKIPPED, reason="the feed is paused")
        if feed.property.is_deleted:
            return SyncOutcome(feed_id, SKIPPED, reason="the property is archived")
        try:
            fetched = fetch_calendar(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except CircuitOpen as open_circuit:
            reason = f"skipped: {open_circuit}"
            _record_failure(feed, reason, counts_as_failure=False)
            return SyncOutcome(feed_id, SKIPPED, reason=str(open_circuit))
        except FetchFailed as failure:
            _record_failure(feed, failure.reason)
            return SyncOutcome(feed_id, FAILED, reason=failure.reason)
        if fetched.body is None:
            return _apply(feed, None, etag=fetched.etag, last_modified=fetched.last_modified)
        try:
            events = parse_calendar(fetched.body, source=feed.source, time_zone=feed.property.time_zone)
        except NotACalendar as refused:
            _record_failure(feed, refused.reason)
            return SyncOutcome(feed_id, FAILED, reason=refused.reason)
        reason = review_reason(feed, events)
        if reason:
            _record_review(feed, reason, fetched.body)
            outcome = SyncOutcome(feed_id, REVIEW, reason=reason)
            outcome.counts["unchanged"] = len(events)
            return outcome
        return _apply(feed, events, etag=fetched.etag, last_modified=fetched.last_modified)
    finally:
        _release(feed_id, lease)


@acting_user
def calendar_feed_review_apply(*, feed: CalendarFeed, user) -> SyncOutcome:
    """The manager confirms a held-back calendar: it is applied as it was fetched."""
    lease = _claim(feed.pk)
    if lease is None:
        return SyncOutcome(feed.pk, SKIPPED, reason="another sync of this feed is running")
    try:
        feed = CalendarFeed.objects.select_related("property").get(pk=feed.pk)
        if not feed.review_reason:
            return SyncOutcome(feed.pk, SKIPPED, reason="nothing waits for review")
        events = parse_calendar(feed.review_body.encode(), source=feed.source, time_zone=feed.property.time_zone)
        with audit_context(actor=user):
            return _apply(feed, events, etag="", last_modified="", message="applied after review")
    finally:
        _release(feed.pk, lease)


@acting_user
def calendar_feed_review_ignore(*, feed: CalendarFeed, user) -> None:
    """The manager drops a held-back calendar; the next sync checks again."""
    with transaction.atomic(), audit_context(actor=user, source=AuditSource.WEB):
        feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
        if not feed.review_reason:
            return
        reason = feed.review_reason
        feed.review_reason = ""
        feed.review_since = None
        feed.review_body = ""
        feed.save(update_fields=["review_reason", "review_since", "review_body", "updated_at"])
        audit.record(feed, AuditAction.UPDATE, {"review_reason": [reason, ""]}, message="review ignored")


def _apply(
    feed: CalendarFeed, events: list[FeedEvent] | None, *, etag: str, last_modified: str, message: str = ""
) -> SyncOutcome:
    """Write a good calendar (events None: not modified since the last good sync) in one transaction."""
    outcome = SyncOutcome(feed.pk, OK)
    with transaction.atomic(), audit_context(source=AuditSource.CALENDAR):
        feed = CalendarFeed.objects.select_for_update().select_related("property").get(pk=feed.pk)
        syncer = _Syncer(feed, outcome)
        if events is None:
            syncer.count_missing(seen=None)
            outcome.counts["unchanged"] = feed.last_event_count or 0
        else:
            syncer.run(events)
        now = timezone.now()
        feed.last_attempt_at = feed.last_success_at = now
        feed.last_error = ""
        feed.failing_since = None
        feed.consecutive_failures = 0
        if events is not None:
            feed.last_event_count = len(events)
            feed.etag, feed.last_modified = etag[:200], last_modified[:100]
        feed.review_reason, feed.review_since, feed.review_body = "", None, ""
        feed.last_counts = dict(outcome.counts)
        feed.save()
        if message:
            audit.record(feed, AuditAction.UPDATE, {}, message=message)
        announce_bookings_changed(list(syncer.changed), source=AuditSource.CALENDAR, changes=syncer.changed)
    return outcome


def _json(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _signature(kind: str, booking_id: int | None, incoming: dict) -> str:
    kept = {name: incoming[name] for name in sorted(incoming) if name in BOOKING_DATA_FIELDS}
    return f"{kind}|{booking_id}|{json.dumps(kept, sort_keys=True, default=str)}"


class _Syncer:
    """Matches one feed's events to bookings and writes the differences (a feed holds hundreds of events at
    most, so bookings are saved one by one, each with its audit entry)."""

    def __init__(self, feed: CalendarFeed, outcome: SyncOutcome):
        self.feed = feed
        self.outcome = outcome
        self.counts = outcome.counts
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.source = BookingSource(feed.source)
        self.feed_label = f"{feed.get_source_display()} calendar"
        # What a block is called where a guest's name would be: "Airbnb block".
        self.block_name = f"{feed.get_source_display()} block"
        self.changed: dict[int, dict] = {}
        self.links = {link.booking_id: link for link in CalendarFeedStay.objects.filter(feed=feed)}
        self.open_signatures: set[str] = set()
        self.kept_signatures: set[str] = set()
        earlier = BookingConflict.objects.filter(incoming__calendar_feed=feed.pk).values_list(
            "kind", "booking_id", "state", "resolution", "incoming"
        )
        for kind, booking_id, state, resolution, incoming in earlier:
            signature = _signature(kind, booking_id, incoming)
            if state == ConflictState.OPEN:
                self.open_signatures.add(signature)
            elif resolution == ConflictResolution.KEEP_EXISTING:
                self.kept_signatures.add(signature)

    # --- loading -----------------------------------------------------------------------------------------

    def _load(self, events: list[FeedEvent]) -> None:
        start = min((event.check_in for event in events), default=self.today)
        linked_ids = list(self.links)
        self.bookings: dict[int, Booking] = {
            booking.pk: booking
            for booking in Booking.objects.select_for_update()
            .filter(Q(property_id=self.feed.property_id, check_out__gte=min(start, self.today)) | Q(pk__in=linked_ids))
            .order_by("pk")
        }
        codes = sorted({event.code for event in events if event.code})
        self.by_code = {
            booking.external_code: booking
            for booking in Booking.objects.select_for_update().filter(source=self.source, external_code__in=codes)
        }
        self.bookings.update({booking.pk: booking for booking in self.by_code.values()})
        self.by_uid = {link.uid: link.booking_id for link in self.links.values()}
        self.started = hooks.bookings_with_started_work(list(self.bookings)) if self.bookings else set()

    # --- the run -----------------------------------------------------------------------------------------

    def run(self, events: list[FeedEvent]) -> None:
        self._load(events)
        feed_uids = {event.uid for event in events}
        self.claimed: set[int] = set()
        # Links whose UID this calendar no longer has: an event with new UID overlapping one is that stay.
        self.orphans = [
            self.bookings[link.booking_id]
            for link in self.links.values()
            if link.uid not in feed_uids and link.booking_id in self.bookings
        ]
        # Live events first: a cancellation notice never wins over the event that replaces it.
        ordered = [event for event in events if not event.cancelled] + [event for event in events if event.cancelled]
        for event in ordered:
            if event.check_out < self.today:
                self.counts["unchanged"] += 1  # past stays are never touched
                continue
            booking = self._match(event)
            if booking is None:
                self._create(event)
            elif event.blocked and booking.status != BookingStatus.BLOCKED:
                # A block over a guest stay is the platform closing nights another one sold: never a change,
                # and the stay is not this feed's to keep or lose.
                self.counts["unchanged"] += 1
            else:
                self.claimed.add(booking.pk)
                self._update(event, booking)
        self.count_missing(seen=self.claimed)

    def _live(self, booking: Booking | None) -> Booking | None:
        if booking is None or booking.is_deleted or booking.pk in self.claimed:
            return None
        return booking

    def _match(self, event: FeedEvent) -> Booking | None:
        if event.code:
            booking = self._live(self.by_code.get(event.code))
            if booking is not None:
                return booking
        booking_id = self.by_uid.get(event.uid)
        if booking_id is not None and (booking := self._live(self.bookings.get(booking_id))):
            return booking
        for orphan in self.orphans:
            if (
                self._live(orphan)
                and orphan.status != BookingStatus.CANCELLED
                and (orphan.status == BookingStatus.BLOCKED) == event.blocked
                and orphan.check_in < event.check_out
                and orphan.check_out > event.check_in
            ):
                return orphan
        for booking in self.bookings.values():
            if (
                self._live(booking)
                and booking.property_id == self.feed.property_id
                and booking.status != BookingStatus.CANCELLED
                and (booking.check_in, booking.check_out) == (event.check_in, event.check_out)
            ):
                return booking
        return None

    def _overlapping(self, check_in, check_out, *, ignore: int | None = None) -> Booking | None:
        for booking in self.bookings.values():
            if (
                booking.pk != ignore
                and not booking.is_deleted
                and booking.property_id == self.feed.property_id
                and booking.status not in GUEST_STATUSES_EXCLUDED
                and booking.check_in < check_out
                and booking.check_out > check_in
            ):
                return booking
        return None

    # --- writing -----------------------------------------------------------------------------------------

    def _link(self, booking: Booking, event: FeedEvent) -> None:
        link = self.links.get(booking.pk)
        if link is None:
            link = CalendarFeedStay.objects.create(
                feed=self.feed, booking=booking, uid=event.uid, missing_syncs=0, last_seen_at=self.now
            )
            self.links[booking.pk] = link
            return
        if link.uid != event.uid or link.missing_syncs:
            link.uid, link.missing_syncs, link.last_seen_at = event.uid, 0, self.now
            link.save(update_fields=["uid", "missing_syncs", "last_seen_at"])

    def _conflict(self, kind: str, booking: Booking | None, incoming: dict, message: str, other=None) -> None:
        incoming = {**incoming, "calendar_feed": self.feed.pk}
        self.counts["conflicts"] += 1
        signature = _signature(kind, booking.pk if booking else None, incoming)
        if signature in self.kept_signatures:
            # The manager already chose to keep the booking over exactly this change.
            self.counts["conflicts"] -= 1
            self.counts["unchanged"] += 1
            return
        if signature in self.open_signatures:
            return
        self.open_signatures.add(signature)
        BookingConflict.objects.create(
            kind=kind, booking=booking, other_booking=other, incoming=incoming, message=message[:300]
        )

    def _new_values(self, event: FeedEvent) -> dict:
        return {
            "property_id": self.feed.property_id,
            "source": self.source,
            "external_code": event.code,
            "guest_name": self.block_name if event.blocked else (event.guest_name or GUEST_UNKNOWN[self.feed.source]),
            "adults": 1,
            "children": 0,
            "infants": 0,
            "check_in": event.check_in,
            "check_out": event.check_out,
            "status": BookingStatus.BLOCKED if event.blocked else BookingStatus.CONFIRMED,
            "source_status": event.summary,
            "notes": "",
        }

    def _create(self, event: FeedEvent) -> None:
        if event.cancelled:
            self.counts["unchanged"] += 1  # nothing of ours to cancel
            return
        other = self._overlapping(event.check_in, event.check_out)
        if other is not None:
            if event.blocked:
                # Platforms block the nights another platform sold: the stay is already here.
                self.counts["unchanged"] += 1
                return
            values = self._new_values(event)
            incoming = {name: _json(value) for name, value in values.items()} | {"uid": event.uid}
            self._conflict(
                ConflictKind.OVERLAP,
                None,
                incoming,
                f"The {self.feed_label} has a stay {event.check_in:%d %b} – {event.check_out:%d %b %Y} that "
                f"overlaps {other} on the same property.",
                other=other,
            )
            return
        booking = Booking(**self._new_values(event))
        booking.full_clean(validate_unique=False)
        booking.save()
        audit.record_created(booking, BOOKING_AUDIT_FIELDS, message=f"from the {self.feed_label}")
        self.bookings[booking.pk] = booking
        self.claimed.add(booking.pk)
        self.changed[booking.pk] = {}
        self._link(booking, event)
        self.counts["created"] += 1

    def _update(self, event: FeedEvent, booking: Booking) -> None:
        self._link(booking, event)
        if booking.check_out < self.today or booking.status == BookingStatus.CANCELLED:
            self.counts["unchanged"] += 1
            return
        if event.cancelled:
            self._change(booking, {"status": BookingStatus.CANCELLED}, event, cancelling=True)
            return
        wanted: dict[str, object] = {"check_in": event.check_in, "check_out": event.check_out}
        if event.guest_name:
            wanted["guest_name"] = event.guest_name
        if event.code and not booking.external_code:
            wanted["external_code"] = event.code
        if booking.status == BookingStatus.BLOCKED and not event.blocked:
            wanted.update(status=BookingStatus.CONFIRMED, source_status=event.summary)
            if not event.guest_name and booking.guest_name == self.block_name:
                wanted["guest_name"] = GUEST_UNKNOWN[self.feed.source]
        changes = {name: value for name, value in wanted.items() if getattr(booking, name) != value}
        if not changes:
            self.counts["unchanged"] += 1
            return
        self._change(booking, changes, event)

    def _change(self, booking: Booking, changes: dict, event: FeedEvent, *, cancelling: bool = False) -> None:
        diff = audit.diff(audit.snapshot(booking, changes), changes)
        incoming = {name: _json(value) for name, value in changes.items()}
        incoming |= {"uid": event.uid, "changes": diff}
        moves = cancelling or "check_in" in changes or "check_out" in changes
        if booking.edited_by_hand:
            self._conflict(
                ConflictKind.EDITED_BY_HAND,
                booking,
                incoming,
                f"{booking} was edited by hand; the {self.feed_label} would change " + ", ".join(sorted(diff)) + ".",
            )
            return
        if moves and booking.pk in self.started:
            what = "cancels" if cancelling else "moves"
            self._conflict(
                ConflictKind.STARTED_TASKS,
                booking,
                incoming,
                f"The {self.feed_label} {what} {booking}, whose turnover work has started.",
            )
            return
        if not cancelling and moves and booking.status != BookingStatus.BLOCKED:
            other = self._overlapping(
                changes.get("check_in", booking.check_in),
                changes.get("check_out", booking.check_out),
                ignore=booking.pk,
            )
            if other is not None:
                self._conflict(
                    ConflictKind.OVERLAP,
                    booking,
                    incoming,
                    f"The {self.feed_label} moves {booking} onto nights of {other}.",
                    other=other,
                )
                return
        for name, value in changes.items():
            setattr(booking, name, value)
        booking.full_clean(validate_unique=False)
        booking.save()
        action = AuditAction.CANCEL if cancelling else AuditAction.UPDATE
        audit.record(booking, action, diff, message=f"from the {self.feed_label}")
        self.changed[booking.pk] = diff
        self.counts["cancelled" if cancelling else "updated"] += 1

    def count_missing(self, *, seen: set[int] | None) -> None:
        """Stays of this feed (not yet ended) that a good sync did not carry. `seen` None: the calendar did not
        change since the last good sync (304), so whatever was missing then is missing still."""
        threshold = settings.CALENDAR_MISSING_SYNCS
        links = [
            link
            for link in CalendarFeedStay.objects.filter(feed=self.feed).select_related("booking")
            if (link.booking_id not in seen if seen is not None else link.missing_syncs > 0)
        ]
        for link in links:
            booking = link.booking
            if booking.is_deleted or booking.status == BookingStatus.CANCELLED or booking.check_out <= self.today:
                continue
            link.missing_syncs += 1
            link.save(update_fields=["missing_syncs"])
            if link.missing_syncs < threshold:
                continue
            if booking.status == BookingStatus.BLOCKED:
                # A block the platform lifted: no guest is concerned, so it goes without asking.
                before = booking.status
                booking.status = BookingStatus.CANCELLED
                booking.save(update_fields=["status", "updated_at"])
                diff = {"status": [before, BookingStatus.CANCELLED]}
                audit.record(booking, AuditAction.CANCEL, diff, message=f"block lifted in the {self.feed_label}")
                self.changed[booking.pk] = diff
                self.counts["cancelled"] += 1
                continue
            self._conflict(
                ConflictKind.MISSING_FROM_FEED,
                booking,
                {"check_in": booking.check_in.isoformat(), "check_out": booking.check_out.isoformat()},
                f"{booking}, {booking.check_in:%d %b} – {booking.check_out:%d %b %Y}, is no longer in the "
                f"{self.feed_label} ({link.missing_syncs} syncs in a row): keep it or cancel it.",
            )
