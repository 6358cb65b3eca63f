"""Sessions read from Redis (`cached_db`, as settings choose when REDIS_URL is set): a resident
stays signed in between requests, and logging out ends the session for whoever holds its cookie."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
PREFIX = "kabinet-test-sessions-wt5p"


@pytest.fixture
def sessions_in_redis(settings):
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "kabinet.core.cache.RedisCache",  # as settings choose with REDIS_URL
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": PREFIX,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield
    # A shared Redis: only our own keys are deleted, never FLUSHDB.
    r = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in r.scan_iter(f"{PREFIX}:*"):
        r.delete(key)


def test_logging_out_ends_a_session_kept_in_redis(sessions_in_redis, client, company, registered_ivanov):
    cabinet = reverse("residents:cabinet")
    answer = client.post(reverse("residents:login"), {"username": "1000123456", "password": PASSWORD})
    assert answer.status_code == 302
    assert client.get(cabinet).status_code == 200
    cookie = client.cookies["sessionid"].value
    assert _keys_holding(cookie)  # read from Redis, not only from the database

    client.post(reverse("residents:logout"))

    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert stolen.get(cabinet)["Location"].startswith(reverse("residents:login"))
    assert not _keys_holding(cookie)


def _keys_holding(session_key: str) -> list:
    import redis

    return list(redis.Redis.from_url("redis://127.0.0.1:6379/0").scan_iter(f"{PREFIX}:*{session_key}"))


def test_with_redis_away_residents_sign_in_and_stay_signed_in_from_the_database(
    settings, client, company, registered_ivanov
):
    settings.CACHES = {
        "default": {
            "BACKEND": "kabinet.core.cache.RedisCache",  # as settings choose with REDIS_URL
            "LOCATION": "redis://127.0.0.1:1/0",  # nobody listens there: Redis stopped
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cabinet = reverse("residents:cabinet")

    answer = client.post(reverse("residents:login"), {"username": "1000123456", "password": PASSWORD})

    assert answer.status_code == 302
    page = client.get(cabinet)
    assert page.status_code == 200
    assert escape(company.name) in page.content.decode()  # the kept company, read from its row
    client.post(reverse("residents:logout"))
    assert client.get(cabinet)["Location"].startswith(reverse("residents:login"))


def test_the_cache_keeps_one_redis_client_per_pool_and_still_forgets(sessions_in_redis):
    from django.core.cache import cache

    cache.set("kept-client-check", {"a": 1})
    assert cache.get("kept-client-check") == {"a": 1}
    cache.delete("kept-client-check")
    assert cache.get("kept-client-check") is None
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
