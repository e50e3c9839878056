"""The API's default throttles count in one cache round trip, with DRF's scopes and keys.

On Redis (CI, production) the count is one Lua call of INCR/EXPIRE NX/TTL; on the embedded
default's local memory it is add + incr. Either way: the rate's number of requests pass
in a window, the next one is a 429 with Retry-After, and the window's end lets requests through again.
"""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config.rate_throttles import AnonRateThrottle, UserRateThrottle, count_hit

pytestmark = pytest.mark.django_db


def test_the_api_uses_the_counting_throttles():
    assert [AnonRateThrottle, UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES


@pytest.mark.skipif(not isinstance(caches["default"], RedisCache), reason="needs REDIS_URL: the Redis path")
def test_on_redis_a_window_counts_up_and_says_how_long_it_has_left():
    redis_cache = caches["default"]
    redis_cache.delete("throttle_test_window")

    counts = [count_hit(redis_cache, "throttle_test_window", 60) for _ in range(3)]

    assert [count for count, _ in counts] == [1, 2, 3]
    assert all(0 < left <= 60 for _, left in counts)


@pytest.mark.skipif(not isinstance(caches["default"], RedisCache), reason="needs REDIS_URL: the Redis path")
def test_the_throttles_count_on_redis_in_one_round_trip(monkeypatch, auth_client):
    # DRF hands the throttle the default cache's proxy: the count must still take the Redis path.
    add_or_incr = []
    backend = type(caches["default"])
    monkeypatch.setattr(backend, "add", lambda *args, **kwargs: add_or_incr.append("add"))
    monkeypatch.setattr(backend, "incr", lambda *args, **kwargs: add_or_incr.append("incr"))

    assert auth_client.get("/api/v1/episodes/").status_code == 200
    assert add_or_incr == []


def test_on_local_memory_a_window_counts_up_and_starts_again_when_it_expires():
    local = LocMemCache("throttle-test", {})

    assert [count_hit(local, "k", 60)[0] for _ in range(3)] == [1, 2, 3]
    local.delete("k")  # the window's end
    assert count_hit(local, "k", 60)[0] == 1


def test_the_request_past_the_rate_is_a_429_with_retry_after(monkeypatch, auth_client):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    caches["default"].clear()

    statuses = [auth_client.get("/api/v1/episodes/").status_code for _ in range(4)]
    refused = auth_client.get("/api/v1/episodes/")

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"]


def test_one_users_requests_do_not_count_against_another(monkeypatch, client_for, make_user):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    caches["default"].clear()
    first, second = client_for(make_user()), client_for(make_user())

    assert [first.get("/api/v1/episodes/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/episodes/").status_code == 200


@pytest.mark.skipif(not isinstance(caches["default"], RedisCache), reason="needs REDIS_URL: the Redis path")
def test_on_redis_the_count_survives_a_flushed_script_cache_and_mends_a_window_without_expiry():
    redis_cache = caches["default"]
    client = redis_cache._cache.get_client(write=True)
    redis_cache.delete("throttle_test_mend")

    client.script_flush()  # as after a Redis restart: EVALSHA finds no script, EVAL loads it
    assert count_hit(redis_cache, "throttle_test_mend", 60)[0] == 1
    full_key = redis_cache.make_and_validate_key("throttle_test_mend")
    client.persist(full_key)  # a window whose expiry was lost never ends: the next count sets one
    count, left = count_hit(redis_cache, "throttle_test_mend", 60)

    assert count == 2 and left == 60
    assert 0 < client.ttl(full_key) <= 60
