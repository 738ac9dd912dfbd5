"""Fixtures of the audience tests: the live store (the database, and Redis when REDIS_URL is
set), articles in both editions, a clock, and helpers that count views like a browser does."""

from __future__ import annotations

import itertools
import os
import re
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.test import Client

from broadsheet.audience import services
from broadsheet.audience.stores import get_store
from broadsheet.newsroom.tests import factories
from broadsheet.tests.scaleout import cluster_caches, cluster_url_for

# A reader's browser; each reader of a test gets its own number in it.
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Reader/{}"
)
BEACON = re.compile(r'data-beacon="([^"]+)"')
_readers = itertools.count(1)
# A Wednesday, well inside an hour: tests move the clock from here.
START = datetime(2025, 3, 12, 10, 20, tzinfo=UTC)


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def use_store(settings, kind: str, *, cluster_url: str = ""):
    """Make the whole app use this store, empty, with a prefix of its own. On "cluster" the
    Django cache (the page cache, sessions) moves to the cluster too."""
    if kind == "redis":
        if not redis_url():
            pytest.skip("set REDIS_URL (e.g. redis://127.0.0.1:6379/3) to test the Redis store")
        settings.AUDIENCE_REDIS_URL = redis_url()
        settings.AUDIENCE_REDIS_PREFIX = f"aud-test-{os.getpid()}"
    elif kind == "cluster":
        settings.AUDIENCE_REDIS_URL = cluster_url
        settings.AUDIENCE_REDIS_PREFIX = f"aud-test-{os.getpid()}"
        settings.CACHES = cluster_caches(cluster_url)
        cache.clear()  # the cluster outlives each test: no page of an earlier one
    else:
        settings.AUDIENCE_REDIS_URL = ""
    store = get_store()
    store.clear()
    for edition in services.editions():
        store.restore(edition=edition, hours=[], sources=[], now=START)
    return store


# Redis is tested when the run has one (REDIS_URL); test_redis_is_tested says when it is not.
STORES = ["database", "redis"] if redis_url() else ["database"]
# And a real 3-master Redis Cluster of the session's own (marker `cluster`).
STORES.append(pytest.param("cluster", marks=pytest.mark.cluster))


@pytest.fixture(params=STORES)
def store(request, settings, db):
    """The live store, once per kind: every test that takes it runs against each."""
    live = use_store(settings, request.param, cluster_url=cluster_url_for(request, request.param))
    yield live
    live.clear()


@pytest.fixture
def redis_store(settings, db):
    live = use_store(settings, "redis")
    yield live
    live.clear()


@pytest.fixture
def database_store(settings, db):
    return use_store(settings, "database")


@pytest.fixture
def clock(time_machine):
    """The clock at START, not ticking; `clock.move_to(...)` and `clock.shift(...)` move it."""
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def en_articles(en_world):
    return [
        factories.article_publish(section=en_world, title=f"English story {n}", access_level="free")
        for n in range(3)
    ]


@pytest.fixture
def es_articles(es_world):
    return [
        factories.article_publish(section=es_world, title=f"Historia {n}", access_level="free")
        for n in range(2)
    ]


def reader(number: int | None = None) -> dict:
    """Headers of a distinct reader's browser."""
    return {"HTTP_USER_AGENT": BROWSER.format(number if number is not None else next(_readers))}


def beacon_of(client: Client, article) -> str:
    """The beacon URL of the article's page, as a reader's browser finds it."""
    html = client.get(article.url).content.decode()
    found = BEACON.search(html)
    assert found, "the article page has no beacon"
    return found.group(1)


def view(
    client: Client,
    article,
    *,
    headers: dict | None = None,
    referrer: str | None = "",
    beacon: str | None = None,
):
    """A reader shows the article: its browser sends the beacon (referrer None: no JavaScript,
    so no `r`, as the <noscript> image sends it)."""
    url = beacon or beacon_of(client, article)
    data = {} if referrer is None else {"r": referrer}
    return client.get(url, data, **(headers or reader()))
