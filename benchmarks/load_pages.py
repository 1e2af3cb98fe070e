"""Pages under load: the booking table, board, Gantt and /my/ at N concurrent clients against gunicorn on PostgreSQL.

Usage:
  .venv/bin/python benchmarks/load_pages.py [--tasks 60000] [--users 20] [--seconds 30] [--port 8190]
  .venv/bin/python benchmarks/load_pages.py --reuse --workers 2 --threads 1      # the same data, another config
  make load-pages ARGS="--seconds 60"
The PostgreSQL database named by --postgres is dropped and created again (unless --reuse): never point it at
real data. The script seeds a big database in bulk (--tasks tasks: project work under WBS items, turnover
cleaning at properties with their bookings, a share assigned to the cleaner who opens /my/), starts gunicorn
as `make run` does (scripts/web.sh with gunicorn.conf.py, DEBUG off, collected static files) on 127.0.0.1:--port,
and for each page runs locust headless with --users clients that ask for it again and again (--wait seconds
between requests; 0 by default, so the clients keep every worker busy). It prints per page req/s, p50, p95,
p95/p50 and errors, and exits non-zero when p95 exceeds --ratio × p50 (a queueing cliff: long requests holding
workers while others wait) or when any request fails.

Worker settings come from the environment as in production (WEB_CONCURRENCY, GUNICORN_WORKER_CLASS,
GUNICORN_THREADS, GUNICORN_TIMEOUT; see docs/deployment.md); --workers and --threads set the first and third.
The machine is shared: the load average is printed before and after; a fair run needs the rest of it quiet.
"""

import argparse
import csv
import datetime
import os
import runpy
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.django_setup import analyze, configure  # noqa: E402 - needs the project on sys.path

HOST = "127.0.0.1"
PASSWORD = "load-pages-only"
PAGES = ["/bookings/", "/board/", "/gantt/", "/my/"]
PROPERTIES = 40
CLEANERS = 10
PROJECTS = 20
ITEMS_PER_PROJECT = 12
# How long gunicorn gets to answer its first request after starting, in seconds.
STARTUP_SECONDS = 60


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def seed(task_count: int, booking_count: int) -> None:
    """A big operation in bulk: properties with back-to-back bookings around today, projects with WBS items,
    and `task_count` tasks (two fifths project work, the rest turnovers at properties, most of them done)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from bookings.models import Booking, Property
    from core.roles import CLEANER, MANAGER
    from wbs.models import Project, Task, TaskStatus, TaskType, WbsItem

    User = get_user_model()
    manager = User.objects.create_user("manager", password=PASSWORD)
    manager.groups.add(Group.objects.get(name=MANAGER))
    cleaners = [User.objects.create_user(f"cleaner{number}", password=PASSWORD) for number in range(1, CLEANERS + 1)]
    Group.objects.get(name=CLEANER).user_set.add(*cleaners)

    today = datetime.date.today()
    properties = Property.objects.bulk_create(
        Property(name=f"House {number:02d}", code=f"H{number:02d}") for number in range(PROPERTIES)
    )
    per_property = -(-booking_count // PROPERTIES)
    first = today - datetime.timedelta(days=per_property * 3 * 3 // 4)
    bookings = Booking.objects.bulk_create(
        (
            Booking(
                property=properties[number % PROPERTIES],
                guest_name=f"Guest {number}",
                external_code=f"LOAD{number:07d}",
                adults=2,
                check_in=first + datetime.timedelta(days=(number // PROPERTIES) * 3),
                check_out=first + datetime.timedelta(days=(number // PROPERTIES) * 3 + 3),
            )
            for number in range(booking_count)
        ),
        batch_size=2000,
    )
    projects = Project.objects.bulk_create(Project(name=f"Project {number:02d}") for number in range(PROJECTS))
    items = WbsItem.objects.bulk_create(
        WbsItem(project=project, position=index, code=str(index), sort_key=f"{index:04d}", title=f"Phase {index}")
        for project in projects
        for index in range(1, ITEMS_PER_PROJECT + 1)
    )
    statuses = [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.DONE, TaskStatus.TODO]

    def task(number: int) -> Task:
        if number % 5 < 2:
            start = today + datetime.timedelta(days=number % 120 - 60)
            return Task(
                title=f"Project step {number}",
                type=TaskType.PROJECT_WORK,
                status=statuses[number % len(statuses)],
                wbs_item=items[number % len(items)],
                start_date=start,
                due_date=start + datetime.timedelta(days=number % 4),
                progress=(number * 7) % 100,
                position=number * 1024.0,
            )
        # Turnovers: one per booking's check-out, the past ones done, as a season of history leaves them.
        booking = bookings[number % len(bookings)]
        due = booking.check_out
        return Task(
            title=f"Turnover {number}",
            type=TaskType.CLEANING,
            status=TaskStatus.DONE if due < today else TaskStatus.TODO,
            property=booking.property,
            booking=booking,
            assignee=cleaners[number % CLEANERS],
            start_date=due,
            due_date=due,
            position=number * 1024.0,
        )

    Task.objects.bulk_create((task(number) for number in range(task_count)), batch_size=2000)
    analyze()


def gunicorn_settings(env: dict) -> tuple[int, str, int]:
    """Workers, worker class and threads as gunicorn.conf.py works them out from `env`, for the report."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(PROJECT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return conf["workers"], conf["worker_class"], conf["threads"]


