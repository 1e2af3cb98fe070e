"""The app served as `make run` serves it (gunicorn via scripts/web.sh, DEBUG off), on demo data in a throwaway
SQLite data directory: for measurements and screenshots that must see what a user's browser sees."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict) -> None:
    """What scripts/run.sh does before the web process: migrations, static files, the demo data."""
    subprocess.run(["scripts/migrate.sh"], cwd=PROJECT, env=env, check=True)
    subprocess.run([str(BIN / "python"), "manage.py", "seed_demo", "--force"], cwd=PROJECT, env=env, check=True)


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with exit code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


@contextlib.contextmanager
def served_demo(port: int = 0) -> Iterator[str]:
    """The base URL of the app with fresh demo data, served until the block ends."""
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="stayops-served-") as data_dir:
        env = {
            **{name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STAYOPS_DATA_DIR": data_dir,
            "PROMETHEUS_MULTIPROC_DIR": str(Path(data_dir) / "prometheus"),
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "BIN": str(BIN),
        }
        Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir()
        prepare(env)
        server = subprocess.Popen(["scripts/web.sh"], cwd=PROJECT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/health/", server)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
