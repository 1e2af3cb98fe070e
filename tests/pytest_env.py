"""Loaded with `-p tests.pytest_env` before Django reads its settings: the environment every test run has."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("TASKS_BACKEND", "immediate")
# Tests serve static files from the source folders; tests/test_static.py checks the production build.
os.environ.setdefault("STATIC_NO_MANIFEST", "true")
# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

_static_root = Path(__file__).resolve().parent.parent / "test-artifacts" / "staticfiles"
_static_root.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("STATIC_ROOT", str(_static_root))
# Calendar feeds in tests are served by loopback HTTP servers, which production refuses.
os.environ.setdefault("CALENDAR_ALLOW_PRIVATE_HOSTS", "true")