def start_gunicorn(args, env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - gunicorn writes to it for the whole run
    process = subprocess.Popen(
        ["bash", "scripts/web.sh"], cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {process.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{args.port}/accounts/login/", timeout=5):
                return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise SystemExit(f"gunicorn did not answer within {STARTUP_SECONDS} s; see {log_path}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's master (its process group, which it leads): it stops its workers itself."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def session_cookie(username: str) -> str:
    """A signed-in session for `username`, stored where gunicorn reads sessions (same SECRET_KEY and database)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies["sessionid"].value


def run_locust(args, env: dict, page: str, workdir: Path) -> dict:
    prefix = workdir / f"locust{page.replace('/', '_')}"
    session = session_cookie("cleaner1" if page.startswith("/my/") else "manager")
    locust_env = {**env, "LOAD_PAGE": page, "LOAD_SESSION": session}
    locust_env["LOAD_WAIT"] = str(args.wait)
    subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(PROJECT / "benchmarks" / "load_pages_locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{args.seconds}s",
            "--host",
            f"http://{HOST}:{args.port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=locust_env,
        cwd=workdir,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == page:
                return {
                    "requests": int(row["Request Count"]),
                    "errors": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50": float(row["50%"]),
                    "p95": float(row["95%"]),
                }
    return {"requests": 0, "errors": 0, "rps": 0.0, "p50": 0.0, "p95": 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/stayops_load_pages")
    parser.add_argument("--reuse", action="store_true", help="Keep the database seeded by an earlier run.")
    parser.add_argument("--tasks", type=int, default=60_000)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20, help="Concurrent clients per page.")
    parser.add_argument("--seconds", type=int, default=30, help="Load time per page.")
    parser.add_argument("--wait", type=float, default=0.0, help="Seconds each client waits between requests.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8190))
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY for this run (default: the environment's).")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS for this run (default: the environment's).")
    parser.add_argument("--pages", nargs="+", default=PAGES)
    parser.add_argument("--ratio", type=float, default=4.0, help="Largest p95/p50 accepted.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="stayops-load-pages-"))
    # One key for this process and gunicorn: the sessions made here must be valid there.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = f"testserver,{HOST}"
    if args.reuse:
        os.environ["DATABASE_URL"] = args.postgres
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
    else:
        configure(args.postgres)
    from django.core.management import call_command

    from wbs.models import Task

    print(f"load average before: {load_average()}")
    if not args.reuse or not Task.objects.exists():
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        seed(args.tasks, args.bookings)
        print(f"seeded {args.tasks} tasks and {args.bookings} bookings in {time.perf_counter() - started:.0f} s")
    env = {
        **{key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL", "HOME", "TZ")},
        **{key: value for key, value in os.environ.items() if key.startswith(("GUNICORN_", "WEB_CONCURRENCY"))},
        "BIN": str(Path(sys.executable).parent),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": args.postgres,
        "STAYOPS_DATA_DIR": str(workdir / "data"),
        "PORT": str(args.port),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    collectstatic = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(collectstatic, cwd=PROJECT, env=env, check=True)
    server = start_gunicorn(args, env, workdir / "gunicorn.log")
    results = {}
    try:
        for page in args.pages:
            results[page] = run_locust(args, env, page, workdir)
    finally:
        stop(server)
    workers, worker_class, threads = gunicorn_settings(env)
    print(
        f"\n{args.users} clients per page, {args.seconds} s each, wait {args.wait} s; gunicorn workers {workers}, "
        f"class {worker_class}, threads {threads}; PostgreSQL; {Task.objects.count()} tasks"
    )
    print(f"{'page':<12}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p95/p50':>9}{'requests':>10}{'errors':>8}")
    failed = []
    for page, figures in results.items():
        ratio = figures["p95"] / figures["p50"] if figures["p50"] else float("inf")
        print(
            f"{page:<12}{figures['rps']:>8.1f}{figures['p50']:>9.0f}{figures['p95']:>9.0f}{ratio:>9.2f}"
            f"{figures['requests']:>10}{figures['errors']:>8}"
        )
        if ratio > args.ratio or figures["errors"] or not figures["requests"]:
            failed.append(page)
    print(f"load average after: {load_average()}")
    verdict = "MISSED on " + ", ".join(failed) if failed else "met"
    print(f"target: p95 within {args.ratio}× p50 and no errors: {verdict}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
