"""Bookings' Prometheus figures: import rows by outcome and calendar feeds by state (from the database, so
every app server reports them alike), and calendar syncs by outcome (counted where they run)."""

from collections import Counter as Tally
from collections.abc import Iterator

from django.db.models import Count, Q
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily, Metric

calendar_syncs_total = Counter(
    "stayops_calendar_syncs_total", "Calendar feed syncs by outcome (ok, failed, review, skipped).", ["status"]
)


def booking_metrics() -> Iterator[Metric]:
    from bookings.models import CalendarFeed, ImportBatch, ImportState

    rows: Tally[str] = Tally()
    for counts in ImportBatch.objects.filter(state=ImportState.APPLIED).values_list("counts", flat=True):
        rows.update({outcome: number for outcome, number in (counts or {}).items() if isinstance(number, int)})
    imported = GaugeMetricFamily(
        "stayops_import_rows", "Rows of applied imports, by what happened to them.", labels=["outcome"]
    )
    for outcome, number in sorted(rows.items()):
        imported.add_metric([outcome], number)
    yield imported

    # The same rules as CalendarFeed.state(), as one aggregate.
    active = Q(active=True)
    in_review = active & ~Q(review_reason="")
    failing = active & Q(review_reason="", failing_since__isnull=False)
    healthy = active & Q(review_reason="", failing_since__isnull=True)
    feeds = CalendarFeed.objects.aggregate(
        paused=Count("id", filter=Q(active=False)),
        review=Count("id", filter=in_review),
        failing=Count("id", filter=failing),
        ok=Count("id", filter=healthy & Q(last_success_at__isnull=False)),
        new=Count("id", filter=healthy & Q(last_success_at__isnull=True)),
    )
    by_state = GaugeMetricFamily("stayops_calendar_feeds", "Calendar feeds by state.", labels=["state"])
    for state, number in feeds.items():
        by_state.add_metric([state], number)
    yield by_state
