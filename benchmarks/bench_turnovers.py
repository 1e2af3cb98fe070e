"""`sync_turnovers` over the 10,000 bookings an Airbnb import created: first run, then runs with nothing to change.

Issue 14's second target, side by side in one run: the import that creates 10,000 bookings (no template active, so
it creates no task), then the two demo templates switched on and the sweep timed three ways: the first run (it
creates every task), runs with nothing to change (median of --repeat), and the read it cannot beat, one `SELECT`
of the bookings' ids and dates (median of --repeat). Last, the `manage.py sync_turnovers` process with nothing to
change, start-up included (median of --repeat, after one untimed run that fills its bytecode cache). Exits 1 when a
target is missed: nothing to change in under 1 s or within 2× of the SELECT; the first run within 2× of the import.
`--busy-core` keeps one core busy with a spinning process for the whole run (a machine with other work on it).

Usage:
  .venv/bin/python benchmarks/bench_turnovers.py [--rows 10000] [--repeat 3] [--busy-core]  # a throwaway SQLite file
  .venv/bin/python benchmarks/bench_turnovers.py --postgres postgres://postgres@127.0.0.1:5432/stayops_bench
The PostgreSQL database named in the URL is dropped and created again: never point it at real data.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.bench_import import build_database, build_file  # noqa: E402 - needs the project on sys.path
from benchmarks.bench_import_process import add_demo_templates  # noqa: E402
from benchmarks.django_setup import fresh_database_environment  # noqa: E402
from benchmarks.machine import busy_core, load_average  # noqa: E402

IDLE_SECONDS_TARGET = 1.0
IDLE_SELECT_TARGET = 2.0
FIRST_RUN_TARGET = 2.0


CPU: dict[str, list[float]] = {}


def timed(function):
    """Wall-clock seconds and the result; this process's CPU seconds go into CPU[function name] (steadier on
    a loaded machine; on PostgreSQL the server's share is not in them)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    CPU.setdefault(function.__name__, []).append(time.process_time() - cpu)
    return time.perf_counter() - started, result


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command_runs(folder: Path, repeat: int) -> tuple[float, float, float, str]:
    """Medians of `repeat` runs of the `manage.py sync_turnovers` process: wall-clock seconds, CPU seconds (user +
    system, without the PostgreSQL server's share) and the sync's own seconds as the command prints them; and
    the last output. One untimed run first fills a bytecode cache of the children's own, as a deployed server has
    one (a session run with PYTHONDONTWRITEBYTECODE would otherwise compile the project's modules at each start)."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    command = [sys.executable, "manage.py", "sync_turnovers"]
    subprocess.run(command, capture_output=True, cwd=PROJECT, env=environment, check=True)
    walls, cpus, syncs, output = [], [], [], ""
    for _ in range(repeat):
        started, cpu = time.perf_counter(), children_cpu()
        output = subprocess.run(
            command, capture_output=True, text=True, cwd=PROJECT, env=environment, check=True
        ).stdout.strip()
        walls.append(time.perf_counter() - started)
        cpus.append(children_cpu() - cpu)
        found = re.search(r"seconds=([0-9.]+)", output)
        assert found, output
        syncs.append(float(found[1]))
    return statistics.median(walls), statistics.median(cpus), statistics.median(syncs), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="Rows of the Airbnb file imported first.")
    parser.add_argument("--repeat", type=int, default=3, help="Runs with nothing to change, SELECTs and processes.")
    parser.add_argument("--postgres", help="URL of a throwaway PostgreSQL database (dropped and recreated)")
    parser.add_argument("--busy-core", action="store_true", help="keep one core busy in the background meanwhile")
    options = parser.parse_args()
    with busy_core(options.busy_core):
        missed = run(options)
    sys.exit(1 if missed else 0)


def run(options) -> bool:
    """Measure; True when a target was missed."""
    fresh_database_environment(options.postgres)
    folder = Path(tempfile.mkdtemp(prefix="stayops-bench-"))
    os.environ["DEBUG"] = "false"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bookings.importing import import_file
    from bookings.models import Booking
    from wbs.models import ChecklistItem, Task
    from wbs.services.turnovers import turnovers_sync_all

    call_command("migrate", verbosity=0, skip_checks=True)
    build_database(0, cleaning_template=False)
    path = folder / "airbnb.xlsx"
    path.write_bytes(build_file(options.rows))
    busy = "; one core kept busy by a spinning process" if options.busy_core else ""
    print(f"database: {connection.vendor}; file: {options.rows:,} Airbnb rows{busy}; load average {load_average()}")

    def import_the_file():
        return import_file(path=path, user=None)

    import_seconds, batch = timed(import_the_file)
    assert batch.counts["created"] == options.rows, batch.counts
    add_demo_templates()

    def select():
        return list(Booking.all_objects.order_by("pk").values_list("pk", "check_in", "check_out"))

    select()  # warm: the first query of a process compiles and caches more than a query's work
    first_seconds, first = timed(turnovers_sync_all)
    idle_runs, selects = [], []
    for _ in range(options.repeat):
        idle_seconds, idle = timed(turnovers_sync_all)
        assert (idle.created, idle.moved, idle.cancelled) == (0, 0, 0), idle.summary()
        idle_runs.append(idle_seconds)
        selects.append(timed(select)[0])
    idle_seconds, select_seconds = statistics.median(idle_runs), statistics.median(selects)
    connection.close()
    process_seconds, process_cpu, process_sync, output = command_runs(folder, options.repeat)

    idle_ok = idle_seconds < IDLE_SECONDS_TARGET or idle_seconds <= IDLE_SELECT_TARGET * select_seconds
    first_ok = first_seconds <= FIRST_RUN_TARGET * import_seconds
    print(f"{'step':52} {'seconds':>8}  ratio")
    print(f"{'import of the file (creates the bookings, no template)':52} {import_seconds:8.2f}")
    print(f"{'SELECT id, check_in, check_out of every booking':52} {select_seconds:8.3f}")
    print(
        f"{'sync_turnovers, first run':52} {first_seconds:8.2f}  {first_seconds / import_seconds:.2f}× the import "
        f"(target ≤ {FIRST_RUN_TARGET}×) {'ok' if first_ok else 'MISSED'}; {first.summary()}"
    )
    print(
        f"{f'sync_turnovers, nothing to change (median of {options.repeat})':52} {idle_seconds:8.2f}  "
        f"{idle_seconds / select_seconds:.1f}× the SELECT (target < {IDLE_SECONDS_TARGET} s or ≤ "
        f"{IDLE_SELECT_TARGET}×) {'ok' if idle_ok else 'MISSED'}"
    )
    print(
        f"CPU seconds of this process: import {CPU['import_the_file'][0]:.2f}; first run "
        f"{CPU['turnovers_sync_all'][0]:.2f}; nothing to change "
        f"{statistics.median(CPU['turnovers_sync_all'][1:]):.2f}; SELECT {statistics.median(CPU['select']):.3f}"
    )
    print(
        f"{f'manage.py sync_turnovers process, nothing to change (median of {options.repeat})':52} "
        f"{process_seconds:8.2f}  start-up included: CPU {process_cpu:.2f} s; the sync in it {process_sync:.2f} s, "
        f"start-up {process_seconds - process_sync:.2f} s ({output})"
    )
    print(f"tasks: {Task.objects.count():,}  checklist items: {ChecklistItem.objects.count():,}")
    print(f"load average at the end: {load_average()}")
    return not (idle_ok and first_ok)


if __name__ == "__main__":
    main()
