"""A Redis that is down is a cache that misses: the cache backend never raises, fails at once
while its circuit is open, logs once per outage, and serves again once Redis is back; sessions
fall back to the database and /healthz says "degraded". A private redis-server is killed, never
the shared one."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.cache import caches
from django.test import Client

from broadsheet import redis_guard, registry
from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.redis_cache import RedisCache

from .topology import PrivateRedis, manage_shell, production_env, require


class Clock:
    """The breaker's clock, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(redis_guard, "_now", clock)
    # Breakers start closed: a server of an earlier test may have had this port.
    monkeypatch.setattr(redis_guard, "_guards", {})
    return clock


@pytest.fixture
def redis_server(tmp_path):
    require(postgres=False, redis=True)
    with PrivateRedis(logs=tmp_path) as server:
        yield server


def cache_of(server: PrivateRedis) -> RedisCache:
    return RedisCache(server.url, {"KEY_PREFIX": "down-test", "OPTIONS": {"timeout": 0.1}})


def test_reads_miss_and_writes_are_dropped_while_redis_is_down(redis_server, clock):
    cache = cache_of(redis_server)
    cache.set("kept", "before")
    assert cache.get("kept") == "before"

    redis_server.kill()
    assert cache.get("kept", "default") == "default"
    assert cache.get_many(["kept", "other"]) == {}
    assert cache.has_key("kept") is False
    cache.set("new", 1)
    cache.set_many({"a": 1, "b": 2})
    cache.delete_many(["a", "b"])
    assert cache.add("added", 1) is True  # as an empty cache would: the key was absent
    assert cache.delete("kept") is False
    assert cache.touch("kept") is False
    assert cache.ping() is False
    # incr of a key the cache cannot see: what Django says for a missing key.
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_the_circuit_opens_then_one_call_tries_again(redis_server, clock, settings):
    settings.REDIS_RETRY_MS = 500
    cache = cache_of(redis_server)
    cache.set("page", "cached")
    redis_server.kill()
    assert cache.get("page") is None  # the failure that opens the circuit

    redis_server.start()  # back, empty, but the circuit is still open: nobody asks it
    cache.set("page", "fresh")
    assert cache.get("page") is None
    clock.advance(0.4)
    assert cache.get("page") is None

    clock.advance(0.1)  # the pause is over: the next call asks Redis, and it answers
    cache.set("page", "fresh")
    assert cache.get("page") == "fresh"
    assert cache.ping() is True


def test_writes_dropped_while_out_of_reach_are_undone_when_redis_answers(redis_server, clock):
    cache = cache_of(redis_server)
    cache.set("session", "signed in")
    cache.set("generation", "old")
    redis_server.pause()  # keeps its data: a partition, not a crash
    try:
        assert cache.get("session") is None  # a timeout opens the circuit
        cache.delete("session")  # the reader signs out
        cache.set("generation", "new")  # an editor publishes
    finally:
        redis_server.resume()
    clock.advance(1)

    # The first call that reaches Redis deletes what the dropped writes would have changed.
    assert cache.get("session") is None
    assert cache.get("generation") is None


def test_one_log_line_per_outage(redis_server, clock, caplog):
    cache = cache_of(redis_server)
    cache.get("warm")
    redis_server.kill()
    with caplog.at_level(logging.WARNING, logger="broadsheet.redis_guard"):
        for _ in range(5):
            cache.get("page")
            clock.advance(1)  # each call is a retry: Redis is asked, and refuses
        redis_server.start()
        clock.advance(1)
        cache.get("page")
        cache.get("page")
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "unreachable" in messages[0] and "reachable again" in messages[1]


