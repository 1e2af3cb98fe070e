"""The whole `manage.py import_bookings FILE` process against a Python process that merely iterates the file.

Issue 14's first target, measured as a user meets it: a 10,000-row Airbnb .xlsx imported from the terminal into a
database holding 10,000 bookings, with the demo's turnover templates active (so each new booking also gets its
tasks, checklists and audit entries), Django's start-up included; beside it, in the same round, a process that
opens the same file with openpyxl read-only and iterates its rows; then the same file again, unchanged. Rounds
run side by side (the imported bookings and their tasks removed between rounds) and each ratio is taken within
its round, then the median; exits 1 when a median ratio misses its target.

Usage:
  .venv/bin/python benchmarks/bench_import_process.py [--rows 10000] [--repeat 3]    # a throwaway SQLite file
  .venv/bin/python benchmarks/bench_import_process.py --postgres postgres://postgres@127.0.0.1:5432/stayops_bench
The PostgreSQL database named in the URL is dropped and created again: never point it at real data.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.bench_import import build_database, build_file, remove_imported  # noqa: E402 - needs sys.path
from benchmarks.django_setup import fresh_database_environment  # noqa: E402

FIRST_IMPORT_TARGET = 3.0
REIMPORT_TARGET = 1.5
OPENPYXL_PROCESS = """
import sys
from openpyxl import load_workbook
workbook = load_workbook(sys.argv[1], read_only=True)
rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
workbook.close()
print(rows)
"""


def add_demo_templates() -> None:
    """The demo's turnover templates as `seed_demo` makes them (two active: a clean and an inspection)."""
    from wbs.demo_turnovers import DEMO_TEMPLATES
    from wbs.models import TaskTemplate

    for spec in DEMO_TEMPLATES:
        TaskTemplate.objects.create(**{key: value for key, value in spec.items() if key != "assignees"})


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], *, exit_code: int = 0) -> tuple[float, str, float]:
    """Seconds from start to exit of a child process, its output and the CPU seconds it used (user + system;
    steadier than the wall clock on a loaded machine, and without the PostgreSQL server's share); fails loudly
    on a non-zero exit."""
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    seconds = time.perf_counter() - started
    if done.returncode != exit_code:
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout.strip(), children_cpu() - cpu


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds of openpyxl, import and re-import.")
    parser.add_argument("--postgres", help="A PostgreSQL URL whose database is dropped and recreated.")
    options = parser.parse_args()

    fresh_database_environment(options.postgres)
    # As a user meets the command: jobs go to the database queue (the default) for a worker, here run after each
    # import and timed on their own line (PostgreSQL's ANALYZE of the tables the import filled, the digests).
    os.environ["TASKS_BACKEND"] = "database"
    folder = Path(tempfile.mkdtemp(prefix="stayops-bench-"))
    os.environ["DEBUG"] = "false"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    build_database(options.existing, cleaning_template=False)
    add_demo_templates()
    path = folder / "airbnb.xlsx"
    path.write_bytes(build_file(options.rows))
    connection.close()  # the children write; SQLite must not see this process holding the file

    python = sys.executable
    openpyxl_command = [python, "-c", OPENPYXL_PROCESS, str(path)]
    import_command = [python, "manage.py", "import_bookings", str(path)]
    worker_command = [python, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--queue-name", "*"]
    print(
        f"database: {connection.vendor}; file: {options.rows:,} Airbnb rows, {path.stat().st_size / 1e6:.1f} MB; "
        f"bookings already there: {options.existing:,}; demo templates active; load average {load_average()}"
    )
    run(openpyxl_command)  # warm the disk cache and the bytecode caches for every round alike
    # The command's start-up: Django set up, the command loaded, its checks run, then a missing file (exit 1).
    startup, _, startup_cpu = run([python, "manage.py", "import_bookings", str(folder / "missing.xlsx")], exit_code=1)
    bare_python, _, bare_python_cpu = run([python, "-c", "import openpyxl"])
    rounds = []
    for number in range(1, options.repeat + 1):
        if number > 1:
            remove_imported()
            connection.close()
        read_time, rows, read_cpu = run(openpyxl_command)
        first_time, first_out, first_cpu = run(import_command)
        jobs_time, _, _ = run(worker_command)
        again_time, again_out, again_cpu = run(import_command)
        run(worker_command)
        assert f"created={options.rows}" in first_out, first_out
        assert f"unchanged={options.rows}" in again_out, again_out
        rounds.append(
            {
                "openpyxl": read_time,
                "first": first_time,
                "again": again_time,
                "jobs": jobs_time,
                "openpyxl_cpu": read_cpu,
                "first_cpu": first_cpu,
                "again_cpu": again_cpu,
            }
        )
        print(
            f"round {number}: openpyxl process {read_time:.2f} s ({int(rows) - 1:,} rows); import process "
            f"{first_time:.2f} s ({first_time / read_time:.2f}×); re-import {again_time:.2f} s "
            f"({again_time / read_time:.2f}×); CPU {read_cpu:.2f} / {first_cpu:.2f} / {again_cpu:.2f} s; "
            f"load average {load_average()}"
        )
    from wbs.models import ChecklistItem, Task

    tasks = Task.objects.filter(booking__external_code__startswith="HM0").count()
    items = ChecklistItem.objects.filter(task__booking__external_code__startswith="HM0").count()

    def ratio(name: str) -> float:
        base = "openpyxl_cpu" if name.endswith("_cpu") else "openpyxl"
        return statistics.median(round_[name] / round_[base] for round_ in rounds)

    def median(name: str) -> float:
        return statistics.median(round_[name] for round_ in rounds)

    first, again = ratio("first"), ratio("again")
    print(f"medians of {options.repeat} rounds (ratios per round, then the median)")
    read_time, read_cpu = median("openpyxl"), median("openpyxl_cpu")
    print(f"{'process':44} {'seconds':>8} {'× openpyxl':>11} {'CPU s':>7} {'CPU ×':>7}  target (wall clock)")
    print(f"{'openpyxl read-only, iterate (python -c)':44} {read_time:8.2f} {1:10.2f}× {read_cpu:7.2f} {1:6.2f}×")
    for label, seconds, cpu in (
        ("python -c 'import openpyxl' (its start-up)", bare_python, bare_python_cpu),
        ("manage.py import_bookings, no file (start-up)", startup, startup_cpu),
    ):
        print(f"{label:44} {seconds:8.2f} {seconds / read_time:10.2f}× {cpu:7.2f} {cpu / read_cpu:6.2f}×")
    verdicts = []
    for label, name, value, target in (
        ("manage.py import_bookings, new bookings", "first", first, FIRST_IMPORT_TARGET),
        ("manage.py import_bookings, unchanged", "again", again, REIMPORT_TARGET),
    ):
        verdict = "ok" if value <= target else "MISSED"
        verdicts.append(verdict)
        print(
            f"{label:44} {median(name):8.2f} {value:10.2f}× {median(name + '_cpu'):7.2f} "
            f"{ratio(name + '_cpu'):6.2f}×  ≤ {target}× {verdict}"
        )
    jobs = median("jobs")
    print(
        f"{'then db_worker --batch: the jobs it queued':44} {jobs:8.2f} {jobs / read_time:10.2f}×  "
        "(the worker's time, not the command's)"
    )
    print(f"the first import created {tasks:,} turnover tasks with {items:,} checklist items")
    print(f"load average at the end: {load_average()}")
    if "MISSED" in verdicts:
        sys.exit(1)


if __name__ == "__main__":
    main()
