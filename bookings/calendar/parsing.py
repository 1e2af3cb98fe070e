"""Reading a platform's iCal feed into events: what each platform writes, checked before anything is trusted.

Stays are all-day events: DTSTART is the check-in day and DTEND the check-out day (or DURATION from DTSTART).
- Airbnb: "Reserved" is a guest stay with its confirmation code (HM…) after /details/ in DESCRIPTION;
  "Airbnb (Not available)" is a block.
- Vrbo: "Reserved - <Guest name>" is a stay; "Blocked" is a block.
- Booking.com: every event is "CLOSED - Not available"; each is a stay with an unknown guest.
- other: each event is a stay.
"""

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

import icalendar

from bookings.models import FeedSource

AIRBNB_CODE = re.compile(r"/details/([A-Z0-9]{6,20})\b")
VRBO_RESERVED = re.compile(r"^\s*reserved\s*(?:[-–—:]\s*(?P<name>.*\S))?\s*$", re.IGNORECASE)


class NotACalendar(Exception):
    """The body is not a whole, readable iCalendar. `reason` is short and for people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    check_in: datetime.date
    check_out: datetime.date
    blocked: bool
    summary: str  # as the platform wrote it, kept as the booking's source status
    code: str = ""  # the platform's confirmation code when the feed carries one (Airbnb)
    guest_name: str = ""  # "" when the feed does not say
    cancelled: bool = False  # STATUS:CANCELLED


def check_body(body: bytes) -> None:
    """Refuse what is not a whole calendar before parsing: a login page, an empty answer, a cut-off download."""
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise NotACalendar("the link answered with nothing at all, not a calendar")
    head = text[:200].lower()
    if head.startswith(b"<") or b"<html" in head:
        raise NotACalendar("the link answered with a web page, not a calendar (a login page, or a link that expired?)")
    if not text.upper().startswith(b"BEGIN:VCALENDAR"):
        raise NotACalendar("the link did not answer with an iCalendar (it does not start with BEGIN:VCALENDAR)")
    if not text.rstrip().upper().endswith(b"END:VCALENDAR"):
        raise NotACalendar("the calendar is cut off (no END:VCALENDAR): the download was truncated")


def _day(value, zone: zoneinfo.ZoneInfo) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.astimezone(zone).date() if value.tzinfo else value.date()
    return value


def _event(component, source: str, zone: zoneinfo.ZoneInfo) -> FeedEvent:
    uid = str(component.get("UID") or "").strip()
    summary = str(component.get("SUMMARY") or "").strip()
    start = component.get("DTSTART")
    if start is None:
        raise NotACalendar(f"an event ({summary or 'untitled'}) has no start date")
    check_in = _day(start.dt, zone)
    if component.get("DTEND") is not None:
        check_out = _day(component.get("DTEND").dt, zone)
    elif component.get("DURATION") is not None:
        check_out = _day(start.dt + component.get("DURATION").dt, zone)
    else:
        check_out = check_in + datetime.timedelta(days=1)  # RFC 5545: an all-day event without an end is one day
    if check_out <= check_in:
        raise NotACalendar(f"an event ({summary or 'untitled'}, {check_in}) ends before it starts")
    if not uid:
        # A feed without UIDs still has stable stays: the dates stand in for the missing UID.
        uid = f"no-uid:{check_in.isoformat()}:{check_out.isoformat()}"
    cancelled = str(component.get("STATUS") or "").strip().upper() == "CANCELLED"
    common: dict[str, Any] = {
        "uid": uid[:255],
        "check_in": check_in,
        "check_out": check_out,
        "summary": summary[:64],
        "cancelled": cancelled,
    }
    lowered = summary.lower()
    if source == FeedSource.AIRBNB:
        if "not available" in lowered or "blocked" in lowered:
            return FeedEvent(blocked=True, **common)
        match = AIRBNB_CODE.search(str(component.get("DESCRIPTION") or ""))
        return FeedEvent(blocked=False, code=match.group(1) if match else "", **common)
    if source == FeedSource.VRBO:
        reserved = VRBO_RESERVED.match(summary)
        if reserved:
            return FeedEvent(blocked=False, guest_name=(reserved.group("name") or "")[:200], **common)
        if lowered.startswith("blocked") or "not available" in lowered:
            return FeedEvent(blocked=True, **common)
        return FeedEvent(blocked=False, **common)
    # Booking.com closes every booked night the same way ("CLOSED - Not available"): each one is a stay.
    return FeedEvent(blocked=False, **common)


def parse_calendar(body: bytes, *, source: str, time_zone: str) -> list[FeedEvent]:
    """Every VEVENT of the feed, sorted by check-in. Raises NotACalendar for anything not wholly readable."""
    check_body(body)
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise NotACalendar(f"the calendar cannot be read ({str(error)[:80]})") from None
    zone = zoneinfo.ZoneInfo(time_zone)
    events = []
    try:
        for component in calendar.walk("VEVENT"):
            events.append(_event(component, source, zone))
    except (ValueError, TypeError, AttributeError) as error:
        raise NotACalendar(f"an event cannot be read ({str(error)[:80]})") from None
    events.sort(key=lambda event: (event.check_in, event.check_out, event.uid))
    return events
