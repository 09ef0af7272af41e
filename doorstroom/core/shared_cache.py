"""The shared cache on Redis (settings: REDIS_URL), with one client object per connection pool.

Django's Redis client builds a new `redis.Redis` for every call, and each one copies its table of
about two hundred response callbacks; the API's rate limit reads and writes the cache on every
request, so that was a measurable part of a write (ADR 0026). A `redis.Redis` on a pool is safe to
share between threads, and the pool reconnects after a fork."""

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # Django's private helpers, which its type stubs do not list
        index = django_client._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = django_client._get_connection_pool(write)
            client = self._clients[index] = django_client._client(connection_pool=pool)
        return client


class SharedRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
