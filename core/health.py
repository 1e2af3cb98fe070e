"""Health probes in application/health+json (IETF draft "Health Check Response Format for HTTP APIs").

Liveness touches nothing but the process. Readiness checks the database, the cache, pending migrations
and the task queue's table, and remembers its answer for HEALTH_CACHE_SECONDS so that many probes
cost the database one query at most.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

from core.ops_access import ops_only

logger = logging.getLogger(__name__)

PASS, WARN, FAIL = "pass", "warn", "fail"
CONTENT_TYPE = "application/health+json"
_STATUS_ORDER = {PASS: 0, WARN: 1, FAIL: 2}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _result(component_type: str, status: str, started: float, **extra) -> dict:
    return {
        "componentType": component_type,
        "status": status,
        "observedValue": round((time.perf_counter() - started) * 1000, 2),
        "observedUnit": "ms",
        "time": _now(),
        **extra,
    }


def check_database(connection=None) -> dict:
    """`SELECT 1` under a statement timeout; the connect timeout comes from DB_CONNECT_TIMEOUT."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    started = time.perf_counter()
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = %s", [settings.HEALTH_DB_TIMEOUT_MS])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The exception text can hold host names and paths: the body says only what kind of failure.
        logger.warning("health: database check failed: %s", error)
        return _result("datastore", FAIL, started, output=f"database unreachable ({type(error).__name__})")
    return _result("datastore", PASS, started)


def check_cache() -> dict:
    started = time.perf_counter()
    key = f"health:{uuid.uuid4().hex}"
    # The cache is an optimisation: pages work without it, so an outage is a warning, never "take me out of
    # the load balancer" (which would take every app server out at once).
    try:
        cache = caches["default"]
        probe = getattr(cache, "probe", None)
        if probe is not None:
            probe()
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:  # noqa: BLE001 - every cache backend raises its own errors
        logger.warning("health: cache check failed: %s", error)
        return _result("datastore", WARN, started, output=f"cache unreachable ({type(error).__name__})")
    if value != "1":
        return _result("datastore", WARN, started, output="cache did not return the value it was given")
    return _result("datastore", PASS, started)


_migrations_applied = threading.Event()


def check_migrations(connection=None) -> dict:
    """Pending migrations make the pod not ready. Once all are applied this process never re-checks:
    new migrations only arrive with new code, that is, a new process."""
    started = time.perf_counter()
    if _migrations_applied.is_set():
        return _result("component", PASS, started, observedValue=0, observedUnit="pending migrations")
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError as error:
        logger.warning("health: migration check failed: %s", error)
        return _result("component", FAIL, started, output=f"cannot read migrations ({type(error).__name__})")
    if pending:
        return _result(
            "component",
            FAIL,
            started,
            observedValue=pending,
            observedUnit="pending migrations",
            output="run `python manage.py migrate`",
        )
    _migrations_applied.set()
    return _result("component", PASS, started, observedValue=0, observedUnit="pending migrations")


