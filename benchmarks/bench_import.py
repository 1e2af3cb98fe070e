"""Import speed: a 10,000-row Airbnb .xlsx into 10,000 existing bookings, against openpyxl and django-import-export.

Prints, for the same file in the same run: openpyxl read-only iteration time; the whole StayOps import (upload
checks, parse, plan, write, audit); an unchanged re-import; each as a ratio to the openpyxl time, with the
queries each ran; then django-import-export importing the same file, first time and unchanged. With --memory it
also imports a 100,000-row file from disk in a child process and prints that process's peak resident memory.

Usage:
  .venv/bin/python benchmarks/bench_import.py [--rows 10000] [--memory]          # a throwaway SQLite file
  .venv/bin/python benchmarks/bench_import.py --memory-only [--memory-rows 100000] [--postgres URL]
  .venv/bin/python benchmarks/bench_import.py --postgres postgres://postgres@127.0.0.1:5432/stayops_imports_bench
The PostgreSQL database named in the URL is dropped and created again: never point it at real data.
"""

import argparse
import datetime
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.django_setup import fresh_database_environment  # noqa: E402 - needs the project on sys.path

PROPERTIES = 50
HEADERS = [
    "Confirmation code",
    "Status",
    "Guest name",
    "Contact",
    "# of adults",
    "# of children",
    "# of infants",
    "Start date",
    "End date",
    "# of nights",
    "Booked",
    "Listing",
    "Earnings",
]


def configure(postgres_url: str | None) -> None:
    fresh_database_environment(postgres_url)
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def stay(slot: int) -> tuple[datetime.date, datetime.date]:
    """Slot n of a property: two nights, back to back with the next slot (a same-day turnover each time)."""
    start = datetime.date(2024, 1, 1) + datetime.timedelta(days=2 * slot)
    return start, start + datetime.timedelta(days=2)


