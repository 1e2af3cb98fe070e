"""Server time and queries of the import, conflicts and audit pages, each at a small and a big data size.

Usage:
  .venv/bin/python benchmarks/bench_import_pages.py [--big 10000] [--audit 100000] [--repeat 5]   # throwaway SQLite
  .venv/bin/python benchmarks/bench_import_pages.py --postgres postgres://postgres@127.0.0.1:5432/stayops_importui_bench
The PostgreSQL database named in the URL is dropped and created again: never point it at real data.
Times are medians of --repeat requests through Django's test client (no network), after one warm-up request.

Pages and sizes (small, big):
  /audit/                     audit entries        1,000 and --audit   (full page, and an HTMX text search)
  /bookings/import/           import batches       60 and --big / 5
  /bookings/import/<pk>/      rows in one batch    100 and --big       (full page, and an HTMX action filter)
  /bookings/conflicts/        conflicts            60 and --big / 10
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.django_setup import configure  # noqa: E402 - needs the project on sys.path

BULK = 5000
HTMX = {"HX-Request": "true"}


def reset() -> None:
    from bookings.models import Booking, BookingConflict, ImportBatch, ImportRow
    from core.models import AuditEntry

    BookingConflict.objects.all().delete()
    ImportRow.objects.all().delete()
    Booking.all_objects.all().delete()
    ImportBatch.objects.all().delete()
    # Audit entries refuse deletion one by one (append-only); the benchmark clears its own throwaway table.
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)


def build_audit(count: int, manager, prop) -> None:
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditEntry

    content_type = ContentType.objects.get_for_model(prop)
    sources, actions = ["web", "import", "cli", "automation"], ["create", "update", "cancel", "delete"]
    for start in range(0, count, BULK):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor=manager if number % 3 else None,
                source=sources[number % 4],
                content_type=content_type,
                object_id=str(prop.pk),
                object_repr=f"Guest {number} (HM{number:07d})",
                action=actions[number % 4],
                changes={"guest_name": [f"Guest {number - 1}", f"Guest {number}"], "adults": [1, 2]},
                batch_id=number % 50 or None,
                request_id=f"req{number}",
            )
            for number in range(start, min(start + BULK, count))
        )


def build_batches(count: int, manager) -> None:
    from bookings.models import ImportBatch, ImportState

    counts = {"created": 10, "updated": 2, "unchanged": 30, "cancelled": 1, "conflicts": 1, "errors": 3}
    applied = ImportState.APPLIED
    ImportBatch.objects.bulk_create(
        ImportBatch(created_by=manager, file_name=f"export-{n}.xlsx", sha256=f"{n:064d}", counts=counts, state=applied)
        for n in range(count)
    )


def build_batch_rows(count: int, manager, prop):
    from bookings.models import ImportBatch, ImportRow

    batch = ImportBatch.objects.create(
        created_by=manager, file_name="big.xlsx", sha256="f" * 64, source_format="airbnb"
    )
    actions = ["create", "update", "unchanged", "error"]
    day = datetime.date(2026, 1, 1)
    for start in range(0, count, BULK):
        rows = []
        for number in range(start, min(start + BULK, count)):
            action = actions[number % 4]
            check_in = day + datetime.timedelta(days=number % 300)
            stay = {"check_in": check_in.isoformat(), "check_out": (check_in + datetime.timedelta(days=3)).isoformat()}
            rows.append(
                ImportRow(
                    batch=batch,
                    row_number=number + 2,
                    action=action,
                    external_code=f"HM{number:07d}",
                    data={} if action == "error" else {"property_id": prop.pk, "guest_name": f"Guest {number}", **stay},
                    raw={"Guest name": f"Guest {number}", "Listing": "Nowhere"},
                    diff={"adults": [1, 2], "check_out": ["2026-03-16", "2026-03-17"]} if action == "update" else {},
                    errors=[{"column": "Listing", "value": "Nowhere", "reason": "matches no property"}]
                    if action == "error"
                    else [],
                )
            )
        ImportRow.objects.bulk_create(rows)
    return batch


def build_conflicts(count: int, prop) -> None:
    from bookings.models import Booking, BookingConflict

    day = datetime.date(2026, 1, 1)
    bookings = Booking.objects.bulk_create(
        Booking(
            property=prop,
            source="airbnb",
            external_code=f"HMC{number:07d}",
            guest_name=f"Existing {number}",
            check_in=day + datetime.timedelta(days=number),
            check_out=day + datetime.timedelta(days=number + 3),
        )
        for number in range(count)
    )
    BookingConflict.objects.bulk_create(
        BookingConflict(
            kind="overlap" if number % 2 else "edited_by_hand",
            booking=None if number % 2 else booking,
            other_booking=booking if number % 2 else None,
            incoming=incoming(number, booking),
            message=f"Conflict {number}",
            state="resolved" if number % 5 == 0 else "open",
        )
        for number, booking in enumerate(bookings)
    )


def incoming(number: int, booking) -> dict:
    """An incoming row as the engine records it (bookings.services.conflicts documents the shape)."""
    return {
        "property_id": booking.property_id,
        "guest_name": f"Incoming {number}",
        "external_code": f"HMN{number:07d}",
        "source": "airbnb",
        "check_in": booking.check_in.isoformat(),
        "check_out": booking.check_out.isoformat(),
        "status": "confirmed",
        "adults": 2,
        "amount": "450.00",
        "currency": "EUR",
        "row_number": number + 2,
    }


# --- measuring -----------------------------------------------------------------------------------------


def timed_get(client, url: str, repeat: int, headers=None) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)  # warm-up: templates compiled
    durations = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            durations.append(time.perf_counter() - started)
    assert response.status_code == 200, (url, response.status_code)
    return statistics.median(durations) * 1000, len(queries), len(response.content)


def measure(client, sizes: dict[str, int], manager, prop, repeat: int) -> dict[str, tuple]:
    reset()
    build_audit(sizes["audit"], manager, prop)
    build_batches(sizes["batches"], manager)
    batch = build_batch_rows(sizes["rows"], manager, prop)
    build_conflicts(sizes["conflicts"], prop)
    detail = f"/bookings/import/{batch.pk}/"
    return {
        "/audit/": timed_get(client, "/audit/", repeat),
        "/audit/?q= (htmx)": timed_get(client, "/audit/?q=Guest+4&source=web", repeat, HTMX),
        "/bookings/import/": timed_get(client, "/bookings/import/", repeat),
        "/bookings/import/<pk>/": timed_get(client, detail, repeat),
        "…?action=error (htmx)": timed_get(client, f"{detail}?action=error&page=3", repeat, HTMX),
        "/bookings/conflicts/": timed_get(client, "/bookings/conflicts/", repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=int, default=10_000, help="rows in the big batch")
    parser.add_argument("--audit", type=int, default=100_000, help="audit entries at the big size")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    configure(args.postgres)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bookings.models import Property

    call_command("migrate", verbosity=0)
    manager = get_user_model().objects.create_user("bench-manager", password="x", first_name="Bench")
    manager.groups.add(Group.objects.get(name="manager"))
    prop = Property.objects.create(name="Bench House", code="BENCH")
    client = Client()
    client.force_login(manager)
    print(f"database: {connection.vendor}; repeat: {args.repeat}")

    # Small sizes still fill a page (50 rows), so both sizes render the same amount of HTML.
    small = {"audit": 1_000, "batches": 60, "rows": 100, "conflicts": 60}
    big = {"audit": args.audit, "batches": args.big // 5, "rows": args.big, "conflicts": args.big // 10}
    results = {"small": measure(client, small, manager, prop, args.repeat)}
    results["big"] = measure(client, big, manager, prop, args.repeat)

    data_for = {
        "/audit/": "audit",
        "/audit/?q= (htmx)": "audit",
        "/bookings/import/": "batches",
        "/bookings/import/<pk>/": "rows",
        "…?action=error (htmx)": "rows",
        "/bookings/conflicts/": "conflicts",
    }
    print(f"\n{'page':<26}{'rows':>9}{'ms':>9}{'queries':>9}{'KB':>7}   {'rows':>9}{'ms':>9}{'queries':>9}{'KB':>7}")
    for page, kind in data_for.items():
        line = f"{page:<26}"
        for size, sizes in (("small", small), ("big", big)):
            ms, queries, length = results[size][page]
            line += f"{sizes[kind]:>9,}{ms:>9.1f}{queries:>9}{length / 1024:>7.0f}   "
        ratio = results["big"][page][0] / results["small"][page][0]
        same = "same queries" if results["big"][page][1] == results["small"][page][1] else "QUERIES DIFFER"
        print(f"{line}{ratio:>5.2f}x, {same}")


if __name__ == "__main__":
    main()
