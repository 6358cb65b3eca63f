"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's client builds a new `redis.Redis` object for every cache operation; building one costs
more than the round trip to Redis (its response callbacks are set up anew each time), and every
cabinet page does several (the session, kept values). A `redis.Redis` object is safe to share
between threads (each command borrows a connection from the pool), so one per pool is kept.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
