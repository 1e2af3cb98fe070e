"""The audit trail's text search at 1,000 and 1,000,000 entries, measured side by side in one run.

Each size gets its own database with the same 20 entries matching the searched name, spread over the whole table,
so both searches find the same rows and only the table's size differs. The sizes take turns request by request.
Prints the time of the search (the HTMX results the search box swaps in) and of the unfiltered first page at each
size, and their ratios. Exits 1 when, on PostgreSQL, the search at the larger size takes more than --max-ratio
times the smaller one (default 2). SQLite has no trigram index and searches by scan: its figures are printed,
not judged.

Usage:
  .venv/bin/python benchmarks/bench_audit.py --sizes 1000 100000             # throwaway SQLite files
  .venv/bin/python benchmarks/bench_audit.py --postgres postgres://postgres@127.0.0.1:5432/stayops_bench_audit
The PostgreSQL databases named after the URL are dropped and created again: never point it at real data.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.django_setup import analyze, configure, extra_database  # noqa: E402 - needs the project on sys.path

NEEDLE = "Zuzanna Quist"
MATCHES = 20
SECONDS_APART = 30

# One entry per row of generate_series: a booking's update, its changes naming two properties, a flag, a date.
POSTGRES_FILL = """
INSERT INTO core_auditentry (actor_id, source, content_type_id, object_id, object_repr, action, changes, message,
                             batch_id, request_id, created_at)
SELECT CASE WHEN n %% 3 = 0 THEN NULL ELSE %(actor)s END,
       (ARRAY['web', 'import', 'cli', 'automation'])[1 + n %% 4],
       %(content_type)s,
       n::text,
       CASE WHEN n %% %(stride)s = 0 THEN %(needle)s || ' (HM' || n || ')'
            ELSE 'Guest ' || n || ' (HM' || lpad(n::text, 8, '0') || ')' END,
       (ARRAY['create', 'update', 'cancel'])[1 + n %% 3],
       %(changes)s::jsonb,
       CASE WHEN n %% 5 = 0 THEN 'Imported from bookings-' || (n / 1000) || '.xlsx' ELSE '' END,
       CASE WHEN n %% 2 = 0 THEN n / 1000 ELSE NULL END,
       md5(n::text),
       now() - make_interval(secs => (%(size)s - n) * %(apart)s)
FROM generate_series(1, %(size)s) AS n
"""

SQLITE_FILL = """
WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < %(size)s)
INSERT INTO core_auditentry (actor_id, source, content_type_id, object_id, object_repr, action, changes, message,
                             batch_id, request_id, created_at)
SELECT CASE WHEN n %% 3 = 0 THEN NULL ELSE %(actor)s END,
       CASE n %% 4 WHEN 0 THEN 'web' WHEN 1 THEN 'import' WHEN 2 THEN 'cli' ELSE 'automation' END,
       %(content_type)s,
       CAST(n AS TEXT),
       CASE WHEN n %% %(stride)s = 0 THEN %(needle)s || ' (HM' || n || ')'
            ELSE 'Guest ' || n || ' (HM' || printf('%%08d', n) || ')' END,
       CASE n %% 3 WHEN 0 THEN 'create' WHEN 1 THEN 'update' ELSE 'cancel' END,
       %(changes)s,
       CASE WHEN n %% 5 = 0 THEN 'Imported from bookings-' || (n / 1000) || '.xlsx' ELSE '' END,
       CASE WHEN n %% 2 = 0 THEN n / 1000 ELSE NULL END,
       'req-' || n,
       strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || ((%(size)s - n) * %(apart)s) || ' seconds')
FROM series
"""


def use_database(name: str) -> None:
    """Point the default connection at another of the benchmark's databases (it reconnects on the next query)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def fill(size: int, actor_id: int) -> None:
    """`size` audit entries in one statement; on PostgreSQL the audit indexes are dropped and rebuilt around it,
    as a restore would, which is many times faster than updating them row by row."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from bookings.models import Booking, Property

    first, second = (
        Property.objects.create(name="Beach House", code="BH"),
        Property.objects.create(name="City Loft", code="CL"),
    )
    changes = {
        "property": [first.pk, second.pk],
        "edited_by_hand": [False, True],
        "check_in": ["2026-05-01", "2026-05-03"],
        "status": ["booked", "confirmed"],
    }
    params = {
        "actor": actor_id,
        "content_type": ContentType.objects.get_for_model(Booking).pk,
        "stride": max(size // MATCHES, 1),
        "needle": NEEDLE,
        "changes": json.dumps(changes),
        "size": size,
        "apart": SECONDS_APART,
    }
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(SQLITE_FILL, params)
            return
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'core_auditentry' "
            "AND indexname <> 'core_auditentry_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(POSTGRES_FILL, params)
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def measure(databases: dict, urls: dict, repeat: int) -> dict:
    """Median ms of each URL at each size: {(size, name): ms}. Sizes take turns request by request, each timed
    request after an untimed one on the same database, so the machine's changing load falls on both alike."""
    durations: dict = {(size, name): [] for size in databases for name in urls}
    for _ in range(repeat):
        for size, (database, client) in databases.items():
            for name, (url, headers) in urls.items():
                use_database(database)
                client.get(url, headers=headers)
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                durations[size, name].append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
    return {key: statistics.median(values) * 1000 for key, values in durations.items()}


def search_matches(database: str) -> int:
    from core.filters import AuditFilter
    from core.models import AuditEntry

    use_database(database)
    return AuditFilter({"q": NEEDLE}, queryset=AuditEntry.objects.all()).qs.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[1_000, 1_000_000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    configure(args.postgres)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    databases = {}
    for size in args.sizes:
        database = extra_database(f"audit{size}") if databases else connection.settings_dict["NAME"]
        use_database(database)
        call_command("migrate", verbosity=0)
        manager = get_user_model().objects.create_user("bench-manager", password="x", first_name="Maria")
        manager.groups.add(Group.objects.get(name="manager"))
        started = time.perf_counter()
        fill(size, manager.pk)
        analyze()
        print(f"built {size:,} entries in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(manager)
        databases[size] = (database, client)
    for size, (database, _client) in databases.items():
        found = search_matches(database)
        assert found == MATCHES, f"{found} entries match at {size}, expected {MATCHES}"

    htmx = {"HX-Request": "true"}
    urls = {
        "search": (f"/audit/?q={NEEDLE.replace(' ', '+')}", htmx),
        "first page": ("/audit/", {}),
    }
    medians = measure(databases, urls, args.repeat)
    small, large = args.sizes
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"database: {connection.vendor}; repeat: {args.repeat}; load average: {' '.join(load)}")
    print(f"{'request':<12}{small:>12,}{large:>14,}{'ratio':>8}")
    ratios = {}
    for name in urls:
        ratios[name] = medians[large, name] / medians[small, name]
        print(f"{name:<12}{medians[small, name]:>10.1f}ms{medians[large, name]:>12.1f}ms{ratios[name]:>7.2f}x")
    if connection.vendor != "postgresql":
        print("SQLite searches by scan (no trigram index): not judged.")
        return 0
    if ratios["search"] > args.max_ratio:
        ratio = ratios["search"]
        print(f"FAIL: the search at {large:,} takes {ratio:.2f}x its time at {small:,} (> {args.max_ratio}x)")
        return 1
    print(f"ok: search ratio {ratios['search']:.2f}x <= {args.max_ratio}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
