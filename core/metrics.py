"""Prometheus metrics: the per-process ones (requests, database, cache: django-prometheus) and figures read from
the database at scrape time (jobs, queue; apps add their own), which every app server reports alike.

Figures kept in the database are read at scrape time rather than counted in memory because workers run on
other machines than the app servers: only the database sees every job. Apps register a provider with
`register_provider(fn)`; each provider yields metric families (prometheus_client's `*MetricFamily`).
"""

import logging
import os
from collections.abc import Callable, Iterable, Iterator

from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

Provider = Callable[[], Iterable[Metric]]
_providers: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    """Add a function that yields metric families read from the database at each scrape."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def job_metrics() -> Iterator[Metric]:
    """Jobs by name and state, the queue's depth and its oldest waiting job (django-tasks' database queue)."""
    from django_tasks_db.models import DBTaskResult

    jobs = GaugeMetricFamily(
        "stayops_jobs", "Background jobs in the queue's table, by job and state.", labels=["job", "state"]
    )
    for row in DBTaskResult.objects.values("task_path", "status").annotate(count=Count("id")).order_by():
        jobs.add_metric([row["task_path"], row["status"].lower()], row["count"])
    yield jobs

    waiting = DBTaskResult.objects.filter(status="READY").aggregate(count=Count("id"), oldest=Min("enqueued_at"))
    yield GaugeMetricFamily("stayops_job_queue_depth", "Jobs waiting for a worker.", value=waiting["count"])
    oldest_age = (timezone.now() - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0
    yield GaugeMetricFamily(
        "stayops_job_queue_oldest_seconds", "How long the oldest waiting job has waited.", value=oldest_age
    )


register_provider(job_metrics)


class DatabaseFiguresCollector(Collector):
    """Runs every registered provider; a provider that fails is logged and skipped, never fails the scrape."""

    def collect(self) -> Iterator[Metric]:
        for provider in list(_providers):
            try:
                yield from provider()
            except DatabaseError:
                logger.warning("metrics: %s could not read the database", provider.__name__, exc_info=True)


class _ThisProcess(Collector):
    """The process's own registry (one process: `make dev`, tests)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def metrics_registry() -> CollectorRegistry:
    """This scrape's registry: every gunicorn worker's own metrics (multiprocess mode) and the database figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseFiguresCollector())
    return registry


def metrics_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
