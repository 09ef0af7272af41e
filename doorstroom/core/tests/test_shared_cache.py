"""The shared cache's backend against the real local Redis: two processes' caches count together,
and each cache keeps one client per connection pool instead of building one per call."""

import os

from django.core.cache.backends.redis import RedisCache

import pytest

from doorstroom.core.shared_cache import SharedRedisCache
from doorstroom.operations.tests.test_health import REDIS, redis_reachable

pytestmark = pytest.mark.skipif(
    not redis_reachable() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379"
)


def test_two_processes_count_together_and_each_reuses_its_client():
    prefix = f"shared-cache-test-{os.getpid()}"
    one = SharedRedisCache(REDIS, {"KEY_PREFIX": prefix})
    other = SharedRedisCache(REDIS, {"KEY_PREFIX": prefix})  # another worker's cache
    one.delete("teller")
    assert one.add("teller", 0, 30)
    assert one.incr("teller", 1) == 1
    assert other.incr("teller", 1) == 2 and one.get("teller") == 2
    assert one._cache.get_client(write=True) is one._cache.get_client(write=False)
    plain = RedisCache(REDIS, {"KEY_PREFIX": prefix})
    assert plain._cache.get_client() is not plain._cache.get_client()  # what this backend saves
    assert plain.get("teller") == 2  # the same keys and values as Django's own backend
    one.delete("teller")
