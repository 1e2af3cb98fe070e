"""`manage.py sync_calendars [--feed ID] [--property CODE]`: sync calendar feeds now, one line per feed.

Exit status: 0 every feed synced, 3 some failed or need review, 1 nothing could run (no such feed or property,
no active feed, or every feed skipped). Meant for cron when no `db_worker` runs (docs/operations.md).
"""

import sys

from django.core.management.base import BaseCommand

from bookings.calendar.sync import FAILED, OK, REVIEW, calendar_feed_sync
from bookings.models import CalendarFeed, Property

EXIT_OK = 0
EXIT_NOTHING_RAN = 1
EXIT_SOME_FAILED = 3


class Command(BaseCommand):
    help = "Sync calendar feeds now. Exit status: 0 all synced, 3 some failed or need review, 1 nothing could run."

    def add_arguments(self, parser):
        parser.add_argument("--feed", type=int, help="Only this feed (by id).")
        parser.add_argument("--property", dest="property_code", help="Only the feeds of this property (its code).")

    def handle(self, *args, feed, property_code, **options):
        feeds = CalendarFeed.objects.filter(property__deleted_at__isnull=True).order_by("pk")
        feeds = feeds.filter(pk=feed) if feed is not None else feeds.filter(active=True)
        if property_code:
            prop = Property.objects.filter(code__iexact=property_code.strip()).first()
            if prop is None:
                self.stderr.write(f"No property with the code {property_code}.")
                sys.exit(EXIT_NOTHING_RAN)
            feeds = feeds.filter(property=prop)
        feed_ids = list(feeds.values_list("pk", flat=True))
        if not feed_ids:
            self.stderr.write("No calendar feed to sync." if feed is None else f"No calendar feed with id {feed}.")
            sys.exit(EXIT_NOTHING_RAN)
        statuses = []
        for feed_id in feed_ids:
            outcome = calendar_feed_sync(feed_id=feed_id)
            statuses.append(outcome.status)
            self.stdout.write(outcome.line())
        if all(status == OK for status in statuses):
            sys.exit(EXIT_OK)
        if any(status in (OK, FAILED, REVIEW) for status in statuses):
            sys.exit(EXIT_SOME_FAILED)
        sys.exit(EXIT_NOTHING_RAN)
