"""The production static build: hashed, compressed files that pages link to; vendored htmx with its licence."""

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_it_builds_hashed_compressed_static_files_and_pages_link_to_them(tmp_path):
    static_root = tmp_path / "static"
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "static-build-test-secret-key-0123456789-abcdefghijklmnop",
        "STATIC_ROOT": str(static_root),
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    build = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    manifest = (static_root / "staticfiles.json").read_text()
    assert "vendor/htmx/htmx.min.js" in manifest
    assert list(static_root.glob("css/app.*.css.gz")), "whitenoise should have compressed the CSS"

    render = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.templatetags.static import static; "
            "print(static('css/app.css'))",
        ],
        cwd=PROJECT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert render.returncode == 0, render.stderr
    assert render.stdout.strip().startswith("/static/css/app.") and render.stdout.strip() != "/static/css/app.css"


def test_vendored_libraries_carry_their_licences():
    vendor = PROJECT / "static" / "vendor"
    for library in ("htmx", "sortablejs"):
        assert (vendor / library / "LICENSE").exists()
    assert "2.0." in (vendor / "README.md").read_text()
