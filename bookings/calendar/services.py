"""Writes to calendar feeds from the pages: add, edit, pause or resume, each audited with the URL masked."""

from django.core.exceptions import ValidationError
from django.db import transaction

from bookings.calendar.fetch import FetchFailed, validate_feed_url
from bookings.models import CalendarFeed, Property
from core import audit
from core.audit_context import acting_user, audit_context
from core.models import AuditAction

# The URL is a secret: the audit trail records its masked form only.
AUDITED_FIELDS = ("property_id", "source", "active")


def _check_url(url: str) -> str:
    url = url.strip()
    try:
        validate_feed_url(url)
    except FetchFailed as refused:
        raise ValidationError({"url": f"This link cannot be used: {refused.reason}."}) from None
    return url


@acting_user
def calendar_feed_create(*, property: Property, url: str, source: str, user) -> CalendarFeed:
    feed = CalendarFeed(property=property, url=_check_url(url), source=source)
    feed.full_clean()
    with transaction.atomic(), audit_context(actor=user):
        feed.save()
        changes = {name: [None, value] for name, value in audit.snapshot(feed, AUDITED_FIELDS).items()}
        changes["url"] = [None, feed.masked_url()]
        audit.record(feed, AuditAction.CREATE, changes)
    return feed


@acting_user
def calendar_feed_update(*, feed: CalendarFeed, user, url: str = "", **fields) -> dict:
    """Change source or active, and the URL when a new one is given (blank keeps the current link)."""
    before = audit.snapshot(feed, AUDITED_FIELDS)
    old_masked = feed.masked_url()
    for name, value in fields.items():
        setattr(feed, name, value)
    new_url = _check_url(url) if url.strip() else ""
    changes = audit.diff(before, audit.snapshot(feed, AUDITED_FIELDS))
    if new_url and new_url != feed.url:
        feed.url = new_url
        # A new link is a new calendar: the conditional-request markers belong to the old one.
        feed.etag = feed.last_modified = ""
        changes["url"] = [old_masked, feed.masked_url() + " (new link)"]
    if not changes:
        return {}
    feed.full_clean()
    with transaction.atomic(), audit_context(actor=user):
        feed.save()
        audit.record(feed, AuditAction.UPDATE, changes)
    return changes


@acting_user
def calendar_feed_set_active(*, feed: CalendarFeed, active: bool, user) -> dict:
    return calendar_feed_update(feed=feed, user=user, active=active)
