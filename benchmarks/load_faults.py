"""Load and fault test: nginx in front of two app servers, two workers, PostgreSQL, Redis and S3, on 127.0.0.1.

Starts the whole production shape on loopback (Debian's nginx → two gunicorn app servers from scripts/web.sh →
PostgreSQL, Redis db LOAD_REDIS_DB, moto's S3 server; two db_workers from scripts/worker.sh), drives it with
locust (managers browsing the booking table, board and Gantt; cleaners working their turnover tasks), and while
the load runs, in turn:

1. stops one app server (SIGTERM): nginx must fail over, and no write may be lost or doubled;
2. kills (-9) the worker applying a 5,000-row Airbnb import: the import must complete exactly once;
3. restarts PostgreSQL: requests must fail fast with 503, then recover without restarting anything.

Then it compares what the clients were told (every write answered 2xx) with the database, prints the tables
that docs/benchmarks.md shows, and stops everything it started (processes, temp dir, its database, its Redis db).

  make load-test                                   # installs nginx and locust when missing, then runs this
  .venv/bin/python benchmarks/load_faults.py [--users 12] [--baseline 40] [--failover 30] [--after-restart 20]

Bounded: every phase has a time limit and the whole run stops by itself (about 4 minutes). Only 127.0.0.1 is
ever contacted. PostgreSQL is the server already running (it is restarted in phase 3: a few seconds).
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import pickle
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PROPERTY_NAMES = ["Beach House", "Alfama Loft", "Sintra Garden Villa", "Ribeira Studio", "Cliff Apartment"]
AIRBNB_HEADERS = ["Confirmation code", "Status", "Guest name", "Contact", "# of adults", "# of children",
                  "# of infants", "Start date", "End date", "# of nights", "Booked", "Listing", "Earnings"]  # fmt: skip
IMPORT_CODE_PREFIX = "HMLOAD"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- processes ----------------------------------------------------------------------------------------------


@dataclass
class Stack:
    """Every process this run started, by name, each in its own session so a stop reaches its children."""

    workdir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        logfile = open(self.workdir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
        )
        logfile.close()
        self.processes[name] = process
        return process

    def signal(self, name: str, signum: int, *, group: bool = True) -> None:
        """Send `signum` to the process (and, with group, to its children too), by its id."""
        process = self.processes[name]
        if process.poll() is None:
            (os.killpg if group else os.kill)(process.pid, signum)

    def stop(self, name: str, timeout: float = 15) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout:.0f} s")


def wait_for_http(url: str, timeout: float, expect: int = 200) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == expect:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer {expect} within {timeout:.0f} s")


# --- PostgreSQL, Redis, S3 --------------------------------------------------------------------------------


class Database:
    """A fresh connection per query: the server is restarted during the run, and must not need us to reconnect."""

    def __init__(self, admin_url: str, name: str):
        self.admin_url = admin_url
        self.name = name
        self.url = admin_url.rsplit("/", 1)[0] + f"/{name}"

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(statement)

    def create(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def rows(self, query: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as connection:
            return connection.execute(query, params).fetchall()

    def value(self, query: str, params: tuple = ()):
        return self.rows(query, params)[0][0]


def restart_postgresql() -> list[str]:
    """The command that restarts the local PostgreSQL here: pg_ctlcluster for Debian's cluster, else the service."""
    if shutil.which("pg_lsclusters") and shutil.which("pg_ctlcluster"):
        for line in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.splitlines():
            version, cluster, port, status = line.split()[:4]
            if port == "5432" and status == "online":
                return ["pg_ctlcluster", version, cluster, "restart"]
    return ["service", "postgresql", "restart"]


# --- the import file -------------------------------------------------------------------------------------


