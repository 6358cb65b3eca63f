"""`manage.py check --deploy`: settings that would let the limits quietly stop holding."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def rate_limit_store(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A Redis that evicts keys when full drops live lock-outs like a full cache does."""
    if not settings.RATE_LIMIT_REDIS_URL:
        return []
    import redis

    try:
        client = redis.Redis.from_url(
            settings.RATE_LIMIT_REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "noeviction")
        limit = int(client.config_get("maxmemory").get("maxmemory", "0"))
    except redis.ResponseError:
        return []  # CONFIG is not allowed (a managed Redis): nothing to read, nothing to say
    except (redis.RedisError, OSError) as error:
        return [checks.Warning(f"Redis for rate limits does not answer: {error}", id="kabinet.W002")]
    if limit and policy != "noeviction":
        return [
            checks.Warning(
                f"Redis for rate limits has maxmemory-policy {policy}: when full it drops counters "
                "and lock-outs end early.",
                hint="Set maxmemory-policy noeviction, or give the limits a Redis of their own "
                "(RATE_LIMIT_REDIS_URL).",
                id="kabinet.W001",
            )
        ]
    return []