def check_task_queue() -> dict:
    """The database task queue's table answers; a queue nobody has worked for a while is a warning."""
    started = time.perf_counter()
    if settings.TASKS_BACKEND != "database":
        return _result("component", PASS, started, output=f"{settings.TASKS_BACKEND} backend")
    from django_tasks_db.models import DBTaskResult

    try:
        oldest = (
            DBTaskResult.objects.filter(status="READY")
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
    except DatabaseError as error:
        logger.warning("health: task queue check failed: %s", error)
        return _result("component", FAIL, started, output=f"task queue unreadable ({type(error).__name__})")
    if oldest is not None:
        waiting = (datetime.now(UTC) - oldest).total_seconds()
        if waiting > settings.HEALTH_QUEUE_STALE_SECONDS:
            return _result(
                "component", WARN, started, output=f"oldest job waiting {int(waiting)} s: is `db_worker` running?"
            )
    return _result("component", PASS, started)


def check_circuits() -> dict:
    """Hosts whose circuit breaker is open (core.circuit): their calls are skipped until it closes again."""
    from core.circuit import open_circuits

    started = time.perf_counter()
    try:
        hosts = [state.host for state in open_circuits()]
    except Exception as error:  # noqa: BLE001 - every cache backend raises its own errors
        logger.warning("health: circuit check failed: %s", error)
        return _result("component", WARN, started, output=f"circuit state unreadable ({type(error).__name__})")
    if hosts:
        return _result(
            "component",
            WARN,
            started,
            observedValue=len(hosts),
            observedUnit="open circuits",
            output="circuit open for " + ", ".join(hosts),
        )
    return _result("component", PASS, started, observedValue=0, observedUnit="open circuits")


READINESS_CHECKS: dict[str, Callable[[], dict]] = {
    "database:responseTime": check_database,
    "cache:responseTime": check_cache,
    "migrations:pending": check_migrations,
    "tasks:queue": check_task_queue,
}


# Checks that talk to the database run on this one thread, so a database whose packets vanish cannot hold the
# probe's request past HEALTH_DB_TIMEOUT_MS (libpq's timeouts alone can take far longer). One thread: a hung
# check makes later probes fail at once instead of piling up threads, and its database connection persists.
_database_checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")
_CACHE_CHECKS = {"cache:responseTime"}


def _run_database_checks(checks: dict[str, Callable[[], dict]]) -> dict[str, list[dict]]:
    try:
        return {name: [check()] for name, check in checks.items()}
    finally:
        # Close it when it is old or broken, as a request would.
        connections[DEFAULT_DB_ALIAS].close_if_unusable_or_obsolete()


def _checks_within_deadline(checks: dict[str, Callable[[], dict]]) -> dict[str, list[dict]]:
    started = time.perf_counter()
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        # A file on this machine has no network to lose packets on; its busy timeout bounds the wait.
        return {name: [check()] for name, check in checks.items()}
    database_checks = {name: check for name, check in checks.items() if name not in _CACHE_CHECKS}
    future = _database_checks.submit(_run_database_checks, database_checks)
    results = {name: [check()] for name, check in checks.items() if name in _CACHE_CHECKS}
    try:
        results |= future.result(timeout=settings.HEALTH_DB_TIMEOUT_MS / 1000)
    except FutureTimeout:
        future.cancel()
        logger.warning("health: database checks did not finish within %s ms", settings.HEALTH_DB_TIMEOUT_MS)
        output = f"database did not answer within {settings.HEALTH_DB_TIMEOUT_MS} ms"
        for name in database_checks:
            results[name] = [_result("datastore", FAIL, started, output=output)]
    return results


def run_checks(checks: dict[str, Callable[[], dict]]) -> dict:
    results = _checks_within_deadline(checks)
    worst = max(
        (entry[0]["status"] for entry in results.values()),
        key=lambda status: _STATUS_ORDER.get(status, 0),
        default=PASS,
    )
    return {"status": worst, "version": settings.VERSION, "serviceId": "stayops", "checks": results}


class _Memo:
    """Remembers the last readiness answer for a few seconds, shared by the threads of one process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.at = 0.0
        self.body: dict | None = None

    def get(self, compute: Callable[[], dict]) -> dict:
        max_age = settings.HEALTH_CACHE_SECONDS
        with self.lock:
            if self.body is None or time.monotonic() - self.at >= max_age:
                self.body = compute()
                self.at = time.monotonic()
            return self.body

    def clear(self) -> None:
        with self.lock:
            self.body = None


readiness_memo = _Memo()


def _respond(body: dict) -> JsonResponse:
    response = JsonResponse(body, status=503 if body["status"] == FAIL else 200, content_type=CONTENT_TYPE)
    response["Cache-Control"] = f"max-age={settings.HEALTH_CACHE_SECONDS}"
    return response


def liveness(request: HttpRequest) -> JsonResponse:
    return _respond({"status": PASS, "version": settings.VERSION, "serviceId": "stayops"})


def readiness(request: HttpRequest) -> JsonResponse:
    return _respond(readiness_memo.get(lambda: run_checks(READINESS_CHECKS)))


@ops_only
def detailed(request: HttpRequest) -> JsonResponse:
    """Every check with its duration: for operators only (core.ops_access), a 404 to anyone else."""
    started = time.perf_counter()
    # Open circuits are a warning for operators, not a reason to take the pod out of the load balancer.
    body = run_checks({**READINESS_CHECKS, "circuits:open": check_circuits})
    body["checks"]["uptime"] = [
        {
            "componentType": "system",
            "observedValue": round(time.time() - _STARTED_AT),
            "observedUnit": "s",
            "status": PASS,
            "time": _now(),
        }
    ]
    body["description"] = f"all checks in {round((time.perf_counter() - started) * 1000, 2)} ms"
    response = _respond(body)
    response["Cache-Control"] = "no-store"
    return response


_STARTED_AT = time.time()

PROBES = {
    "/health/": liveness,
    "/health/live/": liveness,
    "/health/ready/": readiness,
    "/readiness/": readiness,
    "/health/detailed/": detailed,
}