def build_import_file(rows: int) -> bytes:
    """An Airbnb export of `rows` confirmed stays, back to back per demo property, years ahead: all new bookings,
    no overlaps, and too far ahead to create turnover tasks."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Reservations")
    sheet.append(AIRBNB_HEADERS)
    first = datetime.date(2031, 1, 5)
    for index in range(rows):
        slot = index // len(PROPERTY_NAMES)
        check_in = first + datetime.timedelta(days=2 * slot)
        check_out = check_in + datetime.timedelta(days=2)
        sheet.append([
            f"{IMPORT_CODE_PREFIX}{index:06d}", "Confirmed", f"Load guest {index}", f"+351 91{index:07d}", 2, 0, 0,
            check_in.strftime("%m/%d/%Y"), check_out.strftime("%m/%d/%Y"), 2,
            (check_in - datetime.timedelta(days=60)).strftime("%m/%d/%Y"),
            PROPERTY_NAMES[index % len(PROPERTY_NAMES)], f"${240 + index % 300:,}.00",
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the run ---------------------------------------------------------------------------------------------


class LoadTest:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="stayops-load-"))
        (self.workdir / "logs").mkdir()
        self.stack = Stack(self.workdir)
        self.db = Database(args.postgres, args.database)
        self.ports = {"lb": args.port, "app1": args.port + 1, "app2": args.port + 2, "s3": args.port + 3}
        self.base = f"http://{HOST}:{self.ports['lb']}"
        self.bin = Path(args.bin)
        self.events: list[tuple[float, str]] = []
        self.loads: list[tuple[str, str]] = []
        self.results: dict[str, object] = {}
        self.started = time.time()
        self.env: dict[str, str] = {}

    def mark(self, label: str) -> None:
        self.events.append((time.time(), label))
        log(label)

    def sample_load(self, when: str) -> None:
        uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        self.loads.append((when, uptime.split("load average:")[-1].strip() if uptime else load_average()))

    # set-up --------------------------------------------------------------------------------------------

    def app_env(self) -> dict[str, str]:
        s3 = f"http://{HOST}:{self.ports['s3']}"
        return {
            **{key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL", "HOME", "TZ")},
            "BIN": str(self.bin),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": self.db.url,
            "REDIS_URL": f"redis://{HOST}:6379/{self.args.redis_db}",
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "stayops-load",
            "AWS_S3_ENDPOINT_URL": s3,
            "AWS_ACCESS_KEY_ID": "load-test",
            "AWS_SECRET_ACCESS_KEY": "load-test-secret",
            "AWS_S3_REGION_NAME": "us-east-1",
            "STAYOPS_DATA_DIR": str(self.workdir / "data"),
            "TASKS_BACKEND": "database",
            "TRUSTED_PROXY_COUNT": "1",
            "WEB_CONCURRENCY": str(self.args.web_concurrency),
            "GUNICORN_GRACEFUL_TIMEOUT": "10",
            # Short enough to see a dead worker's job taken over within the run (the minimums the settings allow).
            "JOB_LEASE_SECONDS": "30",
            "IMPORT_STALLED_MINUTES": "2",
            # Many simulated phones share the two demo cleaners' sign-ins: the per-user upload limit would bind.
            "RATE_LIMIT_PHOTO_UPLOADS": "5000/10m",
            "LOG_LEVEL": "INFO",
        }

    def manage(self, *argv: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [str(self.bin / "python"), "manage.py", *argv],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def nginx_config(self) -> Path:
        directory = self.workdir / "nginx"
        directory.mkdir()
        user_line = ""
        if os.geteuid() == 0:
            # nginx's workers drop root; the directories they write request bodies into must be theirs.
            nobody = pwd.getpwnam("nobody")
            user_line = f"user nobody {_group_name(nobody.pw_gid)};"
            os.chmod(self.workdir, 0o711)
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (directory / temp).mkdir()
            if os.geteuid() == 0:
                os.chown(directory / temp, nobody.pw_uid, nobody.pw_gid)
        app1, app2, lb = self.ports["app1"], self.ports["app2"], self.ports["lb"]
        config = f"""
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
{user_line}
events {{ worker_connections 512; }}
http {{
    log_format upstreams '$msec $request_method $uri $status $upstream_addr "$upstream_status" $request_time';
    access_log {directory}/access.log upstreams;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    client_max_body_size 16m;

    upstream stayops {{
        # One failed connection takes a server out for 5 s; then one request tries it again.
        server {HOST}:{app1} max_fails=1 fail_timeout=5s;
        server {HOST}:{app2} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen {HOST}:{lb};
        server_name {HOST};
        location / {{
            proxy_pass http://stayops;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 40s;
            # A refused or failed connection goes to the other server. nginx never resends a POST that reached
            # a server (no non_idempotent): a photo upload must not be stored twice.
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 10s;
        }}
    }}
}}
"""
        path = directory / "nginx.conf"
        path.write_text(config)
        return path

    def set_up(self) -> None:
        args = self.args
        self.sample_load("before start")
        self.mark(f"work dir {self.workdir}")
        self.db.create()
        import redis

        redis.Redis(host=HOST, port=6379, db=args.redis_db, socket_timeout=3).flushdb()
        self.env = self.app_env()
        self.stack.start("s3", [str(self.bin / "moto_server"), "-H", HOST, "-p", str(self.ports["s3"])], self.env)
        wait_for_port(self.ports["s3"], 30)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=self.env["AWS_S3_ENDPOINT_URL"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            region_name=self.env["AWS_S3_REGION_NAME"],
        ).create_bucket(Bucket=self.env["AWS_STORAGE_BUCKET_NAME"])
        self.mark("migrating and seeding (scripts/migrate.sh, seed_demo --force)")
        done = subprocess.run(["scripts/migrate.sh"], cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"scripts/migrate.sh failed:\n{done.stdout}\n{done.stderr}")
        self.manage("seed_demo", "--force", "--scale", str(args.scale))
        for name in ("app1", "app2"):
            self.start_app(name)
        for number in (1, 2):
            self.start_worker(f"worker{number}")
        self.stack.start("nginx", ["nginx", "-p", str(self.workdir / "nginx"), "-c", str(self.nginx_config()),
                                   "-e", str(self.workdir / "nginx" / "error.log")], self.env)  # fmt: skip
        for name in ("app1", "app2"):
            wait_for_http(f"http://{HOST}:{self.ports[name]}/health/ready/", 90)
        wait_for_http(f"{self.base}/health/ready/", 30)
        self.mark("stack ready: nginx → 2 app servers, 2 workers, PostgreSQL, Redis, S3")

    def start_app(self, name: str):
        env = {**self.env, "GUNICORN_BIND": f"{HOST}:{self.ports[name]}"}
        return self.stack.start(name, ["scripts/web.sh"], env)

    def start_worker(self, name: str):
        return self.stack.start(name, ["scripts/worker.sh", "--worker-id", f"load-{name}"], self.env)

    def cleaner_pools(self) -> dict[str, list[int]]:
        """Each demo cleaner's open turnover tasks, soonest first: the work the simulated phones do."""
        rows = self.db.rows(
            """
            SELECT u.username, t.id FROM wbs_task t JOIN auth_user u ON u.id = t.assignee_id
            WHERE u.username IN ('cleaner1', 'cleaner2') AND t.status IN ('todo', 'in_progress')
              AND t.deleted_at IS NULL
            ORDER BY t.due_date, t.id
            """
        )
        pools: dict[str, list[int]] = {"cleaner1": [], "cleaner2": []}
        for username, task_id in rows:
            pools[username].append(task_id)
        return pools

    # load --------------------------------------------------------------------------------------------

    def start_locust(self) -> None:
        files = {name: self.workdir / f"{name}" for name in ("tasks.json", "actions.jsonl", "requests.tsv")}
        pools = self.cleaner_pools()
        self.results["pools"] = {name: len(ids) for name, ids in pools.items()}
        files["tasks.json"].write_text(json.dumps(pools))
        env = {
            **self.env,
            "LOAD_TASKS_FILE": str(files["tasks.json"]),
            "LOAD_ACTIONS_FILE": str(files["actions.jsonl"]),
            "LOAD_REQUESTS_FILE": str(files["requests.tsv"]),
        }
        limit = self.args.time_limit
        argv = [
            str(self.bin / "locust"), "-f", "benchmarks/load_locustfile.py", "--headless",
            "-u", str(self.args.users), "-r", str(self.args.users), "-t", f"{limit}s", "--stop-timeout", "5",
            "--host", self.base, "--csv", str(self.workdir / "locust"), "--only-summary", "--loglevel", "WARNING",
        ]  # fmt: skip
        self.stack.start("locust", argv, env)
        self.mark(f"locust: {self.args.users} users (managers and cleaners), at most {limit} s")

    def stop_locust(self) -> None:
        process = self.stack.processes["locust"]
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)  # locust writes its CSV files as it quits
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            self.stack.stop("locust")
        self.mark("locust stopped")

    # faults --------------------------------------------------------------------------------------------

    def fault_app_server(self) -> None:
        self.mark("FAULT 1: SIGTERM to app server 1 (gunicorn master)")
        started = time.time()
        # To gunicorn's master only, as a deploy or scale-down does: it stops taking connections, lets requests in
        # flight finish (GUNICORN_GRACEFUL_TIMEOUT) and exits.
        self.stack.signal("app1", signal.SIGTERM, group=False)
        self.stack.processes["app1"].wait(30)
        gone = time.time()
        self.mark(f"app server 1 gone after {gone - started:.1f} s; nginx sends everything to app server 2")
        time.sleep(self.args.failover)
        self.sample_load("one app server down")
        self.mark("app server 1 started again")
        self.start_app("app1")
        wait_for_http(f"http://{HOST}:{self.ports['app1']}/health/ready/", 60)
        self.results["failover"] = {"start": started, "gone": gone, "end": time.time()}

    def manager_session(self):
        import requests

        session = requests.Session()
        session.get(f"{self.base}/accounts/login/", timeout=30)
        answer = session.post(
            f"{self.base}/accounts/login/",
            data={"username": "manager", "password": "demo", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=30,
        )
        answer.raise_for_status()
        return session

    def manager_post(self, session, path: str, **kwargs):
        answer = session.post(
            f"{self.base}{path}", data={"csrfmiddlewaretoken": session.cookies["csrftoken"], **kwargs.pop("data", {})},
            timeout=60, **kwargs,
        )  # fmt: skip
        answer.raise_for_status()
        return answer

    def batch(self, batch_id: int) -> dict:
        state, job_id, rows_total, counts = self.db.rows(
            "SELECT state, job_id, rows_total, counts FROM bookings_importbatch WHERE id = %s", (batch_id,)
        )[0]
        return {"state": state, "job_id": job_id, "rows_total": rows_total, "counts": counts}

    def wait_batch(self, batch_id: int, states: set[str], timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = self.batch(batch_id)
            if batch["state"] in states:
                return batch
            time.sleep(0.5)
        raise RuntimeError(f"import {batch_id} still {batch['state']} after {timeout:.0f} s (wanted {states})")

    def import_progress(self, batch_id: int) -> tuple[int, int] | None:
        import redis

        client = redis.Redis(host=HOST, port=6379, db=self.args.redis_db, socket_timeout=2)
        for key in client.scan_iter(match=f"*import-progress:{batch_id}"):
            value = client.get(key)
            if value:
                done, total, _ = pickle.loads(value)  # our own cache, written by the app
                return done, total
        return None

    def fault_worker_import(self) -> None:
        rows = self.args.import_rows
        content = build_import_file(rows)
        before = self.db.value("SELECT count(*) FROM bookings_booking")
        session = self.manager_session()
        self.mark(f"FAULT 2: uploading a {rows:,}-row Airbnb .xlsx ({len(content) / 1024:.0f} KB) through nginx")
        answer = self.manager_post(
            session, "/bookings/import/", data={"source": "auto"},
            files={"file": ("airbnb-load.xlsx", content, "application/octet-stream")},
        )  # fmt: skip
        batch_id = int(re.search(r"/bookings/import/(\d+)/", answer.url).group(1))
        previewed = self.wait_batch(batch_id, {"previewed"}, 240)
        self.mark(f"import {batch_id} previewed in the background: {previewed['counts']}")
        self.manager_post(session, f"/bookings/import/{batch_id}/apply/")
        running = self.wait_batch(batch_id, {"running", "applied"}, 120)
        if running["state"] == "applied":
            raise RuntimeError("the import was applied before it could be interrupted; raise --import-rows")
        job_id = running["job_id"]
        worker_ids = self.db.value(
            "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE id::text = %s", (job_id,)
        )
        victim = worker_ids[-1].removeprefix("load-")
        progress = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            progress = self.import_progress(batch_id)
            if progress and progress[0] > 0:
                break
            time.sleep(0.2)
        killed = time.time()
        self.stack.signal(victim, signal.SIGKILL)
        self.stack.processes[victim].wait(10)
        during = self.db.value("SELECT count(*) FROM bookings_booking")
        self.mark(f"kill -9 {victim} (job {job_id}) at {progress} rows: bookings {before} → {during}")
        self.start_worker(victim)
        self.mark(f"{victim} started again; waiting out the job lease (JOB_LEASE_SECONDS=30)")
        time.sleep(max(0.0, killed + 32 - time.time()))
        self.sample_load("import re-run")
        reclaimed = self.manage("reclaim_jobs").strip().splitlines()
        # The batch page is where a manager sees the dead job: looking at it marks the batch failed, with a retry.
        session.get(f"{self.base}/bookings/import/{batch_id}/", timeout=30).raise_for_status()
        failed = self.batch(batch_id)
        self.mark(f"reclaim_jobs: {reclaimed[-1]}; import {batch_id} is now {failed['state']}")
        if failed["state"] != "failed":
            self.manage("check_import_jobs")
            failed = self.wait_batch(batch_id, {"failed"}, 5)
        retried = time.time()
        self.manager_post(session, f"/bookings/import/{batch_id}/preview-again/")
        self.wait_batch(batch_id, {"previewed"}, 240)
        self.manager_post(session, f"/bookings/import/{batch_id}/apply/")
        applied = self.wait_batch(batch_id, {"applied", "failed", "stale"}, 300)
        finished = time.time()
        after = self.db.value("SELECT count(*) FROM bookings_booking")
        imported = self.db.value(
            "SELECT count(*) FROM bookings_booking WHERE external_code LIKE %s", (f"{IMPORT_CODE_PREFIX}%",)
        )
        distinct = self.db.value(
            "SELECT count(DISTINCT external_code) FROM bookings_booking WHERE external_code LIKE %s",
            (f"{IMPORT_CODE_PREFIX}%",),
        )
        audits = dict(
            self.db.rows(
                """SELECT c.model, count(*)
                   FROM core_auditentry a JOIN django_content_type c ON c.id = a.content_type_id
                   WHERE a.batch_id = %s AND a.action = 'create' GROUP BY c.model ORDER BY c.model""",
                (batch_id,),
            )
        )
        jobs = self.db.rows(
            """SELECT status, count(*) FROM django_tasks_database_dbtaskresult
               WHERE task_path = 'bookings.tasks.apply_import_batch' GROUP BY status ORDER BY status"""
        )
        self.mark(f"import {batch_id} {applied['state']}: bookings {before} → {after} (file: {rows})")
        self.results["import"] = {
            "rows": rows, "batch": batch_id, "before": before, "during": during, "after": after,
            "imported": imported, "distinct": distinct, "audit_creates": audits, "killed_at": progress,
            "victim": victim, "state": applied["state"], "apply_jobs": dict(jobs), "start": killed,
            "retried": retried, "end": finished, "reclaimed": reclaimed[-1],
        }  # fmt: skip

    def fault_postgresql(self) -> None:
        import requests

        session = self.manager_session()
        probes: list[tuple[float, int, float]] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                sent = time.time()
                try:
                    status = session.get(f"{self.base}/today/", timeout=30).status_code
                except requests.RequestException:
                    status = 0
                probes.append((sent, status, time.time() - sent))
                stop.wait(0.1)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        time.sleep(2)
        command = restart_postgresql()
        self.mark(f"FAULT 3: {' '.join(command)}")
        started = time.time()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        restarted = time.time()
        self.mark(f"PostgreSQL restarted in {restarted - started:.1f} s (exit {done.returncode})")
        deadline = time.monotonic() + 60
        recovered = None
        while time.monotonic() < deadline and recovered is None:
            time.sleep(0.2)
            recovered = next((t for t, status, _ in probes if t > restarted and status == 200), None)
        time.sleep(self.args.after_restart)
        stop.set()
        prober.join(35)
        self.sample_load("after the PostgreSQL restart")
        failures = [(t, status, seconds) for t, status, seconds in probes if started <= t and status != 200]
        # "Recovered without restarting anything": every process this run started is still the same one.
        exited = {
            name: process.returncode for name, process in self.stack.processes.items() if process.poll() is not None
        }
        self.results["postgres"] = {
            "command": " ".join(command), "exit": done.returncode, "start": started, "restarted": restarted,
            "recovered": recovered, "end": time.time(), "probes": probes, "failures": failures, "exited": exited,
        }  # fmt: skip
        self.mark(f"first 200 after the restart: +{(recovered or float('nan')) - started:.1f} s")

    # the whole run -----------------------------------------------------------------------------------

    def run(self) -> None:
        self.set_up()
        self.start_locust()
        self.mark(f"BASELINE: {self.args.baseline} s of load with everything up")
        time.sleep(self.args.baseline)
        self.sample_load("baseline")
        self.results["baseline"] = {"start": self.events[-1][0], "end": time.time()}
        try:
            if "app" in self.args.faults:
                self.fault_app_server()
            if "worker" in self.args.faults:
                self.fault_worker_import()
            if "postgres" in self.args.faults:
                self.fault_postgresql()
        finally:
            # A fault that went wrong still leaves figures worth reading: the report covers what ran.
            self.stop_locust()
            self.sample_load("end")
            Report(self).print()

    def tear_down(self) -> None:
        self.stack.stop_all()
        try:
            self.db.drop()
        except Exception as error:  # noqa: BLE001 - teardown goes on whatever failed
            log(f"could not drop {self.db.name}: {error}")
        try:
            import redis

            redis.Redis(host=HOST, port=6379, db=self.args.redis_db, socket_timeout=3).flushdb()
        except Exception as error:  # noqa: BLE001
            log(f"could not flush Redis db {self.args.redis_db}: {error}")
        if self.args.keep:
            log(f"kept {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        log("everything stopped")


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


# --- report -----------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Report:
    def __init__(self, test: LoadTest):
        self.test = test
        self.db = test.db
        workdir = test.workdir
        self.requests = []
        path = workdir / "requests.tsv"
        if path.exists():
            for line in path.read_text().splitlines():
                moment, name, status, millis = line.split("\t")
                self.requests.append((float(moment), name, int(status), float(millis)))
        self.actions = []
        path = workdir / "actions.jsonl"
        if path.exists():
            self.actions = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def print(self) -> None:
        test = self.test
        print()
        print("## Load and faults")
        print(f"users: {test.args.users}; app servers: 2 × {test.args.web_concurrency} gunicorn workers; workers: 2; "
              f"open tasks for the cleaners: {test.results.get('pools')}")  # fmt: skip
        print(
            "load average (1, 5, 15 min), from uptime: " + "; ".join(f"{when}: {value}" for when, value in test.loads)
        )
        self.pages()
        self.phases()
        self.failover()
        self.import_fault()
        self.postgres_fault()
        self.writes()
        self.server_errors()

    def pages(self) -> None:
        stats = self.test.workdir / "locust_stats.csv"
        if not stats.exists():
            print("(no locust statistics)")
            return
        errors: dict[str, dict[int, int]] = {}
        for _, name, status, _ in self.requests:
            if status == 0 or status >= 400:
                errors.setdefault(name, {}).setdefault(status, 0)
                errors[name][status] += 1
        print("\n### Pages, whole run (locust --csv)")
        print("| page | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
        print("|---|---:|---:|---:|---:|---:|---|")
        with open(stats) as handle:
            for row in csv.DictReader(handle):
                name = f"{row['Type']} {row['Name']}" if row["Name"] != "Aggregated" else "Aggregated"
                found = errors.get(name, {}) if name != "Aggregated" else self._all_errors(errors)
                shown = ", ".join(f"{status or 'no answer'}×{count}" for status, count in sorted(found.items())) or "0"
                print(
                    f"| {name} | {row['Request Count']} | {float(row['Requests/s']):.1f} | {row['50%']} | "
                    f"{row['95%']} | {row['99%']} | {shown} |"
                )

    @staticmethod
    def _all_errors(errors: dict[str, dict[int, int]]) -> dict[int, int]:
        total: dict[int, int] = {}
        for counts in errors.values():
            for status, count in counts.items():
                total[status] = total.get(status, 0) + count
        return total

    def phases(self) -> None:
        results = self.test.results
        windows = [("baseline", "everything up")]
        windows += [("failover", "app server 1 stopped"), ("import", "worker killed, import re-run")]
        windows += [("postgres", "PostgreSQL restart and after")]
        print("\n### By phase")
        print("| phase | seconds | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for key, label in windows:
            window = results.get(key)
            if not window:
                continue
            inside = [r for r in self.requests if window["start"] <= r[0] < window["end"]]
            seconds = window["end"] - window["start"]
            times = [r[3] for r in inside]
            failed: dict[int, int] = {}
            for r in inside:
                if r[2] == 0 or r[2] >= 400:
                    failed[r[2]] = failed.get(r[2], 0) + 1
            shown = ", ".join(f"{status or 'no answer'}×{count}" for status, count in sorted(failed.items())) or "0"
            print(
                f"| {label} | {seconds:.0f} | {len(inside)} | {len(inside) / seconds:.1f} | "
                f"{percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} | {percentile(times, 0.99):.0f} | "
                f"{shown} |"
            )

    def failover(self) -> None:
        window = self.test.results.get("failover")
        if not window:
            return
        retried = 0
        access = self.test.workdir / "nginx" / "access.log"
        statuses: dict[str, int] = {}
        for line in access.read_text().splitlines() if access.exists() else []:
            parts = line.split()
            if window["start"] <= float(parts[0]) < window["end"]:
                statuses[parts[3]] = statuses.get(parts[3], 0) + 1
                if "," in parts[4]:
                    retried += 1
        print("\n### Fault 1: one app server stopped (SIGTERM)")
        print(f"- stopped in {window['gone'] - window['start']:.1f} s (requests in flight finished first)")
        print(f"- nginx answers while it was down, by status: {dict(sorted(statuses.items()))}")
        print(f"- requests nginx passed to the other server after a refused connection: {retried}")

    def import_fault(self) -> None:
        result = self.test.results.get("import")
        if not result:
            return
        exactly_once = result["imported"] == result["rows"] == result["distinct"] == result["after"] - result["before"]
        print("\n### Fault 2: kill -9 the worker applying a large import")
        print(f"- file: {result['rows']:,} new Airbnb rows; batch {result['batch']}; killed {result['victim']} "
              f"at {result['killed_at']} (rows done, total)")  # fmt: skip
        print(f"- bookings: before {result['before']:,}, right after the kill {result['during']:,}, "
              f"at the end {result['after']:,} (+{result['after'] - result['before']:,})")  # fmt: skip
        print(f"- {result['reclaimed']} after the lease; the batch page marked the import failed; "
              f"'preview again' then 'apply' finished it in {result['end'] - result['retried']:.0f} s")  # fmt: skip
        print(f"- apply jobs by status: {result['apply_jobs']}; audit 'create' entries of the batch by kind: "
              f"{result['audit_creates']}")  # fmt: skip
        print(f"- imported exactly once: {'yes' if exactly_once else 'NO'} ({result['imported']:,} bookings from the "
              f"file, {result['distinct']:,} distinct codes, state {result['state']})")  # fmt: skip

    def postgres_fault(self) -> None:
        result = self.test.results.get("postgres")
        if not result:
            return
        failures = result["failures"]
        by_status: dict[int, list[float]] = {}
        for _, status, seconds in failures:
            by_status.setdefault(status, []).append(seconds)
        print("\n### Fault 3: PostgreSQL restarted")
        print(f"- `{result['command']}`: {result['restarted'] - result['start']:.1f} s (exit {result['exit']})")
        for status, seconds in sorted(by_status.items()):
            print(f"- probe GET /today/ answered {status or 'nothing'} ×{len(seconds)}: median "
                  f"{statistics.median(seconds) * 1000:.0f} ms, slowest {max(seconds) * 1000:.0f} ms")  # fmt: skip
        if result["recovered"]:
            print(f"- first 200 {result['recovered'] - result['start']:.1f} s after the restart began "
                  f"({result['recovered'] - result['restarted']:.1f} s after PostgreSQL was back); "
                  "nothing was restarted")  # fmt: skip
        else:
            print("- NOT RECOVERED within 60 s")
        running = ", ".join(name for name in self.test.stack.processes if name not in result["exited"])
        print(f"- processes that exited: {result['exited'] or 'none'}; still running: {running}")
        window = [r for r in self.requests if result["start"] <= r[0] < result["end"]]
        failed: dict[int, int] = {}
        for r in window:
            if r[2] == 0 or r[2] >= 400:
                failed[r[2]] = failed.get(r[2], 0) + 1
        print(f"- locust requests from the restart on: {len(window)}, failed by status: {dict(sorted(failed.items()))}")

    def writes(self) -> None:
        """What the clients were told, against the database: nothing lost, nothing doubled."""
        ok = [a for a in self.actions if a["outcome"] == "ok"]
        uncertain = [a for a in self.actions if a["outcome"] == "uncertain"]
        refused = [a for a in self.actions if a["outcome"] == "refused"]
        since = datetime.datetime.fromtimestamp(self.test.started, tz=datetime.UTC)
        started = {a["task"] for a in ok if a["action"] == "start"}
        done = {a["task"] for a in ok if a["action"] == "done"}
        ticked = {a["item"] for a in ok if a["action"] == "tick"}
        photos: dict[int, int] = {}
        for a in ok:
            if a["action"] == "photo":
                photos[a["task"]] = photos.get(a["task"], 0) + 1
        unsure_photos: dict[int, int] = {}
        for a in uncertain:
            if a["action"] == "photo":
                unsure_photos[a["task"]] = unsure_photos.get(a["task"], 0) + 1
        touched = sorted({a["task"] for a in self.actions})
        db = self.db
        db_status = dict(db.rows("SELECT id, status FROM wbs_task WHERE id = ANY(%s)", (touched,)))
        db_ticked = {
            row[0]
            for row in db.rows(
                "SELECT id FROM wbs_checklistitem WHERE task_id = ANY(%s) AND done AND done_at >= %s", (touched, since)
            )
        }
        db_photos = dict(
            db.rows(
                "SELECT task_id, count(*) FROM wbs_taskphoto WHERE task_id = ANY(%s) AND created_at >= %s "
                "GROUP BY task_id",
                (touched, since),
            )
        )
        audit = db.rows(
            """
            SELECT a.object_id::int, a.message, a.changes -> 'status' ->> 1, count(*)
            FROM core_auditentry a JOIN django_content_type c ON c.id = a.content_type_id
            WHERE c.app_label = 'wbs' AND c.model = 'task' AND a.object_id = ANY(%s) AND a.created_at >= %s
              AND a.actor_id IN (SELECT id FROM auth_user WHERE username IN ('cleaner1', 'cleaner2'))
            GROUP BY 1, 2, 3
            """,
            ([str(t) for t in touched], since),
        )
        audit_ticks: dict[int, int] = {}
        audit_photos: dict[int, int] = {}
        audit_moves: dict[tuple[int, str], int] = {}
        for task_id, message, new_status, count in audit:
            if message.startswith("Checklist ticked"):
                audit_ticks[task_id] = audit_ticks.get(task_id, 0) + count
            elif message.startswith("Photo added"):
                audit_photos[task_id] = audit_photos.get(task_id, 0) + count
            elif new_status:
                audit_moves[(task_id, new_status)] = audit_moves.get((task_id, new_status), 0) + count
        s3_objects = self._s3_objects()
        checks = [
            ("tasks finished (2xx on Done)", len(done),
             sum(1 for t in done if db_status.get(t) == "done"), "done in the database"),
            ("tasks started (2xx on Start)", len(started),
             sum(1 for t in started if db_status.get(t) in ("in_progress", "done")), "started or done"),
            ("checklist ticks (2xx)", len(ticked), len(ticked & db_ticked), "ticked in the database"),
            ("ticks in the database no client saw succeed", 0, len(db_ticked - ticked),
             f"(uncertain answers: {sum(1 for a in uncertain if a['action'] == 'tick')})"),
            ("photos (2xx)", sum(photos.values()), sum(db_photos.values()),
             f"rows in wbs_taskphoto (uncertain answers: {sum(unsure_photos.values())})"),
            ("tasks with more photos than 2xx uploads", 0,
             sum(1 for t, n in db_photos.items() if n > photos.get(t, 0) + unsure_photos.get(t, 0)), "doubled"),
            ("photo files in S3 (image + thumbnail)", 2 * sum(db_photos.values()), s3_objects, "objects in the bucket"),
            ("audit: 'Checklist ticked' entries", len(db_ticked), sum(audit_ticks.values()), "one per tick"),
            ("audit: 'Photo added' entries", sum(db_photos.values()), sum(audit_photos.values()), "one per photo"),
            ("audit: moves to done", sum(1 for s in db_status.values() if s == "done" and True),
             sum(n for (t, s), n in audit_moves.items() if s == "done"), "one per finished task"),
            ("tasks with a move audited twice", 0, sum(1 for n in audit_moves.values() if n > 1), "doubled"),
        ]  # fmt: skip
        print("\n### Writes: what the clients were told against the database")
        print(f"cleaner actions: {len(ok)} answered 2xx, {len(uncertain)} uncertain (5xx, 502, no answer), "
              f"{len(refused)} refused (4xx); tasks touched: {len(touched)}")  # fmt: skip
        print("| check | clients | database | |")
        print("|---|---:|---:|---|")
        for label, expected, found, note in checks:
            flag = "" if expected == found else " **MISMATCH**"
            print(f"| {label} | {expected} | {found}{flag} | {note} |")
        refusals: dict[str, int] = {}
        for a in refused + uncertain:
            key = f"{a['action']} {a['status']}"
            refusals[key] = refusals.get(key, 0) + 1
        if refusals:
            print(f"not 2xx, by action and status: {dict(sorted(refusals.items()))}")
        self.test.results["writes_ok"] = all(expected == found for _, expected, found, _ in checks)

    def _s3_objects(self) -> int:
        import boto3

        env = self.test.env
        client = boto3.client(
            "s3",
            endpoint_url=env["AWS_S3_ENDPOINT_URL"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_S3_REGION_NAME"],
        )
        count = 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=env["AWS_STORAGE_BUCKET_NAME"]):
            count += sum(1 for item in page.get("Contents", []) if item["Key"].startswith("task-photos/"))
        return count

    def server_errors(self) -> None:
        """Tracebacks in the app servers' and workers' logs: each is a bug to look at."""
        print("\n### Errors logged by the app servers and workers")
        found = False
        for path in sorted((self.test.workdir / "logs").glob("*.log")):
            if path.name.startswith(("locust", "s3", "nginx")):
                continue
            lines = path.read_text(errors="replace").splitlines()
            errors = [line for line in lines if '"level": "ERROR"' in line or line.startswith("Traceback")]
            if errors:
                found = True
                print(f"- {path.stem}: {len(errors)} error lines; first: {errors[0][:300]}")
        if not found:
            print("- none")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=12, help="locust users (managers and cleaners, 1:4)")
    parser.add_argument("--baseline", type=int, default=30, help="seconds of load before the first fault")
    parser.add_argument("--failover", type=int, default=20, help="seconds with one app server stopped")
    parser.add_argument("--after-restart", type=int, default=15, help="seconds of load after PostgreSQL is back")
    parser.add_argument("--import-rows", type=int, default=5000)
    parser.add_argument("--faults", default="app,worker,postgres", help="which faults to cause, comma-separated")
    parser.add_argument("--time-limit", type=int, default=420, help="locust stops by itself after this many seconds")
    parser.add_argument("--web-concurrency", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--scale", type=int, default=2, help="seed_demo --scale (more tasks for the cleaners)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", 8210)),
                        help="nginx's port; the app servers and S3 take the next three")  # fmt: skip
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("LOAD_REDIS_DB", 5)))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LOAD_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a database URL of a role that may create databases",
    )
    parser.add_argument("--database", default=os.environ.get("LOAD_DATABASE", "stayops_load"))
    parser.add_argument("--bin", default=os.environ.get("BIN") or str(Path(sys.executable).parent))
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs) at the end")
    args = parser.parse_args()
    if not shutil.which("nginx"):
        print("nginx is missing: run `make load-test` (installs Debian's nginx as root).", file=sys.stderr)
        return 2
    test = LoadTest(args)
    # Ctrl-C or a SIGTERM still tears everything down.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        test.run()
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        test.tear_down()
    return 0 if test.results.get("writes_ok") else 1


if __name__ == "__main__":
    sys.exit(main())
