"""The slot and meter store: Redis when ACCESS_REDIS_URL is set, else the database.

One store object per process and configuration (broadsheet/registry.py); its client and circuit
breaker are the process's ones for that Redis or Redis Cluster (broadsheet/redis_guard.py).
"""

from __future__ import annotations

from django.conf import settings

from broadsheet.registry import shared

from .base import AccessStore, StoreUnavailableError

__all__ = ["AccessStore", "StoreUnavailableError", "database_store", "get_store"]


def database_store() -> AccessStore:
    from .database import DatabaseStore

    return DatabaseStore()


def get_store() -> AccessStore:
    url = settings.ACCESS_REDIS_URL
    if not url:
        return database_store()
    prefix, timeout = settings.ACCESS_REDIS_PREFIX, settings.ACCESS_REDIS_TIMEOUT_MS / 1000

    def build() -> AccessStore:
        from .redis import RedisStore

        return RedisStore(url=url, prefix=prefix, timeout=timeout)

    return shared(("access-store", url, prefix, timeout), build)
