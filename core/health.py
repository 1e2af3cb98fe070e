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
    try:
        cache = caches["default"]
        cache.set(key, "1", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:  # noqa: BLE001 - every cache backend raises its own errors
        logger.warning("health: cache check failed: %s", error)
        return _result("datastore", FAIL, started, output=f"cache unreachable ({type(error).__name__})")
    if value != "1":
        return _result("datastore", FAIL, started, output="cache did not return the value it was given")
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


READINESS_CHECKS: dict[str, Callable[[], dict]] = {
    "database:responseTime": check_database,
    "cache:responseTime": check_cache,
    "migrations:pending": check_migrations,
    "tasks:queue": check_task_queue,
}


def run_checks(checks: dict[str, Callable[[], dict]]) -> dict:
    results = {name: [check()] for name, check in checks.items()}
    worst = max((entry[0]["status"] for entry in results.values()), key=_STATUS_ORDER.get, default=PASS)
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
    body = run_checks(READINESS_CHECKS)
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
