"""Fixed-window counters in the shared cache: signups per IP and per address."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, identity: str, window: int, now: float) -> str:
    digest = hashlib.blake2b(identity.encode(), digest_size=12).hexdigest()
    return f"newsletters:rl:{scope}:{digest}:{int(now // window)}"


def allow(*, scope: str, identity: str, limit: int, window: int = 3600) -> bool:
    """Count one hit; False once `limit` hits fell in the current window."""
    if limit <= 0:
        return True
    key = _key(scope, identity, window, time.time())
    # add() is atomic: the first hit creates the counter, the rest increment it.
    if cache.add(key, 1, window + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window + 5)
        return True
    return count <= limit
