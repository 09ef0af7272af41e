"""The task queue as the metrics see it."""

from django.conf import settings

QUEUES = ("celery",)


def waiting() -> dict[str, int]:
    """Jobs waiting per queue (Redis lists of the broker); empty without a broker."""
    if not settings.REDIS_URL:
        return {}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    try:
        return {name: int(client.llen(name)) for name in QUEUES}
    except redis.RedisError:
        return {}
    finally:
        client.close()
