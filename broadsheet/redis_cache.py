"""Django's Redis cache backend for a Redis that may be down: a cache, never a dependency.

Every call goes through the server's guard (broadsheet/redis_guard.py): while Redis is
unreachable the cache acts as an empty one (reads miss, writes are dropped, nothing raises),
each call failing at once instead of waiting a timeout. So sessions (cached_db) fall back to the
database, pages are rendered instead of served from the cache, and counters kept in the cache
(incr of a key that is "missing") take the path their callers have for a missing key.

The client is one per server (redis_guard.redis_client): Django's RedisCacheClient builds a
new redis.Redis object for every cache call, and each one registers some 170 response
callbacks, 18% of the CPU of a page served from the cache (bench/results/load_pages.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.utils.functional import cached_property

from broadsheet.redis_guard import RedisUnavailableError, guard_for, redis_client

logger = logging.getLogger(__name__)

_MISSING = object()


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers, *, timeout: float = 0.1, **options) -> None:
        super().__init__(servers, **options)
        self._timeout = timeout
        # Replicas (more servers) share the primary's breaker: one deployment, one Redis.
        self._guard = guard_for(self._servers[0])

    def get_client(self, key=None, *, write: bool = False):
        url = self._servers[self._get_connection_pool_index(write)]
        return redis_client(url, timeout=self._timeout)

    def _guarded(self, fallback, method: Callable, *args):
        try:
            return self._guard.call(method, *args)
        except RedisUnavailableError as error:
            if not self._guard.is_down:  # Redis answered with an error: say which
                logger.warning("cache: Redis refused a command (%s)", error)
            if fallback is _MISSING:
                raise ValueError("the cache is unavailable") from error
            return fallback

    # While Redis is down the cache behaves as an empty cache that forgets at once: reads miss,
    # writes are dropped, add() succeeds (the key was absent; so a lock taken with add, like
    # allauth's rate-limit lock, is granted rather than waited for), delete() finds nothing.
    def add(self, key, value, timeout):
        return self._guarded(True, super().add, key, value, timeout)

    def get(self, key, default):
        return self._guarded(default, super().get, key, default)

    def set(self, key, value, timeout):
        return self._guarded(None, super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._guarded(False, super().touch, key, timeout)

    def delete(self, key):
        return self._guarded(False, super().delete, key)

    def get_many(self, keys):
        return self._guarded({}, super().get_many, keys)

    def has_key(self, key):
        return self._guarded(False, super().has_key, key)

    def incr(self, key, delta):
        # As for a missing key: Django's incr raises ValueError, and its callers handle it.
        return self._guarded(_MISSING, super().incr, key, delta)

    def set_many(self, data, timeout):
        return self._guarded(None, super().set_many, data, timeout)

    def delete_many(self, keys):
        return self._guarded(None, super().delete_many, keys)

    def clear(self):
        return self._guarded(False, super().clear)

    def ping(self) -> bool:
        return self._guarded(False, lambda: bool(self.get_client(write=True).ping()))


class RedisCache(DjangoRedisCache):
    """OPTIONS: {"timeout": seconds}, the longest any one call waits on a socket."""

    @cached_property
    def _cache(self) -> RedisCacheClient:
        return RedisCacheClient(self._servers, **self._options)

    def ping(self) -> bool:
        """Whether Redis answers now; False at once while its circuit is open (/healthz)."""
        return self._cache.ping()
