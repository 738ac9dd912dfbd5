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
import threading
from collections.abc import Callable, Iterable

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.utils.functional import cached_property

from broadsheet.operations import metrics
from broadsheet.redis_guard import (
    RedisUnavailableError,
    guard_for,
    is_cluster_url,
    redis_client,
)

logger = logging.getLogger(__name__)

_MISSING = object()


# Keys whose write was dropped, remembered to be deleted once Redis answers again: a Redis that
# was out of reach (not restarted) still holds their old values, e.g. a session signed out or
# a page generation replaced meanwhile. Beyond this many, the rest expire on their own.
DROPPED_KEYS_KEPT = 10_000


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers, *, timeout: float = 0.1, **options) -> None:
        super().__init__(servers, **options)
        self._timeout = timeout
        # Replicas (more servers) share the primary's breaker: one deployment, one Redis.
        self._guard = guard_for(self._servers[0])
        self._dropped: set[str] = set()
        self._dropped_beyond = 0
        self._dropped_lock = threading.Lock()

    def get_client(self, key=None, *, write: bool = False):
        url = self._servers[self._get_connection_pool_index(write)]
        return redis_client(url, timeout=self._timeout)

    @cached_property
    def _cluster(self) -> bool:
        return is_cluster_url(self._servers[0])

    # On a cluster the keys of one call may live on several masters: MGET and MSET would be
    # refused (CROSSSLOT), so they go node by node. A cache needs no atomicity across keys.
    def _get_many(self, keys):
        if not self._cluster:
            return DjangoRedisCacheClient.get_many(self, keys)
        values = self.get_client().mget_nonatomic(keys)
        return {
            key: self._serializer.loads(value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    def _set_many(self, data, timeout):
        if not self._cluster:
            return DjangoRedisCacheClient.set_many(self, data, timeout)
        client = self.get_client(write=True)
        pipeline = client.pipeline()
        for key, value in data.items():
            pipeline.set(key, self._serializer.dumps(value), ex=timeout)
        pipeline.execute()
        return None

    def _clear(self, match: str):
        if not self._cluster:
            return DjangoRedisCacheClient.clear(self)
        # A cluster has one database, shared with the stores: drop only the cache's keys.
        client = self.get_client(write=True)
        keys = list(client.scan_iter(match=match, count=1000))
        for start in range(0, len(keys), 1000):
            client.unlink(*keys[start : start + 1000])
        return True

    def _guarded(self, fallback, method: Callable, *args, writes: Iterable[str] = ()):
        try:
            if self._dropped or self._dropped_beyond:
                # Before anything is read: the old values must not be served first.
                self._forget_dropped()
            return self._guard.call(method, *args)
        except RedisUnavailableError as error:
            metrics.redis_error("cache")
            if not self._guard.is_down:  # Redis answered with an error: say which
                logger.warning("cache: Redis refused a command (%s)", error)
            self._remember_dropped(writes)
            if fallback is _MISSING:
                raise ValueError("the cache is unavailable") from error
            return fallback

    def _remember_dropped(self, keys: Iterable[str]) -> None:
        with self._dropped_lock:
            for key in keys:
                if len(self._dropped) < DROPPED_KEYS_KEPT:
                    self._dropped.add(key)
                else:
                    self._dropped_beyond += 1

    def _forget_dropped(self) -> None:
        with self._dropped_lock:
            keys, self._dropped = list(self._dropped), set()
            beyond, self._dropped_beyond = self._dropped_beyond, 0
        try:
            client = self.get_client(write=True)
            for start in range(0, len(keys), 1000):
                self._guard.call(client.delete, *keys[start : start + 1000])
        except RedisUnavailableError:
            self._remember_dropped(keys)
            with self._dropped_lock:
                self._dropped_beyond += beyond
            raise
        if beyond:
            logger.warning(
                "cache: %s writes dropped while Redis was unreachable were not remembered; "
                "their keys may hold old values until they expire",
                beyond,
            )

    # While Redis is down the cache behaves as an empty cache that forgets at once: reads miss,
    # writes are dropped, add() succeeds (the key was absent; so a lock taken with add, like
    # allauth's rate-limit lock, is granted rather than waited for), delete() finds nothing.
    def add(self, key, value, timeout):
        return self._guarded(True, super().add, key, value, timeout, writes=[key])

    def get(self, key, default):
        return self._guarded(default, super().get, key, default)

    def set(self, key, value, timeout):
        return self._guarded(None, super().set, key, value, timeout, writes=[key])

    def touch(self, key, timeout):
        return self._guarded(False, super().touch, key, timeout, writes=[key])

    def delete(self, key):
        return self._guarded(False, super().delete, key, writes=[key])

    def get_many(self, keys):
        return self._guarded({}, self._get_many, keys)

    def has_key(self, key):
        return self._guarded(False, super().has_key, key)

    def incr(self, key, delta):
        # As for a missing key: Django's incr raises ValueError, and its callers handle it.
        return self._guarded(_MISSING, super().incr, key, delta, writes=[key])

    def set_many(self, data, timeout):
        return self._guarded(None, self._set_many, data, timeout, writes=list(data))

    def delete_many(self, keys):
        return self._guarded(None, super().delete_many, keys, writes=list(keys))

    def clear(self, match: str = "*"):
        return self._guarded(False, self._clear, match)

    def ping(self) -> bool:
        return self._guarded(False, lambda: bool(self.get_client(write=True).ping()))


class RedisCache(DjangoRedisCache):
    """OPTIONS: {"timeout": seconds}, the longest any one call waits on a socket. LOCATION: a
    Redis URL (more, comma-separated, are read replicas), or one Redis Cluster URL,
    redis+cluster://host:port,host:port."""

    def __init__(self, server, params):
        super().__init__(server, params)
        if isinstance(server, str) and is_cluster_url(server):
            self._servers = [server]  # its commas list the cluster's seeds

    def clear(self) -> None:
        self._cache.clear(match=f"{self.key_prefix}:*")

    @cached_property
    def _cache(self) -> RedisCacheClient:
        return RedisCacheClient(self._servers, **self._options)

    def ping(self) -> bool:
        """Whether Redis answers now; False at once while its circuit is open (/healthz)."""
        return self._cache.ping()
