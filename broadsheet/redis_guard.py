"""Reaching Redis without making readers wait for a Redis that is down.

Everything in a process that talks to Redis (the Django cache, hence sessions and the page
cache; the access store's slots and meters; the audience counters) gets its client from
`redis_client()` and calls it through the guard of that server, `guard_for(url)`:

- one client (one connection pool) per server, database and timeout;
- one circuit breaker per server: after a connection error or a timeout the server is not
  asked again for REDIS_RETRY_MS, every call in between failing at once; then one call (and only
  one) tries again, and its success closes the circuit for everybody. A dead Redis costs one
  request a refused connection or one socket timeout per pause, and nothing else;
- one log line when the server becomes unreachable and one when it is back, not one per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)
Result = TypeVar("Result")

# The clock of the breaker: monotonic, so that neither a wall-clock step nor a test's frozen
# clock keeps a circuit open.
_now = time.monotonic


class RedisUnavailableError(Exception):
    """Redis could not be asked (it is down, or was moments ago) or refused the command."""


class RedisGuard:
    """The circuit breaker of one Redis server, shared by every caller in the process."""

    def __init__(self, *, server: str):
        self.server = server
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def _admit(self) -> bool:
        if self._down_since is None:
            return True
        now = _now()
        if now < self._retry_at:
            return False
        with self._lock:
            # One caller per pause asks Redis again; the others fail at once meanwhile.
            if now < self._retry_at:
                return False
            self._retry_at = now + settings.REDIS_RETRY_MS / 1000
            return True

    def _failed(self, error: Exception) -> None:
        with self._lock:
            now = _now()
            self._retry_at = now + settings.REDIS_RETRY_MS / 1000
            if self._down_since is None:
                self._down_since = now
                logger.warning(
                    "Redis at %s unreachable (%s): answering without it, trying again every %s ms",
                    self.server,
                    error,
                    settings.REDIS_RETRY_MS,
                )

    def _succeeded(self) -> None:
        with self._lock:
            if self._down_since is not None:
                logger.warning(
                    "Redis at %s reachable again after %.1f s",
                    self.server,
                    _now() - self._down_since,
                )
                self._down_since = None

    def call(self, function: Callable[..., Result], *args, **kwargs) -> Result:
        """function(*args, **kwargs), or RedisUnavailableError at once while Redis is down."""
        if not self._admit():
            raise RedisUnavailableError(f"Redis at {self.server} was unreachable moments ago")
        try:
            result = function(*args, **kwargs)
        except UNREACHABLE as error:
            self._failed(error)
            raise RedisUnavailableError(str(error)) from error
        except redis.RedisError as error:
            # Redis answered (a script error, out of memory, a read-only replica): it is up.
            self._succeeded()
            raise RedisUnavailableError(str(error)) from error
        if self._down_since is not None:
            self._succeeded()
        return result


_guards: dict[str, RedisGuard] = {}
_clients: dict[tuple[str, float], redis.Redis] = {}
_lock = threading.Lock()


def _server(url: str) -> str:
    """host:port (or the socket path): databases of one server share its breaker."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def guard_for(url: str) -> RedisGuard:
    server = _server(url)
    guard = _guards.get(server)
    if guard is None:
        with _lock:
            guard = _guards.setdefault(server, RedisGuard(server=server))
    return guard


def redis_client(url: str, *, timeout: float) -> redis.Redis:
    """The process's client of `url` whose calls wait at most `timeout` seconds for a socket."""
    key = (url, timeout)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = redis.Redis.from_url(
                    url,
                    socket_timeout=timeout,
                    socket_connect_timeout=timeout,
                    health_check_interval=30,
                    # One quick retry on a broken connection covers a pooled connection that
                    # went stale when Redis restarted; a timeout is not retried, so a Redis
                    # that hangs costs one timeout.
                    retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
                )
                _clients[key] = client
    return client
