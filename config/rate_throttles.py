"""The API's default throttles (per user, per anonymous address) counting in one cache round trip.

DRF's SimpleRateThrottle keeps each client's request times as a list in the cache: a GET
and a SET of that list per request, the list up to the whole rate long (1,200 floats for a
busy phone, pickled both ways). These count in a fixed window instead: on Redis one
Lua call doing INCR, EXPIRE NX and TTL; the window starts at the client's first request and
lasts the rate's period, the (limit+1)th request in it is refused, and Retry-After is the
window's remaining time. On another cache (the embedded default's local memory) add + incr.
The scopes, rates and cache keys are DRF's, so settings, docs/operations.md's table and the tests
that cut every rate to 1/min apply unchanged.

A scope with a large limit (the per-user 1,200 a minute) does not ask Redis on every request:
a process takes permits a few at a time and spends them locally (_Leases, below). That Redis call
was a tenth of an episode POST's time (bench/throughput.sh).
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError
from rest_framework import throttling
from rest_framework.request import Request

# INCRBY, PEXPIRE NX and PTTL as one command: the window's count after adding ARGV[2] hits, given
# the window's length (ms) when the key is new (or lost its expiry), and the milliseconds the
# window has left. One Lua call is a third of a three-command pipeline's client work in redis-py,
# and atomic besides.
_COUNT_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
"""
_COUNT_SHA = hashlib.sha1(_COUNT_SCRIPT.encode(), usedforsecurity=False).hexdigest()


def count_hit(cache: Any, key: str, window_s: int, hits: int = 1) -> tuple[int, float]:
    """Count ``hits`` requests in ``key``'s window; returns (requests in the window, seconds left).
    More than one hit (a lease) only on Redis."""
    cache = backend(cache)
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        # config.redis_cache's client hands out one redis-py client per pool, not one per call.
        client = cache._cache.get_client(full_key, write=True)
        args = (1, full_key, window_s * 1000, hits)
        try:
            count, left_ms = client.execute_command("EVALSHA", _COUNT_SHA, *args)
        except NoScriptError:  # not in the server's script cache (a restart): EVAL loads it
            count, left_ms = client.execute_command("EVAL", _COUNT_SCRIPT, *args)
        return int(count), (left_ms / 1000 if left_ms and left_ms > 0 else float(window_s))
    if hits != 1:
        raise ValueError("only a Redis window takes several hits at once")
    cache.add(key, 0, window_s)
    try:
        return int(cache.incr(key)), float(window_s)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, window_s)
        return 1, float(window_s)


def backend(cache: Any) -> Any:
    # DRF's throttles hold the proxy of the default cache: the backend behind it decides.
    return caches[DEFAULT_CACHE_ALIAS] if cache is default_cache else cache


# A lease is at most this share of a window's limit: a scope of fewer than 2 x LEASE_SHARE requests
# a window (every login, registration and anonymous limit) counts each request in Redis.
LEASE_SHARE = 100


def lease_size(cache: Any, limit: int) -> int:
    """How many permits a request that finds none takes from ``cache`` at once."""
    return max(1, limit // LEASE_SHARE) if isinstance(backend(cache), RedisCache) else 1


class _Leases:
    """Permits this process has taken from a Redis window and not spent yet, by cache key.

    Redis counted every one of them when it was taken, so a window never admits more than its
    limit, however many processes share it; a lease ends with the window it came from (the
    window's PTTL when taken), so none is spent in the next. What it costs: permits one process
    took and did not spend are lost to the others, so a client whose requests spread over N
    processes may be refused up to N x (lease - 1) requests before its limit, 1% of the limit per
    process (LEASE_SHARE). A web process serves a client's burst from one lease: one Redis call
    per lease instead of one per request.
    """

    MAX_KEYS = 10_000  # past this many clients with unspent permits, the expired ones go

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._held: dict[str, tuple[int, float]] = {}  # key -> (permits left, the window's end)
        self._lock = threading.Lock()  # a gthread worker's threads share the process's leases

    def spend(self, key: str) -> bool:
        """Spend one of ``key``'s permits if this process holds one in a window still open."""
        with self._lock:
            held = self._held.get(key)
            if held is None:
                return False
            left, ends = held
            if ends <= self._clock():
                del self._held[key]
                return False
            if left > 1:
                self._held[key] = (left - 1, ends)
            else:
                del self._held[key]
            return True

    def keep(self, key: str, permits: int, seconds_left: float) -> None:
        """Hold ``permits`` of ``key``'s window, which ends in ``seconds_left``."""
        with self._lock:
            now = self._clock()
            if len(self._held) >= self.MAX_KEYS:
                self._held = {k: held for k, held in self._held.items() if held[1] > now}
                if len(self._held) >= self.MAX_KEYS:
                    self._held.clear()  # unspent permits are only ever lost, never given twice
            self._held[key] = (permits, now + seconds_left)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


LEASES = _Leases()


class _CountingThrottle(throttling.SimpleRateThrottle):
    _wait: float | None = None
    # Set by SimpleRateThrottle.__init__ from the scope's rate.
    num_requests: int
    duration: int

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        lease = lease_size(self.cache, self.num_requests)
        if lease > 1 and LEASES.spend(self.key):
            return True
        count, left = count_hit(self.cache, self.key, int(self.duration), lease)
        # The hits this call added are permits while the count stays within the limit.
        granted = min(lease, self.num_requests - (count - lease))
        if granted >= 1:
            if granted > 1:
                LEASES.keep(self.key, granted - 1, left)
            return True
        self._wait = left
        return False

    def wait(self) -> float | None:
        return self._wait


class UserRateThrottle(_CountingThrottle, throttling.UserRateThrottle):
    """DRF's per-user throttle (scope "user"; anonymous clients by address)."""


class AnonRateThrottle(_CountingThrottle, throttling.AnonRateThrottle):
    """DRF's anonymous throttle (scope "anon"); an authenticated request is not counted."""
