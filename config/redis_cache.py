"""Django's Redis cache, keeping one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache call; building one (its
table of response callbacks) costs more CPU than the round trip it then makes: about a third
of the throttle's count every API request makes (config.rate_throttles), bench/throughput.sh.
A redis-py client is safe to share between threads (each command takes a connection from the
pool and gives it back), so each pool's client is made once and kept; the pools, their options
and every cache method are Django's own.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    """Django's client, handing out the same redis-py client for the same connection pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # its pools and redis-py client class, which the stubs leave out
        pool = django_client._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._clients[id(pool)] = django_client._client(connection_pool=pool)
        return client

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        """Django's add (SET NX, with EX unless the timeout is None), sent as the raw command:
        redis-py's set() spends more in checking its keyword arguments than the command costs
        to send."""
        if timeout == 0:
            return bool(super().add(key, value, timeout))  # Django's add-then-delete
        django_client: Any = self  # its serializer, which the stubs leave out
        expiry = () if timeout is None else ("EX", timeout)
        command = ("SET", key, django_client._serializer.dumps(value), *expiry, "NX")
        return bool(self.get_client(key, write=True).execute_command(*command))


class RedisCache(redis.RedisCache):
    """The cache backend settings name (CACHES) when REDIS_URL is set."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