def build_database(existing: int, *, cleaning_template: bool = True) -> None:
    """Properties and `existing` bookings on the even slots; the file fills the odd slots (no overlaps)."""
    from bookings.models import Booking, Property

    Property.objects.bulk_create(
        Property(name=f"Bench flat {n}", code=f"BF{n}", aliases=[f"Bench Flat {n} by the sea"])
        for n in range(PROPERTIES)
    )
    properties = list(Property.objects.order_by("pk"))
    bookings = []
    for index in range(existing):
        check_in, check_out = stay(2 * (index // PROPERTIES))
        bookings.append(
            Booking(
                property=properties[index % PROPERTIES],
                source="airbnb",
                external_code=f"HMOLD{index:07d}",
                guest_name=f"Earlier guest {index}",
                check_in=check_in,
                check_out=check_out,
                status="completed",
                source_status="Past guest",
                amount=Decimal("300.00"),
                currency="USD",
            )
        )
    Booking.objects.bulk_create(bookings, batch_size=2000)
    if cleaning_template:
        add_cleaning_template()


def add_cleaning_template() -> None:
    """A deployment has at least a cleaning template: every new booking then gets its turnover task, with a
    checklist and an audit entry, inside the import's transaction (wbs's bookings_changed receiver)."""
    from wbs.models import TaskTemplate

    TaskTemplate.objects.create(
        title_pattern="Turnover clean {property}",
        checklist=[{"text": step} for step in ("Strip beds", "Bathroom", "Kitchen", "Floors", "Restock")],
    )


def build_file(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Reservations")
    sheet.append(HEADERS)
    statuses = ["Confirmed", "Past guest", "Arriving soon", "Pending", "Canceled by guest"]
    for index in range(rows):
        check_in, check_out = stay(2 * (index // PROPERTIES) + 1)
        sheet.append(
            [
                f"HM{index:08d}",
                statuses[index % len(statuses)],
                f"Guest number {index}",
                f"+351 91{index:07d}",
                2,
                index % 3,
                0,
                check_in.strftime("%m/%d/%Y"),
                check_out.strftime("%m/%d/%Y"),
                2,
                (check_in - datetime.timedelta(days=30)).strftime("%m/%d/%Y"),
                f"Bench Flat {index % PROPERTIES} by the sea",
                f"${300 + index % 700:,}.00",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(function):
    from django.db import connection

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = function()
    return time.perf_counter() - started, counter.count, result


def openpyxl_iterate(content: bytes) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


class ReceiverClock:
    """Time spent in bookings_changed receivers (wbs syncing turnover tasks), reported apart from the import."""

    def __init__(self):
        self.seconds = 0.0

    def install(self):
        from bookings.importing import service

        original = service.announce_bookings_changed

        def timed_announce(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        service.announce_bookings_changed = timed_announce

    def take(self) -> float:
        seconds, self.seconds = self.seconds, 0.0
        return seconds


RECEIVERS = ReceiverClock()


def stayops_import(content: bytes, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bookings.importing import import_batch_apply, import_batch_create, import_batch_preview

    batch = import_batch_create(file=SimpleUploadedFile("bench.xlsx", content), file_name="bench.xlsx", user=user)
    batch = import_batch_preview(batch=batch)
    return import_batch_apply(batch=batch, user=user)


def import_export_resource():
    """What a Django team would write with django-import-export for the Airbnb export."""
    from import_export import fields, resources, widgets

    from bookings.models import Booking, Property
    from bookings.status_mapping import load_status_mapper

    properties = {alias.casefold(): prop for prop in Property.objects.all() for alias in [prop.name, *prop.aliases]}
    statuses = load_status_mapper()

    class PropertyWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return properties[str(value).casefold()]

    class StatusWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return statuses.map(value, "airbnb")

    class MoneyWidget(widgets.DecimalWidget):
        def clean(self, value, row=None, **kwargs):
            return Decimal(str(value).replace("$", "").replace(",", ""))

    date = widgets.DateWidget(format="%m/%d/%Y")

    class BookingResource(resources.ModelResource):
        external_code = fields.Field(attribute="external_code", column_name="Confirmation code")
        status = fields.Field(attribute="status", column_name="Status", widget=StatusWidget())
        source_status = fields.Field(attribute="source_status", column_name="Status")
        guest_name = fields.Field(attribute="guest_name", column_name="Guest name")
        guest_contact = fields.Field(attribute="guest_contact", column_name="Contact")
        adults = fields.Field(attribute="adults", column_name="# of adults", widget=widgets.IntegerWidget())
        children = fields.Field(attribute="children", column_name="# of children", widget=widgets.IntegerWidget())
        infants = fields.Field(attribute="infants", column_name="# of infants", widget=widgets.IntegerWidget())
        check_in = fields.Field(attribute="check_in", column_name="Start date", widget=date)
        check_out = fields.Field(attribute="check_out", column_name="End date", widget=date)
        booked_on = fields.Field(attribute="booked_on", column_name="Booked", widget=date)
        property = fields.Field(attribute="property", column_name="Listing", widget=PropertyWidget())
        amount = fields.Field(attribute="amount", column_name="Earnings", widget=MoneyWidget())

        class Meta:
            model = Booking
            import_id_fields = ("external_code",)
            fields = (
                "external_code",
                "status",
                "source_status",
                "guest_name",
                "guest_contact",
                "adults",
                "children",
                "infants",
                "check_in",
                "check_out",
                "booked_on",
                "property",
                "amount",
            )
            skip_unchanged = True
            use_bulk = True
            batch_size = 1000

        def before_save_instance(self, instance, row, **kwargs):
            instance.source = "airbnb"
            instance.currency = "USD"

    return BookingResource()


def import_export_run(content: bytes):
    from import_export.formats.base_formats import XLSX

    dataset = XLSX().create_dataset(content)
    result = import_export_resource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    return result.totals


def measure(rows: int, existing: int, repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bookings.models import Booking
    from core.models import AuditEntry

    user = get_user_model().objects.create_user("bench-manager", password="x")
    build_database(existing)
    content = build_file(rows)
    print(
        f"database: {connection.vendor}; file: {rows:,} Airbnb rows, {len(content) / 1e6:.1f} MB; "
        f"bookings already there: {Booking.objects.count():,}"
    )

    openpyxl_iterate(content)  # warm up: the first read also pays for imports and caches
    RECEIVERS.install()
    # Rounds of (openpyxl, import, re-import) side by side, so each ratio compares times taken under the same
    # load; the figures reported are the medians over the rounds. Between rounds the imported bookings and
    # their turnover tasks are removed, so every first import creates the same 10,000 bookings.
    rounds = []
    for number in range(1, repeat + 1):
        if number > 1:
            remove_imported()
        read_time, _, read_rows = timed(lambda: openpyxl_iterate(content))
        first_time, first_queries, batch = timed(lambda: stayops_import(content, user))
        first_receivers = RECEIVERS.take()
        assert batch.counts["created"] == rows, batch.counts
        again_time, again_queries, again = timed(lambda: stayops_import(content, user))
        again_receivers = RECEIVERS.take()
        assert again.counts["unchanged"] == rows, again.counts
        rounds.append(
            {
                "openpyxl": read_time,
                "first": first_time,
                "receivers": first_receivers,
                "engine": first_time - first_receivers,
                "again": again_time,
                "again_receivers": again_receivers,
            }
        )
        print(
            f"round {number}: openpyxl {read_time:.2f} s; import {first_time:.2f} s "
            f"({first_time / read_time:.2f}×, engine {(first_time - first_receivers) / read_time:.2f}×); "
            f"re-import {again_time:.2f} s ({again_time / read_time:.2f}×)"
        )
    audit_entries = AuditEntry.objects.filter(batch_id=batch.pk).count()

    def median(name: str) -> float:
        return statistics.median(round_[name] for round_ in rounds)

    def ratio(name: str) -> float:
        return statistics.median(round_[name] / round_["openpyxl"] for round_ in rounds)

    # django-import-export on the same file: remove what StayOps imported so it creates the same bookings.
    # It saves models directly, so no bookings_changed receiver runs: compare it with the engine's time.
    remove_imported()
    read_time = median("openpyxl")
    ie_time, ie_queries, ie_totals = timed(lambda: import_export_run(content))
    ie_again_time, ie_again_queries, ie_again_totals = timed(lambda: import_export_run(content))

    table = [
        ("openpyxl read-only, iterate only", read_time, 1.0, 0, f"{read_rows - 1:,} rows"),
        (
            "StayOps import (new bookings)",
            median("first"),
            ratio("first"),
            first_queries,
            f"created={batch.counts['created']:,}, {audit_entries:,} audit entries",
        ),
        ("  of which wbs turnover sync (receiver)", median("receivers"), ratio("receivers"), 0, "tasks, checklists"),
        ("  StayOps import without the receiver", median("engine"), ratio("engine"), 0, "parse…audit, the engine"),
        ("StayOps re-import, unchanged", median("again"), ratio("again"), again_queries, f"unchanged={rows:,}"),
        ("  of which receivers", median("again_receivers"), 0.0, 0, "nothing changed: not announced"),
        ("django-import-export (new bookings)", ie_time, ie_time / read_time, ie_queries, f"{dict(ie_totals)}"),
        (
            "django-import-export, unchanged",
            ie_again_time,
            ie_again_time / read_time,
            ie_again_queries,
            f"{dict(ie_again_totals)}",
        ),
    ]
    print(f"medians of {repeat} rounds (ratios are per round, then the median)")
    print(f"{'step':40} {'seconds':>8} {'× openpyxl':>11} {'queries':>8}  notes")
    for name, seconds, times, queries, notes in table:
        print(f"{name:40} {seconds:8.2f} {times:10.2f}× {queries:8}  {notes}")
    print(
        f"django-import-export / StayOps engine: first import {ie_time / median('engine'):.1f}×, "
        f"unchanged re-import {ie_again_time / median('again'):.1f}×"
    )


def remove_imported() -> None:
    """Hard-delete the file's bookings and their turnover tasks, so the next import creates them again."""
    from bookings.models import Booking
    from wbs.models import Task

    Task.all_objects.filter(booking__external_code__startswith="HM0").delete()
    Booking.all_objects.filter(external_code__startswith="HM0").delete()


def measure_memory(path: str, traced: bool) -> None:
    """Runs in a child process: peak memory of one big import read from disk, as the command line imports it.

    The figure is the whole process's peak resident memory (Django, openpyxl, the database driver and the
    import), read from getrusage; --trace-heap adds tracemalloc's Python heap peak, at a large cost in time.
    """
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from bookings.importing import import_batch_apply, import_batch_create, import_batch_preview

    user = get_user_model().objects.create_user("bench-manager", password="x")
    build_database(0)
    baseline_rss = peak_rss_mb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with open(path, "rb") as handle:
        batch = import_batch_create(file=File(handle, name="big.xlsx"), file_name="big.xlsx", user=user)
    batch = import_batch_preview(batch=batch)
    previewed = time.perf_counter()
    preview_rss = peak_rss_mb()
    batch = import_batch_apply(batch=batch, user=user)
    seconds = time.perf_counter() - started
    heap = ""
    if traced:
        heap = f"; peak Python heap {tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB (under tracemalloc)"
        tracemalloc.stop()
    peak_rss = peak_rss_mb()
    print(
        f"{batch.counts['created']:,}-row import ({os.path.getsize(path) / 1e6:.1f} MB .xlsx) in {seconds:.1f} s "
        f"(preview {previewed - started:.1f} s): process peak RSS {peak_rss:.0f} MB "
        f"(after Django set-up {baseline_rss:.0f} MB, after preview {preview_rss:.0f} MB){heap}"
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, while getrusage's maxrss
    survives exec and would report the parent's peak when that was higher."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_memory_child(rows: int, postgres: str | None, traced: bool) -> None:
    """Builds the file here, migrates an empty database in one process, then imports in another.

    The importing process only sets Django up, as `manage.py import_bookings` does: neither building the file
    nor the migrations count towards its memory.
    """
    with tempfile.TemporaryDirectory(prefix="stayops-bench-") as folder:
        path = Path(folder) / "big.xlsx"
        path.write_bytes(build_file(rows))
        fresh_database_environment(f"{postgres}_memory" if postgres else None)
        os.environ["DEBUG"] = "false"
        subprocess.run([sys.executable, str(PROJECT / "manage.py"), "migrate", "--verbosity", "0"], check=True)
        command = [sys.executable, __file__, "--memory-child", str(path)]
        if traced:
            command.append("--trace-heap")
        subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds of openpyxl, import and re-import.")
    parser.add_argument("--postgres", help="A PostgreSQL URL whose database is dropped and recreated.")
    parser.add_argument("--memory", action="store_true", help="Also measure a 100,000-row import's peak memory.")
    parser.add_argument("--memory-rows", type=int, default=100_000)
    parser.add_argument("--memory-only", action="store_true", help="Measure only the big import's memory.")
    parser.add_argument("--trace-heap", action="store_true", help="Also trace the Python heap (much slower).")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.memory_child:
        import django

        django.setup()  # the parent pointed the environment at a migrated, empty database
        measure_memory(options.memory_child, options.trace_heap)
        return
    configure(options.postgres)
    if not options.memory_only:
        measure(options.rows, options.existing, options.repeat)
    if options.memory or options.memory_only:
        run_memory_child(options.memory_rows, options.postgres, options.trace_heap)


if __name__ == "__main__":
    main()
