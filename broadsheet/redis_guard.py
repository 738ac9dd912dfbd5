"""Calling a Redis that may be down without making readers wait for it.

Used by the stores that keep live state in Redis (audience counters, access slots and meters):
after a failure, Redis is not asked again for `retry_after` seconds, so a dead Redis costs a
request one refused connection or one socket timeout, then nothing until the pause is over.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)
Result = TypeVar("Result")


class RedisGuard:
    def __init__(self, *, name: str, retry_after: float, unavailable: type[Exception]):
        self.name = name
        self.retry_after = retry_after
        # The caller's own "store unavailable" error, raised for every failure.
        self.unavailable = unavailable
        self._down_until = 0.0
        self._lock = threading.Lock()

    def call(self, function: Callable[..., Result], *args, **kwargs) -> Result:
        if time.time() < self._down_until:
            raise self.unavailable("Redis was unreachable moments ago")
        try:
            return function(*args, **kwargs)
        except UNREACHABLE as error:
            with self._lock:
                if time.time() >= self._down_until:
                    logger.warning(
                        "%s: Redis unreachable (%s); retrying in %ss",
                        self.name,
                        error,
                        self.retry_after,
                    )
                self._down_until = time.time() + self.retry_after
            raise self.unavailable(str(error)) from error
        except redis.RedisError as error:
            raise self.unavailable(str(error)) from error
