"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def environ(monkeypatch):
    return monkeypatch


def test_it_reads_booleans_and_refuses_nonsense(environ):
    environ.setenv("FLAG", "yes")
    assert env.env_bool("FLAG", False) is True
    environ.setenv("FLAG", "off")
    assert env.env_bool("FLAG", True) is False
    environ.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env.env_bool("FLAG", False)


def test_it_treats_an_empty_value_as_unset(environ):
    environ.setenv("PAGE", "")
    assert env.env_int("PAGE", 50) == 50
    environ.setenv("NAME", "  ")
    assert env.env_str("NAME", "default") == "default"


def test_it_refuses_a_number_that_is_not_one(environ):
    environ.setenv("PAGE", "fifty")
    with pytest.raises(ImproperlyConfigured, match="PAGE must be a whole number"):
        env.env_int("PAGE", 50)
    environ.setenv("PAGE", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("PAGE", 50, minimum=1)


def test_it_requires_a_variable_without_default(environ):
    environ.delenv("SECRET_KEY_X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable SECRET_KEY_X"):
        env.env_str("SECRET_KEY_X")


def test_it_parses_a_postgres_url():
    database = env.parse_database_url(
        "postgres://app:s%40cret@db.internal:6543/stayops?sslmode=require", conn_max_age=60, connect_timeout=3
    )
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"]) == (
        "app",
        "s@cret",
        "db.internal",
        "6543",
    )
    assert database["NAME"] == "stayops"
    assert database["OPTIONS"] == {"sslmode": "require", "connect_timeout": "3"}
    assert database["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("url", ["mysql://x@y/z", "postgres://x@y:5432/"])
def test_it_refuses_a_database_url_it_cannot_use(url):
    with pytest.raises(ImproperlyConfigured):
        env.parse_database_url(url, conn_max_age=0, connect_timeout=1)


def _manage(*args, **environment):
    test_only = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_NO_MANIFEST", "TASKS_BACKEND"}
    clean = {key: value for key, value in os.environ.items() if key not in test_only}
    clean.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_it_passes_the_deployment_checklist_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="x8#kP2v!qL9zR4wT7yB1nM6cF3hJ5dS0aG-uE_oI+pXl&Vq2mZ7rW",
        ALLOWED_HOSTS="stayops.example.com",
        SECURE_SSL_REDIRECT="true",
        SESSION_COOKIE_SECURE="true",
        CSRF_COOKIE_SECURE="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        SQLITE_PATH=str(tmp_path / "deploy.sqlite3"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
