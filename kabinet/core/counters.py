"""Where rate-limit counters live: Redis when configured, else a table of their own.

Every operation is atomic in the store itself, so that simultaneous requests in any number of
web processes see each other's counts: `incr` adds one and returns the new value in the same
step (never read-then-write). A window opens with the first count; when the count reaches the
limit, the window starts again from that moment, so a lock-out lasts a whole window.
"""

import random
import time
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import connection

from .models import LimitCounter


class StoreUnavailable(Exception):
    """The counters cannot be reached (Redis down): the guard decides whether to fail closed."""


@dataclass(frozen=True)
class Count:
    value: int
    seconds_left: int


class Store(Protocol):
    def incr(self, key: str, *, window: int, limit: int) -> Count: ...
    def decr(self, key: str) -> None: ...
    def peek(self, key: str) -> Count: ...
    def delete(self, *keys: str) -> None: ...


def _seconds_left(expires_at: float, now: float) -> int:
    return max(1, int(expires_at - now + 0.999))


class DatabaseStore:
    """`core_limitcounter`: one upsert with RETURNING (PostgreSQL, SQLite 3.35+)."""

    CLEANUP_CHANCE = 0.01

    def __init__(self) -> None:
        q = connection.ops.quote_name
        self.table = q(LimitCounter._meta.db_table)
        self.key, self.count, self.expires = q("key"), q("count"), q("expires_at")

    def incr(self, key: str, *, window: int, limit: int) -> Count:
        t, k, c, e = self.table, self.key, self.count, self.expires
        now = time.time()
        # SET reads the row as it was before this statement, on both databases.
        sql = (
            f"INSERT INTO {t} ({k}, {c}, {e}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{c} = CASE WHEN {t}.{e} <= %s THEN 1 ELSE {t}.{c} + 1 END, "
            f"{e} = CASE WHEN {t}.{e} <= %s OR {t}.{c} + 1 = %s THEN %s ELSE {t}.{e} END "
            f"RETURNING {c}, {e}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now + window, now, now, limit, now + window])
            value, expires_at = cursor.fetchone()
            if random.random() < self.CLEANUP_CHANCE:
                cursor.execute(f"DELETE FROM {t} WHERE {e} < %s", [now])
        return Count(value, _seconds_left(expires_at, now))

    def decr(self, key: str) -> None:
        t, k, c, e = self.table, self.key, self.count, self.expires
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {t} SET {c} = {c} - 1 WHERE {k} = %s AND {c} > 0 AND {e} > %s", [key, time.time()]
            )

    def peek(self, key: str) -> Count:
        now = time.time()
        row = (
            LimitCounter.objects.filter(key=key, expires_at__gt=now)
            .values_list("count", "expires_at")
            .first()
        )
        return Count(row[0], _seconds_left(row[1], now)) if row else Count(0, 0)

    def delete(self, *keys: str) -> None:
        LimitCounter.objects.filter(key__in=keys).delete()


# INCR and the expiry in one script: Redis runs a script whole, so no other command comes between.
_INCR = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 or n == tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""
_DECR = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0
"""


class RedisStore:
    """Counters as Redis keys with a TTL. The Redis must not evict them: docs/security.md."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix = prefix
        self._incr = self.client.register_script(_INCR)
        self._decr = self.client.register_script(_DECR)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _call(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except self.errors as error:
            raise StoreUnavailable(str(error)) from error

    def incr(self, key: str, *, window: int, limit: int) -> Count:
        value, ttl = self._call(self._incr, keys=[self._key(key)], args=[window * 1000, limit])
        return Count(int(value), max(1, -(-int(ttl) // 1000)))

    def decr(self, key: str) -> None:
        self._call(self._decr, keys=[self._key(key)])

    def peek(self, key: str) -> Count:
        pipe = self.client.pipeline()
        pipe.get(self._key(key))
        pipe.pttl(self._key(key))
        value, ttl = self._call(pipe.execute)
        return Count(int(value or 0), max(0, -(-int(ttl) // 1000))) if value else Count(0, 0)

    def delete(self, *keys: str) -> None:
        self._call(self.client.delete, *(self._key(key) for key in keys))


@cache
def _redis_store(url: str, prefix: str) -> RedisStore:
    return RedisStore(url, prefix)


def store() -> Store:
    """The configured store; read on every call, so a test's settings take effect at once."""
    url = settings.RATE_LIMIT_REDIS_URL
    if url:
        return _redis_store(url, settings.RATE_LIMIT_KEY_PREFIX)
    return DatabaseStore()


def database_store() -> Store:
    """The table, also where log-in and code counters go while Redis is down."""
    return DatabaseStore()
