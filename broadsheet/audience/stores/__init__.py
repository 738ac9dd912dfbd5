"""The live counters: Redis when AUDIENCE_REDIS_URL is set, else the database.

One store object per process and configuration; it holds Redis's connection pool.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from django.conf import settings

from .base import (
    CounterStore,
    HourCounts,
    SourceCount,
    StoreIncompleteError,
    StoreUnavailableError,
)

__all__ = [
    "CounterStore",
    "HourCounts",
    "SourceCount",
    "StoreIncompleteError",
    "StoreUnavailableError",
    "database_store",
    "get_store",
]

_stores: dict[tuple, CounterStore] = {}
_lock = threading.Lock()


def _dedupe() -> timedelta:
    return timedelta(minutes=settings.AUDIENCE_DEDUPE_MINUTES)


def database_store() -> CounterStore:
    from .database import DatabaseStore

    return DatabaseStore(dedupe=_dedupe())


def get_store() -> CounterStore:
    url = settings.AUDIENCE_REDIS_URL
    if not url:
        return database_store()
    config = (
        url,
        settings.AUDIENCE_REDIS_PREFIX,
        settings.AUDIENCE_DEDUPE_MINUTES,
        settings.AUDIENCE_REDIS_TIMEOUT_MS,
    )
    store = _stores.get(config)
    if store is None:
        from .redis import RedisStore

        with _lock:
            store = _stores.get(config)
            if store is None:
                store = RedisStore(
                    url=url,
                    prefix=settings.AUDIENCE_REDIS_PREFIX,
                    dedupe=_dedupe(),
                    timeout=settings.AUDIENCE_REDIS_TIMEOUT_MS / 1000,
                )
                _stores[config] = store
    return store
