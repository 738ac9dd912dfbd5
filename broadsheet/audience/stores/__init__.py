"""The live counters: Redis when AUDIENCE_REDIS_URL is set, else the database.

One store object per process and configuration (broadsheet/registry.py); its client and circuit
breaker are the process's ones for that Redis or Redis Cluster (broadsheet/redis_guard.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from broadsheet.registry import shared

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


def _dedupe() -> timedelta:
    return timedelta(minutes=settings.AUDIENCE_DEDUPE_MINUTES)


def database_store() -> CounterStore:
    from .database import DatabaseStore

    return DatabaseStore(dedupe=_dedupe())


def get_store() -> CounterStore:
    url = settings.AUDIENCE_REDIS_URL
    if not url:
        return database_store()
    prefix, timeout = settings.AUDIENCE_REDIS_PREFIX, settings.AUDIENCE_REDIS_TIMEOUT_MS / 1000
    dedupe = _dedupe()

    def build() -> CounterStore:
        from .redis import RedisStore

        return RedisStore(url=url, prefix=prefix, dedupe=dedupe, timeout=timeout)

    return shared(("audience-store", url, prefix, dedupe, timeout), build)
