"""`make run` serves like production: gunicorn with DEBUG off, a generated secret key, hashed static files, our 404."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def running_app(tmp_path):
    port = _free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "STATIC_ROOT", "STATIC_NO_MANIFEST", "TASKS_BACKEND"}
    }
    environment |= {
        "WEB_CONCURRENCY": "2",
        "PORT": str(port),
        "STAYOPS_DATA_DIR": str(tmp_path),
        "BIN": str(Path(sys.executable).parent),
    }
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"scripts/run.sh exited: {(tmp_path / 'run.log').read_text()[-3000:]}")
            try:
                if _get(f"{base}/health/live/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"no answer within {START_SECONDS}s: {(tmp_path / 'run.log').read_text()[-3000:]}")
        yield base, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_it_serves_like_production(running_app):
    base, data_dir = running_app
    status, headers, body = _get(f"{base}/accounts/login/")
    assert status == 200
    assert "gunicorn" in (data_dir / "run.log").read_text()
    # Hashed static file names mean the manifest storage (and so DEBUG off) is in use.
    assert b"/static/css/app." in body and b".css" in body

    status, _, body = _get(f"{base}/no-such-page/")
    assert status == 404
    assert b"There is nothing here" in body
    assert b"Django tried these URL patterns" not in body

    key_file = data_dir / "secret_key"
    assert key_file.stat().st_size > 40
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert (data_dir / "stayops.sqlite3").exists()
