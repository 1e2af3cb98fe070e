"""Rate limits hold across app servers: their counts live in the shared Redis, not in one process's memory.

Each app server is its own cache client (its own connection pool) on the same Redis database; the test makes a
second one mid-way, as a request reaching the other server would.
"""

import os
import uuid

import pytest
import redis
from django.core.cache import caches

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
IMPORT_URL = "/bookings/import/"


@pytest.fixture
def shared_redis(settings):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"test-{uuid.uuid4().hex[:8]}"

    def app_server():
        """A fresh cache client, as another app server has: same Redis, no shared process state."""
        settings.CACHES = {
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        return caches["default"]

    yield app_server
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_an_import_limit_reached_on_one_server_holds_on_the_other(manager_client, settings, shared_redis):
    settings.RATE_LIMIT_IMPORTS = "2/h"
    first = shared_redis()
    assert manager_client.post(IMPORT_URL, {}).status_code == 400
    assert manager_client.post(IMPORT_URL, {}).status_code == 400

    second = shared_redis()
    assert second is not first
    response = manager_client.post(IMPORT_URL, {})
    assert response.status_code == 429
