"""gunicorn settings for every deployment (`make run`, systemd, the container image), each from the environment."""

import multiprocessing
import os
import shutil
import tempfile

# The app binds to loopback unless told otherwise: a load balancer or reverse proxy sits in front in production.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or '8000'}"
# Sync workers by default: pages are short database-bound requests; more processes than cores keeps a core busy
# while another worker waits on the database. Threads (GUNICORN_THREADS > 1, "gthread") serve other clients while a
# request waits on the database: under 20 clients at 60,000 tasks they doubled req/s on a CPU-starved machine and
# gained nothing on a quiet one (docs/benchmarks.md, "Pages under load"); worth it when PostgreSQL is far away.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")
# A worker silent for longer than this is killed and logged (imports of any size run in the worker). With threads
# the worker's heartbeat goes on while a request runs, so a slow query is cut by DB_STATEMENT_TIMEOUT_MS instead.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# On SIGTERM (a deploy, a scale-down) requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 25)
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
# Recycle workers now and then so a slow leak never grows without bound; jitter keeps them from restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 2000)
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER") or 200)
# Heartbeat files in memory: a worker on a slow or full disk is not taken for dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The app writes one JSON line per request itself; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# Behind a proxy, trust X-Forwarded-* only from the addresses listed (default: loopback).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
proc_name = "stayops"

# Prometheus metrics from every worker process: each writes its figures to files in this directory and /metrics
# adds them up. A caller (scripts/run.sh) that shares the directory with a db_worker sets and empties it itself.
_metrics_dir_given = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if not _metrics_dir_given:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(tempfile.gettempdir(), f"stayops-metrics-{os.getpid()}")


def on_starting(server):
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    if not _metrics_dir_given:
        shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
