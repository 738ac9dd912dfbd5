"""One factory of Redis clients (broadsheet/redis_guard.py) and one registry of them and of the
stores (broadsheet/registry.py): plain and cluster URLs, one client per URL and timeout, and a
cluster that is down is a Redis that is down (a guarded failure, never a crash)."""

from __future__ import annotations

import pytest

from broadsheet import redis_guard
from broadsheet.redis_cache import RedisCache
from broadsheet.redis_guard import _cluster_seeds, guard_for, is_cluster, redis_client
from broadsheet.tests.topology import free_port


def test_cluster_urls_name_every_seed_and_their_credentials():
    seeds, options = _cluster_seeds("redis+cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2:7001")
    assert [(seed.host, seed.port) for seed in seeds] == [("10.0.0.1", 7000), ("10.0.0.2", 7001)]
    assert options == {"username": "app", "password": "s@cret"}
    assert _cluster_seeds("rediss+cluster://h:1")[1] == {"ssl": True}
    with pytest.raises(ValueError, match="names no node"):
        _cluster_seeds("redis+cluster://")


def test_one_client_per_url_and_timeout_for_everybody():
    url = "redis://127.0.0.1:6390/3"
    assert redis_client(url, timeout=0.1) is redis_client(url, timeout=0.1)
    assert redis_client(url, timeout=0.1) is not redis_client(url, timeout=0.25)
    assert not is_cluster(redis_client(url, timeout=0.1))
    assert is_cluster(redis_client("redis+cluster://127.0.0.1:6390", timeout=0.1))


def test_a_cluster_is_one_breaker_whichever_seed_it_is_named_by():
    assert guard_for("redis+cluster://a:1,b:2") is guard_for("redis+cluster://u:p@a:1,b:2")
    assert guard_for("redis+cluster://a:1,b:2") is not guard_for("redis://a:1/0")


@pytest.fixture
def dead_cluster_url(monkeypatch) -> str:
    monkeypatch.setattr(redis_guard, "_guards", {})
    return f"redis+cluster://127.0.0.1:{free_port()},127.0.0.1:{free_port()}"


def test_the_stores_on_a_cluster_that_is_down_fail_like_on_a_redis_that_is_down(
    dead_cluster_url, settings, db
):
    from broadsheet.access.stores import StoreUnavailableError, get_store

    settings.ACCESS_REDIS_URL = dead_cluster_url
    store = get_store()  # made without a cluster to ask: connecting waits for the first call
    with pytest.raises(StoreUnavailableError):
        store.slot_holder(seat_id=1)
    assert guard_for(dead_cluster_url).is_down
    with pytest.raises(StoreUnavailableError, match="unreachable moments ago"):
        store.slot_holder(seat_id=1)  # at once, without trying the nodes again


def test_the_cache_on_a_cluster_that_is_down_is_an_empty_cache(dead_cluster_url):
    cache = RedisCache(dead_cluster_url, {"OPTIONS": {"timeout": 0.1}})
    assert cache.get("page", "missed") == "missed"
    assert cache.get_many(["a", "b"]) == {}
    cache.set("page", "body")  # dropped, not raised
    assert cache._cache._servers == [dead_cluster_url]  # the commas list seeds, not replicas
