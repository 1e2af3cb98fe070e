"""Server time and query count of /bookings/ and /bookings/timeline/ at 100 and 10,000 bookings.

Run: .venv/bin/python benchmarks/bench_booking_pages.py [--sizes 100 10000] [--repeat 7]
It creates a throwaway test database (SQLite by default; PostgreSQL when DATABASE_URL is set), fills it in
bulk, and requests each page through Django's test client, so the figures are the server's own time
(middleware, views, queries, templates), without a network or a browser.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("STATIC_NO_MANIFEST", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The test client's host. No setup_test_environment(): it instruments every template render so that tests can
# inspect contexts, which would add its own cost to the figures.
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bookings.models import Booking, Property  # noqa: E402
from core.roles import MANAGER  # noqa: E402

PROPERTIES = 40
STATUSES = ["confirmed", "confirmed", "booked", "completed", "cancelled", "currently_hosting"]
SOURCES = ["airbnb", "airbnb", "bookingcom", "direct", "vrbo"]


def fill(count: int) -> None:
    """`count` stays spread over PROPERTIES properties, back to back, centred on today."""
    Booking.all_objects.all().delete()
    Property.all_objects.all().delete()
    props = Property.objects.bulk_create(
        Property(name=f"Property {n:03}", code=f"P{n:03}", aliases=[f"Listing {n}"]) for n in range(PROPERTIES)
    )
    per_property = -(-count // PROPERTIES)
    first = timezone.localdate() - datetime.timedelta(days=per_property * 3 // 2)
    Booking.objects.bulk_create(
        (
            Booking(
                property=props[n % PROPERTIES],
                guest_name=f"Guest {n}",
                source=SOURCES[n % len(SOURCES)],
                external_code=f"CODE{n:06}",
                check_in=first + datetime.timedelta(days=(n // PROPERTIES) * 3),
                check_out=first + datetime.timedelta(days=(n // PROPERTIES) * 3 + 2 + n % 2),
                status=STATUSES[n % len(STATUSES)],
                amount=100 + n % 400,
                currency="EUR",
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def measure(client: Client, url: str, repeat: int, headers: dict | None = None) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds over `repeat` requests after one warm-up, and one request's query count.

    CPU time is the steadier figure on a shared machine; wall time includes waiting for the database and the CPU.
    """
    client.get(url, headers=headers or {})
    executed = []

    # Counted at the cursor: Django clears its own query log when a request starts.
    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url, headers=headers or {})
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), len(executed)


PAGES = [
    ("/bookings/", "/bookings/", None),
    ("/bookings/ filtered+sorted", "/bookings/?q=guest&status=confirmed&sort=-check_in&page=3", None),
    ("/bookings/ HTMX swap", "/bookings/?source=airbnb&page=2", {"HX-Request": "true"}),
    ("/bookings/timeline/ (14 days)", "/bookings/timeline/", None),
    ("/bookings/timeline/ (62 days)", "/bookings/timeline/?days=62", None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        manager = User.objects.create_user("bench-manager", password="unused")
        manager.groups.add(Group.objects.get(name=MANAGER))
        client = Client()
        client.force_login(manager)
        print(f"database: {connection.vendor}; {PROPERTIES} properties; median of {args.repeat} requests")
        print(f"{'page':32} {'bookings':>9} {'wall ms':>8} {'cpu ms':>8} {'queries':>8}")
        for size in args.sizes:
            fill(size)
            for label, url, headers in PAGES:
                wall_ms, cpu_ms, query_count = measure(client, url, args.repeat, headers)
                print(f"{label:32} {size:>9,} {wall_ms:>8.1f} {cpu_ms:>8.1f} {query_count:>8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
