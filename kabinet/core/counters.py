"""Where rate-limit counters live: Redis when configured, else a table of their own.

`take` counts one event on several counters at once, all or nothing: each counter goes up by
one, and if any is then over its limit, none of them keeps the count and the event is refused.
It is one Redis script, or one database transaction that locks the counters' rows in a fixed
order, so simultaneous events are decided one after another: of sixteen simultaneous attempts
against a limit of five, exactly five pass, however the counters interleave. A window opens with
the first count; when a count reaches its limit, the window starts again from that moment, so a
lock-out lasts a whole window.
"""

import random
import time
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import connection, transaction

from .models import LimitCounter


class StoreUnavailable(Exception):
    """The counters cannot be reached (Redis down): the guard decides whether to fail closed."""


@dataclass(frozen=True)
class Count:
    value: int
    seconds_left: int


@dataclass(frozen=True)
class Item:
    key: str
    window: int  # seconds
    limit: int  # 0: counted, never refused


@dataclass(frozen=True)
class Refused:
    index: int  # of the first item, in the caller's order, that is over its limit
    seconds_left: int


class Store(Protocol):
    def take(self, items: list[Item]) -> Refused | None: ...
    def decr(self, key: str) -> None: ...
    def peek(self, key: str) -> Count: ...
    def delete(self, *keys: str) -> None: ...


def _seconds_left(expires_at: float, now: float) -> int:
    return max(1, int(expires_at - now + 0.999))


class _Over(Exception):
    def __init__(self, refused: Refused) -> None:
        self.refused = refused


class DatabaseStore:
    """`core_limitcounter`: an upsert with RETURNING per counter (PostgreSQL, SQLite 3.35+)."""

    CLEANUP_CHANCE = 0.01

    def __init__(self) -> None:
        q = connection.ops.quote_name
        self.table = q(LimitCounter._meta.db_table)
        self.key, self.count, self.expires = q("key"), q("count"), q("expires_at")

    def _incr(self, cursor, item: Item, now: float) -> Count:
        t, k, c, e = self.table, self.key, self.count, self.expires
        # SET reads the row as it was before this statement, on both databases.
        cursor.execute(
            f"INSERT INTO {t} ({k}, {c}, {e}) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{c} = CASE WHEN {t}.{e} <= %s THEN 1 ELSE {t}.{c} + 1 END, "
            f"{e} = CASE WHEN {t}.{e} <= %s OR {t}.{c} + 1 = %s THEN %s ELSE {t}.{e} END "
            f"RETURNING {c}, {e}",
            [item.key, now + item.window, now, now, item.limit, now + item.window],
        )
        value, expires_at = cursor.fetchone()
        return Count(value, _seconds_left(expires_at, now))

    def take(self, items: list[Item]) -> Refused | None:
        now = time.time()
        try:
            # The rows stay locked until the decision: in key order, so that two events never
            # wait for each other's rows. A refusal rolls the counts back.
            with transaction.atomic(), connection.cursor() as cursor:
                over = []
                for index, item in sorted(enumerate(items), key=lambda pair: pair[1].key):
                    count = self._incr(cursor, item, now)
                    if item.limit and count.value > item.limit:
                        over.append(Refused(index, count.seconds_left))
                if over:
                    raise _Over(min(over, key=lambda refused: refused.index))
                if random.random() < self.CLEANUP_CHANCE:
                    cursor.execute(f"DELETE FROM {self.table} WHERE {self.expires} < %s", [now])
        except _Over as refusal:
            return refusal.refused
        return None

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


# Every counter of one event in one script: Redis runs a script whole, nothing comes between.
# KEYS: the counters; ARGV: window (ms) and limit of each in turn.
_TAKE = """
local over, over_ttl = 0, 0
for i, key in ipairs(KEYS) do
  local window, limit = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local n = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if n == 1 or ttl < 0 or n == limit then
    redis.call('PEXPIRE', key, window)
    ttl = window
  end
  if limit > 0 and n > limit and over == 0 then
    over, over_ttl = i, ttl
  end
end
if over > 0 then
  for _, key in ipairs(KEYS) do
    if redis.call('DECR', key) <= 0 then redis.call('DEL', key) end
  end
end
return {over, over_ttl}
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
        self._take = self.client.register_script(_TAKE)
        self._decr = self.client.register_script(_DECR)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _call(self, action, *args, **kwargs):
        try:
            return action(*args, **kwargs)
        except self.errors as error:
            raise StoreUnavailable(str(error)) from error

    def take(self, items: list[Item]) -> Refused | None:
        args = [number for item in items for number in (item.window * 1000, item.limit)]
        over, ttl = self._call(self._take, keys=[self._key(item.key) for item in items], args=args)
        return Refused(int(over) - 1, max(1, -(-int(ttl) // 1000))) if int(over) else None

    def decr(self, key: str) -> None:
        self._call(self._decr, keys=[self._key(key)])

    def peek(self, key: str) -> Count:
        pipe = self.client.pipeline()
        pipe.get(self._key(key))
        pipe.pttl(self._key(key))
        value, ttl = self._call(pipe.execute)
        return Count(int(value), max(1, -(-int(ttl) // 1000))) if value else Count(0, 0)

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
