"""The API's default throttles (per user, per anonymous address) counting in one cache round trip.

DRF's SimpleRateThrottle keeps each client's request times as a list in the cache: a GET
and a SET of that list per request, the list up to the whole rate long (1,200 floats for a
busy phone, pickled both ways). These count in a fixed window instead: on Redis one
Lua call doing INCR, EXPIRE NX and TTL; the window starts at the client's first request and
lasts the rate's period, the (limit+1)th request in it is refused, and Retry-After is the
window's remaining time. On another cache (the embedded default's local memory) add + incr.
The scopes, rates and cache keys are DRF's, so settings, docs/operations.md's table and the tests
that cut every rate to 1/min apply unchanged.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError
from rest_framework import throttling
from rest_framework.request import Request

# INCR, EXPIRE NX and TTL as one command: the window's count, given the window's length when the
# key is new (or lost its expiry), and the seconds the window has left. One Lua call is a third
# of a three-command pipeline's client work in redis-py, and atomic besides.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
_COUNT_SHA = hashlib.sha1(_COUNT_SCRIPT.encode(), usedforsecurity=False).hexdigest()


def count_hit(cache: Any, key: str, window_s: int) -> tuple[int, float]:
    """Count one request in ``key``'s window; returns (requests in the window, seconds left)."""
    if cache is default_cache:
        # DRF's throttles hold the proxy of the default cache: the backend behind it decides.
        cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        # config.redis_cache's client hands out one redis-py client per pool, not one per call.
        client = cache._cache.get_client(full_key, write=True)
        try:
            count, ttl = client.execute_command("EVALSHA", _COUNT_SHA, 1, full_key, window_s)
        except NoScriptError:  # not in the server's script cache (a restart): EVAL loads it
            count, ttl = client.execute_command("EVAL", _COUNT_SCRIPT, 1, full_key, window_s)
        return int(count), float(ttl if ttl and ttl > 0 else window_s)
    cache.add(key, 0, window_s)
    try:
        return int(cache.incr(key)), float(window_s)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, window_s)
        return 1, float(window_s)


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
        count, left = count_hit(self.cache, self.key, int(self.duration))
        if count <= self.num_requests:
            return True
        self._wait = left
        return False

    def wait(self) -> float | None:
        return self._wait


class UserRateThrottle(_CountingThrottle, throttling.UserRateThrottle):
    """DRF's per-user throttle (scope "user"; anonymous clients by address)."""


class AnonRateThrottle(_CountingThrottle, throttling.AnonRateThrottle):
    """DRF's anonymous throttle (scope "anon"); an authenticated request is not counted."""
