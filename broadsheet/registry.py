"""The process's long-lived shared objects: Redis clients (with their connection pools) and
the stores built on them, one per kind and configuration.

Every app's `get_store()` and the Redis factory (broadsheet/redis_guard.py) ask here, so that a
process holds one client per Redis URL and timeout whoever uses it, and settings changed at run
time (tests do) give a new object rather than a stale one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

Shared = TypeVar("Shared")

_objects: dict[Hashable, object] = {}
# Reentrant: building a store asks for its client here too.
_lock = threading.RLock()


def shared(key: Hashable, build: Callable[[], Shared]) -> Shared:
    """The one object of this key in the process, built by `build()` the first time."""
    found = _objects.get(key)
    if found is None:
        with _lock:
            found = _objects.get(key)
            if found is None:
                found = _objects[key] = build()
    return found  # type: ignore[return-value]


def forget(key: Hashable) -> None:
    """Drop one object (the next `shared` builds it anew), e.g. after its server moved."""
    with _lock:
        _objects.pop(key, None)
