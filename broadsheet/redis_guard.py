"""Reaching Redis without making readers wait for a Redis that is down.

Everything in a process that talks to Redis (the Django cache, hence sessions and the page
cache; the access store's slots and meters; the audience counters) gets its client from
`redis_client()` and calls it through the guard of that server, `guard_for(url)`:

- one client (one connection pool) per server, database and timeout, from `redis_client(url)`,
  which takes a plain server's URL (redis://, rediss://, unix://) or a Redis Cluster's,
  redis+cluster://host:port,host:port (every node a seed; docs/operations.md);
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
from urllib.parse import parse_qs, unquote, urlsplit

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.commands.core import Script
from redis.connection import Encoder
from redis.exceptions import ClusterDownError, RedisClusterException, SlotNotCoveredError
from redis.retry import Retry

from broadsheet.registry import shared

logger = logging.getLogger(__name__)

# A cluster whose slots are not all served (a master lost) is as unreachable as a dead server.
UNREACHABLE = (
    redis.ConnectionError,
    redis.TimeoutError,
    OSError,
    ClusterDownError,
    SlotNotCoveredError,
)
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
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
_lock = threading.Lock()


def is_cluster_url(url: str) -> bool:
    return urlsplit(url).scheme in CLUSTER_SCHEMES


def _server(url: str) -> str:
    """host:port (or the socket path): databases of one server share its breaker. A cluster
    is one breaker: its keys are spread over every master, so losing one loses the store."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    if parts.scheme in CLUSTER_SCHEMES:
        return "cluster:" + parts.netloc.rpartition("@")[2]
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def guard_for(url: str) -> RedisGuard:
    server = _server(url)
    guard = _guards.get(server)
    if guard is None:
        with _lock:
            guard = _guards.setdefault(server, RedisGuard(server=server))
    return guard


def _connection_options(timeout: float) -> dict:
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "health_check_interval": 30,
    }


def _plain_client(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        **_connection_options(timeout),
        # One quick retry on a broken connection covers a pooled connection that went stale
        # when Redis restarted; a timeout is not retried, so a Redis that hangs costs one
        # timeout.
        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
    )


def _cluster_seeds(url: str) -> tuple[list[ClusterNode], dict]:
    """redis+cluster://[user:password@]host:port,host:port[?ssl=1]: every listed node is a
    seed (any one that answers tells the client the whole slot map)."""
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    options: dict = {}
    if credentials:
        user, _, password = credentials.partition(":")
        options["username"] = unquote(user) or None
        options["password"] = unquote(password) or None
    if parts.scheme == "rediss+cluster" or parse_qs(parts.query).get("ssl") == ["1"]:
        options["ssl"] = True
    seeds = []
    for host_port in filter(None, hosts.split(",")):
        host, _, port = host_port.rpartition(":")
        seeds.append(ClusterNode(host or host_port, int(port) if host else 6379))
    if not seeds:
        raise ValueError(f"a cluster URL names no node: {url!r}")
    return seeds, options


class LazyCluster:
    """A RedisCluster made on first use. Making one asks a seed for the slot map, so made at
    import or at a store's construction, a cluster that is down would raise out of places
    that are not guarded; here the first call made through a guard does it, and a cluster
    out of reach is the ConnectionError the guard expects."""

    def __init__(self, url: str, timeout: float):
        self.url = url
        self._timeout = timeout
        self._client: RedisCluster | None = None
        self._lock = threading.Lock()

    def _connected(self) -> RedisCluster:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    seeds, options = _cluster_seeds(self.url)
                    try:
                        self._client = RedisCluster(
                            startup_nodes=seeds,
                            **options,
                            **_connection_options(self._timeout),
                            # As for one server: one quick retry, no backoff.
                            retry=Retry(NoBackoff(), 1),
                        )
                    except RedisClusterException as error:
                        raise redis.ConnectionError(str(error)) from error
                client = self._client
        return client

    def register_script(self, script: str) -> Script:
        return Script(self, script)  # type: ignore[arg-type]  # a RedisCluster once made

    def get_encoder(self) -> Encoder:
        # The encoding of every client made here (redis-py's default): scripts' SHA1s.
        return Encoder(encoding="utf-8", encoding_errors="strict", decode_responses=False)

    def __getattr__(self, name: str):
        # Methods are looked up when called, so that `guard.call(client.get, key)` connects
        # inside the guard.
        def method(*args, **kwargs):
            return getattr(self._connected(), name)(*args, **kwargs)

        method.__name__ = name
        return method


RedisClient = redis.Redis | LazyCluster


def redis_client(url: str, *, timeout: float) -> RedisClient:
    """The process's client of `url` whose calls wait at most `timeout` seconds for a socket:
    a redis.Redis for redis://, rediss:// and unix:// URLs, a Redis Cluster client for
    redis+cluster://host:port,host:port. One client (one pool per node) per URL and timeout."""
    return shared(
        ("redis-client", url, timeout),
        lambda: LazyCluster(url, timeout) if is_cluster_url(url) else _plain_client(url, timeout),
    )


def is_cluster(client: RedisClient) -> bool:
    return isinstance(client, LazyCluster)


def run_scripts(client: RedisClient, calls: list[tuple[Script, list, list]]) -> list:
    """Each (script, keys, args) run, their replies in order: pipelined in one round trip on
    one server; one call after another on a cluster, whose pipelines refuse EVALSHA (each
    call's keys share a hash tag, so each call still runs on one node, atomically)."""
    if is_cluster(client):
        return [
            script(keys=keys, args=args, client=client)  # type: ignore[arg-type]
            for script, keys, args in calls
        ]
    pipe = client.pipeline(transaction=False)
    for script, keys, args in calls:
        script(keys=keys, args=args, client=pipe)
    return pipe.execute()
