"""The API's default throttles count in one cache round trip, with DRF's scopes and keys.

On Redis (CI, production) the count is one Lua call of INCR/EXPIRE NX/TTL; on the embedded
default's local memory it is add + incr. Either way: the rate's number of requests pass
in a window, the next one is a 429 with Retry-After, and the window's end lets requests through again.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from config import rate_throttles
from config.rate_throttles import AnonRateThrottle, UserRateThrottle, count_hit

pytestmark = pytest.mark.django_db
needs_redis = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="needs REDIS_URL: the Redis path"
)


def test_the_api_uses_the_counting_throttles():
    assert [AnonRateThrottle, UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES


@needs_redis
def test_on_redis_a_window_counts_up_and_says_how_long_it_has_left():
    redis_cache = caches["default"]
    redis_cache.delete("throttle_test_window")

    counts = [count_hit(redis_cache, "throttle_test_window", 60) for _ in range(3)]

    assert [count for count, _ in counts] == [1, 2, 3]
    assert all(0 < left <= 60 for _, left in counts)


@needs_redis
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


@needs_redis
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


# Leases: a scope with a large limit takes permits from Redis a few at a time (config.rate_throttles).


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _as_user(pk: int) -> SimpleNamespace:
    """What UserRateThrottle reads of a request: its user."""
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=pk))


@pytest.fixture
def per_user_rate(monkeypatch):
    """The per-user rate at 1,000 a minute (leases of 10), leases of this process forgotten."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "1000/min", "anon": "120/min"})
    rate_throttles.LEASES.clear()
    yield 1000
    rate_throttles.LEASES.clear()


def _window_count(key: str) -> int:
    redis_cache = caches["default"]
    value = redis_cache._cache.get_client(write=True).get(redis_cache.make_and_validate_key(key))
    return int(value or 0)


@needs_redis
def test_a_busy_client_asks_redis_once_a_lease_and_passes_exactly_its_limit(per_user_rate):
    caches["default"].delete("throttle_user_910001")
    throttle, request = UserRateThrottle(), _as_user(910001)
    lease = rate_throttles.lease_size(throttle.cache, per_user_rate)

    first = throttle.allow_request(request, None)
    after_first = _window_count("throttle_user_910001")
    for _ in range(lease - 1):
        throttle.allow_request(request, None)
    after_lease = _window_count("throttle_user_910001")
    throttle.allow_request(request, None)

    assert lease == 10 and first
    assert after_first == after_lease == lease  # the lease's other permits cost no Redis call
    assert _window_count("throttle_user_910001") == 2 * lease
    answers = [throttle.allow_request(request, None) for _ in range(per_user_rate)]
    # One process spends every permit it leased: the limit exactly, then a refusal with its wait.
    assert answers.count(True) == per_user_rate - lease - 1
    assert answers[-1] is False and 0 < throttle.wait() <= 60


@needs_redis
def test_processes_sharing_a_window_never_pass_more_than_its_limit(per_user_rate, monkeypatch):
    caches["default"].delete("throttle_user_910002")
    processes = [rate_throttles._Leases() for _ in range(3)]
    request = _as_user(910002)
    passed = 0
    for n in range(2 * per_user_rate):
        monkeypatch.setattr(rate_throttles, "LEASES", processes[n % 3])  # round robin, as a balancer
        passed += UserRateThrottle().allow_request(request, None)

    lease = rate_throttles.lease_size(caches["default"], per_user_rate)
    # Never more than the limit; at most (lease - 1) permits lost in each process's last lease.
    assert per_user_rate - 3 * (lease - 1) <= passed <= per_user_rate


def test_small_limits_count_every_request():
    for limit in (1, 3, 10, 120, 199):
        assert rate_throttles.lease_size(caches["default"], limit) == 1
    assert rate_throttles.lease_size(LocMemCache("throttle-test", {}), 1200) == 1
    if isinstance(caches["default"], RedisCache):
        assert rate_throttles.lease_size(caches["default"], 1200) == 12


def test_a_lease_ends_with_its_window():
    clock = _Clock()
    leases = rate_throttles._Leases(clock)
    leases.keep("k", 2, seconds_left=10.0)

    assert leases.spend("k")
    clock.now += 10.0  # the window the permits came from is over
    assert not leases.spend("k")


def test_a_lease_is_spent_once_per_permit():
    leases = rate_throttles._Leases(_Clock())
    leases.keep("k", 3, seconds_left=60.0)

    assert [leases.spend("k") for _ in range(4)] == [True, True, True, False]
    assert not leases.spend("another client")


def test_leases_held_stay_bounded(monkeypatch):
    clock = _Clock()
    leases = rate_throttles._Leases(clock)
    monkeypatch.setattr(rate_throttles._Leases, "MAX_KEYS", 3)
    leases.keep("old", 5, seconds_left=1.0)
    leases.keep("a", 5, seconds_left=60.0)
    leases.keep("b", 5, seconds_left=60.0)
    clock.now += 2.0

    leases.keep("c", 5, seconds_left=60.0)  # full: the expired lease goes first
    assert [leases.spend(k) for k in ("a", "b", "c", "old")] == [True, True, True, False]
    leases.keep("d", 5, seconds_left=60.0)  # full of live leases: all dropped (never given twice)
    assert [leases.spend(k) for k in ("a", "b", "c", "d")] == [False, False, False, True]
