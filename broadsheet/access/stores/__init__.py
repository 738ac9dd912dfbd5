"""The slot and meter store: Redis when ACCESS_REDIS_URL is set, else the database.

One store object per process and configuration; its client and circuit breaker are the
process's ones for that Redis (broadsheet/redis_guard.py).
"""

from __future__ import annotations

import threading

from django.conf import settings

from .base import AccessStore, StoreUnavailableError

__all__ = ["AccessStore", "StoreUnavailableError", "database_store", "get_store"]

_stores: dict[tuple, AccessStore] = {}
_lock = threading.Lock()


def database_store() -> AccessStore:
    from .database import DatabaseStore

    return DatabaseStore()


def get_store() -> AccessStore:
    url = settings.ACCESS_REDIS_URL
    if not url:
        return database_store()
    config = (
        url,
        settings.ACCESS_REDIS_PREFIX,
        settings.ACCESS_REDIS_TIMEOUT_MS,
    )
    store = _stores.get(config)
    if store is None:
        from .redis import RedisStore

        with _lock:
            store = _stores.get(config)
            if store is None:
                store = RedisStore(
                    url=url,
                    prefix=settings.ACCESS_REDIS_PREFIX,
                    timeout=settings.ACCESS_REDIS_TIMEOUT_MS / 1000,
                )
                _stores[config] = store
    return store
