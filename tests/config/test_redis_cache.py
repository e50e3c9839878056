"""config.redis_cache: Django's Redis cache with one redis-py client per connection pool."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from config.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="needs REDIS_URL: the Redis cache"
)


def test_every_call_gets_the_same_client_of_the_same_pool():
    backend = caches["default"]._cache
    first = backend.get_client("a", write=True)

    assert backend.get_client("b", write=True) is first
    assert backend.get_client("c") is first  # one server: reads and writes share its pool


def test_the_cache_still_does_what_djangos_does():
    cache = caches["default"]
    cache.delete("redis-cache-test")

    assert cache.add("redis-cache-test", 1, timeout=60) is True
    assert cache.add("redis-cache-test", 2, timeout=60) is False  # SET NX: the first one stays
    assert cache.get("redis-cache-test") == 1
    assert cache.incr("redis-cache-test") == 2
    cache.set("redis-cache-test", {"a": [1, 2]}, timeout=60)
    assert cache.get("redis-cache-test") == {"a": [1, 2]}
    assert cache.delete("redis-cache-test") is True
    assert cache.get("redis-cache-test", "gone") == "gone"


def test_add_sets_an_expiry_only_with_a_timeout_and_never_overwrites():
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    cache.delete_many(["redis-cache-forever", "redis-cache-minute", "redis-cache-now"])

    assert cache.add("redis-cache-forever", "a", timeout=None) is True
    assert cache.add("redis-cache-minute", "b", timeout=60) is True
    assert cache.add("redis-cache-now", "c", timeout=0) is True  # Django's: stored and gone at once

    assert client.ttl(cache.make_key("redis-cache-forever")) == -1
    assert 0 < client.ttl(cache.make_key("redis-cache-minute")) <= 60
    assert cache.get("redis-cache-now") is None
    assert cache.add("redis-cache-minute", "other", timeout=60) is False
    assert cache.get_many(["redis-cache-forever", "redis-cache-minute"]) == {
        "redis-cache-forever": "a",
        "redis-cache-minute": "b",
    }
    cache.delete_many(["redis-cache-forever", "redis-cache-minute"])
