"""The guard itself: counting first, giving back, and what happens while Redis is away."""

import pytest

from kabinet.core import counters, ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """A Redis that does not answer: nothing listens on port 9 of this machine."""
    settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:9/0"
    yield
    counters._redis_store.cache_clear()


def test_a_refused_event_keeps_no_count():
    for _ in range(5):
        ratelimit.hit(("login_account", "1000123456"))

    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit(("login_ip", "203.0.113.7"), ("login_account", "1000123456"))

    assert refused.value.limit == "login_account"
    assert "через 15 мин." in refused.value.message
    assert ratelimit.used("login_ip", "203.0.113.7") == 0
    assert ratelimit.used("login_account", "1000123456") == 5


def test_a_success_gives_its_count_back_and_forgets_the_failures():
    ratelimit.hit(("login_ip", "203.0.113.7"), ("login_account", "1000123456"))
    ticket = ratelimit.hit(("login_ip", "203.0.113.7"), ("login_account", "1000123456"))

    ticket.succeeded(forget=("login_account",))

    assert ratelimit.used("login_ip", "203.0.113.7") == 1
    assert ratelimit.used("login_account", "1000123456") == 0


def test_the_lock_lasts_a_whole_window_from_the_moment_it_was_used_up(settings):
    from unittest import mock

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": (2, 600)}
    with mock.patch("kabinet.core.counters.time.time", return_value=1_000_000.0):
        ratelimit.hit(("login_account", "x"))
    with mock.patch("kabinet.core.counters.time.time", return_value=1_000_500.0):
        ratelimit.hit(("login_account", "x"))  # used up at 500 s: locked until 1100 s
    with (
        mock.patch("kabinet.core.counters.time.time", return_value=1_000_900.0),
        pytest.raises(ratelimit.RateLimited, match=r"через 4 мин\."),
    ):
        ratelimit.hit(("login_account", "x"))


def test_while_redis_is_away_log_in_is_counted_in_the_database(redis_down):
    for _ in range(5):
        ratelimit.hit(("login_ip", "203.0.113.7"), ("login_account", "1000123456"))

    with pytest.raises(ratelimit.RateLimited, match="Слишком много неудачных попыток входа"):
        ratelimit.hit(("login_ip", "203.0.113.7"), ("login_account", "1000123456"))
    assert counters.DatabaseStore().peek(ratelimit._counter("login_account", "1000123456").key).value == 5


def test_while_redis_is_away_actions_that_send_sms_are_refused_plainly(redis_down):
    with pytest.raises(ratelimit.RateLimited, match="Отправка SMS временно недоступна"):
        ratelimit.hit_sms(ip="203.0.113.7", phone="+79123456789", account="1000123456")


def test_deploy_check_warns_of_a_redis_that_evicts_counters(settings):
    import redis

    from kabinet.core.checks import rate_limit_store

    url = "redis://127.0.0.1:6379/0"
    try:
        client = redis.Redis.from_url(url)
        saved = client.config_get("maxmemory*")
    except redis.RedisError:
        pytest.skip("no Redis with CONFIG on 127.0.0.1:6379")
    settings.RATE_LIMIT_REDIS_URL = url
    assert rate_limit_store(None) == [] or saved["maxmemory-policy"] != "noeviction"
    try:
        client.config_set("maxmemory-policy", "allkeys-lru")
        client.config_set("maxmemory", str(2**30))
        assert [w.id for w in rate_limit_store(None)] == ["kabinet.W001"]
    finally:
        client.config_set("maxmemory-policy", saved["maxmemory-policy"])
        client.config_set("maxmemory", saved["maxmemory"])
