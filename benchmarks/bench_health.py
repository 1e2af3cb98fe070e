"""Requests per second of /health/ against a bare "ok" view, both under gunicorn with 2 workers.

Usage: .venv/bin/python benchmarks/bench_health.py [--seconds 10] [--connections 16]
Uses wrk when installed (apt-get install wrk), otherwise a small threaded Python client.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PATHS = {"/health/": "health (liveness)", "/bench/ok/": "bare Django view"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def run_wrk(url: str, seconds: int, connections: int) -> float:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def run_python_client(url: str, seconds: int, connections: int) -> float:
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, path = port_path.split("/", 1)
    counts = [0] * connections
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        while time.monotonic() < stop_at:
            connection.request("GET", "/" + path)
            connection.getresponse().read()
            counts[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="stayops-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SQLITE_PATH": str(workdir / "bench.sqlite3"),
        "STATIC_ROOT": str(workdir / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT, env=env, check=True)
    port = free_port()
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "config.wsgi"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port)
        runner = run_wrk if shutil.which("wrk") else run_python_client
        client = "wrk -t2" if runner is run_wrk else "python threads"
        results: dict[str, list[float]] = {path: [] for path in PATHS}
        for _ in range(args.rounds):  # interleaved rounds, so drift hits both alike
            for path in PATHS:
                results[path].append(runner(f"http://127.0.0.1:{port}{path}", args.seconds, args.connections))
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    best = {path: max(values) for path, values in results.items()}
    print(f"gunicorn 2 workers, {client}, {args.connections} connections, {args.rounds} x {args.seconds} s each")
    print(f"{'endpoint':<28}{'best req/s':>12}{'all rounds':>36}")
    for path, label in PATHS.items():
        rounds = ", ".join(f"{value:,.0f}" for value in results[path])
        print(f"{label + ' ' + path:<28}{best[path]:>12,.0f}{rounds:>36}")
    print(f"ratio health / bare view: {best['/health/'] / best['/bench/ok/']:.2f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
