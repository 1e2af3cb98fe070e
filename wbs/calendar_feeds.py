"""RFC 5545 calendar feeds: a cleaner's tasks and a property's bookings, each behind a long, revocable token."""

import datetime

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.models import Booking, BookingStatus, Property, new_feed_token
from core import audit
from core.models import AuditAction
from core.preferences import user_language
from wbs.models import CalendarToken, Task, TaskStatus

PRODUCT_ID = "-//StayOps//Turnovers//EN"


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _uid(kind: str, pk: int) -> str:
    # Stable across host names, so a subscribed calendar never sees the same event twice.
    return f"{kind}-{pk}@stayops"


def cleaner_calendar(user) -> bytes:
    """The user's tasks from a month ago to half a year ahead; cancelled ones stay, marked cancelled,
    so a phone removes them instead of keeping a stale event. Written in the user's saved language: the
    phone's calendar app fetches the feed without a session and rarely sends a useful Accept-Language."""
    with translation.override(user_language(user) or translation.get_language()):
        return _cleaner_calendar(user)


def _cleaner_calendar(user) -> bytes:
    today = timezone.localdate()
    tasks = (
        Task.objects.filter(
            assignee=user,
            due_date__range=(
                today - datetime.timedelta(days=settings.CALENDAR_FEED_PAST_DAYS),
                today + datetime.timedelta(days=settings.CALENDAR_FEED_FUTURE_DAYS),
            ),
        )
        .select_related("property")
        .order_by("due_date", "pk")
    )
    calendar = _calendar(_("StayOps tasks: %(name)s") % {"name": user.get_full_name() or user.get_username()})
    stamp = timezone.now()
    for task in tasks:
        event = icalendar.Event()
        event.add("uid", _uid("task", task.pk))
        event.add("dtstamp", stamp)
        event.add("last-modified", task.updated_at)
        if task.due_at is not None:
            hours = float(task.estimate_hours or 1)
            event.add("dtstart", task.due_at - datetime.timedelta(hours=hours))
            event.add("dtend", task.due_at)
        else:
            event.add("dtstart", task.start_date or task.due_date)
            event.add("dtend", (task.due_date or task.start_date) + datetime.timedelta(days=1))
        summary = _("SAME-DAY · %(title)s") % {"title": task.title} if task.same_day else task.title
        event.add("summary", summary)
        if task.property_id:
            event.add("location", ", ".join(part for part in [task.property.name, task.property.address] if part))
        event.add("status", "CANCELLED" if task.status == TaskStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def property_calendar(prop: Property) -> bytes:
    """Occupancy only: stays as all-day events, without guests' names or contacts (the feed URL may be shared)."""
    today = timezone.localdate()
    bookings = (
        Booking.objects.filter(
            property=prop, check_out__gte=today - datetime.timedelta(days=settings.CALENDAR_FEED_PAST_DAYS)
        )
        .exclude(status=BookingStatus.CANCELLED)
        .order_by("check_in", "pk")
    )
    calendar = _calendar(f"StayOps: {prop.name}")
    stamp = timezone.now()
    for booking in bookings:
        event = icalendar.Event()
        event.add("uid", _uid("booking", booking.pk))
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.check_in)
        event.add("dtend", booking.check_out)
        label = _("Owner staying") if booking.status == BookingStatus.OWNER_STAYING else _("Booked")
        guests = ngettext("%(count)s guest", "%(count)s guests", booking.guests()) % {"count": booking.guests()}
        event.add("summary", f"{label} · {guests}")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_token_for(user) -> CalendarToken | None:
    return CalendarToken.objects.live().filter(user=user).first()


def calendar_token_rotate(*, user) -> CalendarToken:
    """Revoke the user's current feed URL (it answers 404 from now on) and issue a new one."""
    with transaction.atomic():
        now = timezone.now()
        for old in CalendarToken.objects.live().select_for_update().filter(user=user):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit.record(old, AuditAction.UPDATE, {"revoked_at": [None, now]}, message="Calendar link revoked")
        token = CalendarToken.objects.create(user=user)
        audit.record(token, AuditAction.CREATE, {}, message="Calendar link created")
    return token


def property_feed_token_rotate(*, prop: Property) -> str:
    """A new feed URL for the property; the old one answers 404 from now on."""
    with transaction.atomic():
        prop.feed_token = new_feed_token()
        prop.save(update_fields=["feed_token", "updated_at"])
        audit.record(prop, AuditAction.UPDATE, {"feed_token": ["(revoked)", "(new)"]}, message="Feed revoked")
    return prop.feed_token