@pytest.fixture
def site_on_private_redis(redis_server, settings):
    """The site's cache and sessions in the private Redis, as production has them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "broadsheet.redis_cache.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "down-site",
            "OPTIONS": {"timeout": 0.1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.REDIS_RETRY_MS = 0
    yield redis_server
    caches["default"].close()


@pytest.mark.django_db
def test_signed_in_readers_stay_signed_in_and_healthz_is_degraded(
    site_on_private_redis, client, editions
):
    user = reader_create()
    client.force_login(user)
    assert client.get("/en-us/accounts/").status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"

    site_on_private_redis.kill()
    account = client.get("/en-us/accounts/")  # the session from the database
    assert account.status_code == 200 and user.email in account.content.decode()
    assert client.get("/en-us/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "unavailable"},
    }

    site_on_private_redis.start()
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/en-us/accounts/").status_code == 200


# "Each request fails fast": by configuration, not by a stopwatch. Every client waits at most
# its socket timeout (100 ms) on a call, a timeout is never retried, and the server's circuit
# breaker lets one call per REDIS_RETRY_MS reach a Redis that failed: so a request waits on at
# most one call, the rest fail at once. The test counts the calls that reached the socket.
READER_WAIT_LIMIT_SECONDS = 0.1


def client_waits(client) -> tuple[float, float, tuple]:
    kwargs = client.connection_pool.connection_kwargs
    retried = tuple(getattr(kwargs.get("retry"), "_supported_errors", ()))
    return kwargs["socket_timeout"], kwargs["socket_connect_timeout"], retried


@pytest.fixture
def whole_site_on_private_redis(site_on_private_redis, settings):
    """Cache, sessions, slots, meters and counters in the one private Redis, as production."""
    settings.ACCESS_REDIS_URL = site_on_private_redis.url
    settings.AUDIENCE_REDIS_URL = site_on_private_redis.url
    return site_on_private_redis


@pytest.mark.django_db
def test_a_hanging_redis_costs_the_readers_one_wait_in_all(
    whole_site_on_private_redis, clock, settings, monkeypatch, editions, en_world
):
    import redis

    from broadsheet.access.tests.conftest import SECRET, device_client, subscriber_create
    from broadsheet.newsroom.tests import factories

    gated = factories.article_publish(
        section=en_world,
        title="Gated report",
        access_level="subscribers",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )
    subscriber = device_client(subscriber_create())
    assert SECRET in subscriber.get(gated.url).content.decode()  # warm: Redis answers
    settings.REDIS_RETRY_MS = 60_000  # the frozen clock never reaches a retry anyway

    waits: list[str] = []
    failed = redis_guard.RedisGuard._failed

    def counted(guard, error):
        waits.append(type(error).__name__)
        failed(guard, error)

    monkeypatch.setattr(redis_guard.RedisGuard, "_failed", counted)
    whole_site_on_private_redis.pause()  # accepts connections, never answers
    try:
        answers = [
            subscriber.get(gated.url),  # session, page cache, slot, meter, counters
            subscriber.get("/en-us/accounts/"),
            Client().get(en_world.url),
            Client().get(gated.url),
        ]
    finally:
        whole_site_on_private_redis.resume()

    assert [answer.status_code for answer in answers] == [200] * 4
    assert SECRET in answers[0].content.decode()  # the subscriber kept reading (fail open)
    assert SECRET not in answers[3].content.decode()  # nobody else got the body
    # One call timed out and opened the circuit; every other call of every request failed at
    # once. What that one call waited is bounded by its client's timeouts, which are not
    # retried.
    assert waits == ["TimeoutError"]
    clients = [
        client
        for key, client in registry._objects.items()
        if isinstance(key, tuple) and key[0] == "redis-client"
    ]
    assert clients, "the site talked to Redis through redis_guard's clients"
    for client in clients:
        read, connect, retried = client_waits(client)
        assert read <= READER_WAIT_LIMIT_SECONDS and connect <= READER_WAIT_LIMIT_SECONDS
        assert redis.TimeoutError not in retried and retried


def test_every_redis_client_of_production_waits_at_most_100_ms(tmp_path):
    """The production settings themselves (no server needed: clients connect lazily)."""
    script = """
import json
from django.core.cache import caches
from broadsheet.access.stores import get_store as access_store
from broadsheet.audience.stores import get_store as audience_store
clients = {
    "cache": caches["default"]._cache.get_client(write=True),
    "access": access_store().client,
    "audience": audience_store().client,
}
waits = {}
for name, client in clients.items():
    kwargs = client.connection_pool.connection_kwargs
    retried = getattr(kwargs.get("retry"), "_supported_errors", ())
    waits[name] = [kwargs["socket_timeout"], kwargs["socket_connect_timeout"],
                   [error.__name__ for error in retried]]
print(json.dumps(waits))
"""
    env = production_env(
        database_url="postgres://postgres@127.0.0.1:9/unused", redis_url="redis://127.0.0.1:9/0"
    )
    waits = json.loads(manage_shell(env, script, logs=tmp_path).strip().splitlines()[-1])
    assert set(waits) == {"cache", "access", "audience"}
    for name, (read, connect, retried) in waits.items():
        assert read <= READER_WAIT_LIMIT_SECONDS, (name, read)
        assert connect <= READER_WAIT_LIMIT_SECONDS, (name, connect)
        assert "TimeoutError" not in retried, (name, retried)
