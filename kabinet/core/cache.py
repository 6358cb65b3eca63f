"""Django's Redis cache for Kabinet: one Redis client per connection pool, and a cache that is a
convenience, never a dependency.

- Django's client builds a new `redis.Redis` object for every cache operation; building one
  costs more than the round trip to Redis (its response callbacks are set up anew each time),
  and every cabinet page does several (the session, kept values). A `redis.Redis` object is safe
  to share between threads (each command borrows a connection from the pool), so one per pool
  is kept.
- While Redis is away (stopped, restarting, unreachable) a read is a miss and a write is
  skipped, logged once a minute: sessions come from the database alone (`cached_db`), kept
  values are read from their rows, and pages go on serving. The rate limits do not use this
  cache (kabinet.core.counters has its own fallback).
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("kabinet.cache")
REDIS_AWAY = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _or(method, answer):
    """`method`, answering `answer(*its arguments)` instead when Redis cannot be reached."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except REDIS_AWAY as error:
            self.away(method.__name__, error)
            return answer(*args, **kwargs)

    return call


def _false(*args, **kwargs) -> bool:
    return False


def _none(*args, **kwargs) -> None:
    return None


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
        self._warned_at = 0.0

    def validate_key(self, key: str) -> None:
        """Nothing to check: Django looks at every character of every key for what memcached
        would refuse (to warn), 3 µs a key and eight keys a cabinet page; Redis takes any key,
        and every key here is made by Kabinet's own code."""

    def away(self, action: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("cache away (%s: %s): going on without it", action, error)

    # Reads miss, writes are skipped; `incr` still raises (nothing here counts on the cache).
    get = _or(DjangoRedisCache.get, lambda key, default=None, version=None: default)
    get_many = _or(DjangoRedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _or(DjangoRedisCache.has_key, _false)
    add = _or(DjangoRedisCache.add, _false)
    touch = _or(DjangoRedisCache.touch, _false)
    delete = _or(DjangoRedisCache.delete, _false)
    set = _or(DjangoRedisCache.set, _none)
    delete_many = _or(DjangoRedisCache.delete_many, _none)
    set_many = _or(DjangoRedisCache.set_many, lambda data, *args, **kwargs: list(data))
