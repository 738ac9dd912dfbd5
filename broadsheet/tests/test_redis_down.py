"""A Redis that is down is a cache that misses: the cache backend never raises, fails at once
while its circuit is open, logs once per outage, and serves again once Redis is back; sessions
fall back to the database and /healthz says "degraded". A private redis-server is killed, never
the shared one."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches

from broadsheet import redis_guard
from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.redis_cache import RedisCache

from .topology import PrivateRedis, require


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
