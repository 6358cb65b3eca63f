"""Sessions in the database, read through the cache (Redis), that outlive the cache going away.

Django's `cached_db` reads a session from the cache and writes it to both; if Redis stops, a
few of its calls raise (writing back what it read from the database, `exists`, `delete`), and
every signed-in page and the log-in itself would fail. Here the cache is a convenience: while
it is away each call to it is skipped (logged once a minute), the database answers alone, and
nothing a resident did is lost. When Redis returns, sessions are cached again as they are read.
"""

import logging
import time

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

log = logging.getLogger("kabinet.sessions")
_last_warning = 0.0


def _cache_away(action: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        log.warning("session cache away (%s: %s): sessions from the database alone", action, error)


class _TolerantCache:
    """The session cache's four calls, each turned into a miss when the cache cannot answer."""

    def __init__(self, cache) -> None:
        self.cache = cache

    def get(self, key, default=None):
        try:
            return self.cache.get(key, default)
        except Exception as error:
            _cache_away("get", error)
            return default

    def set(self, key, value, timeout=None) -> None:
        try:
            self.cache.set(key, value, timeout)
        except Exception as error:
            _cache_away("set", error)

    def delete(self, key) -> None:
        try:
            self.cache.delete(key)
        except Exception as error:
            _cache_away("delete", error)

    def __contains__(self, key) -> bool:
        try:
            return key in self.cache
        except Exception as error:
            _cache_away("has_key", error)
            return False


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None) -> None:
        super().__init__(session_key)
        self._cache = _TolerantCache(caches[settings.SESSION_CACHE_ALIAS])
