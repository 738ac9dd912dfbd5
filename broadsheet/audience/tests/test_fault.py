"""Redis dies mid-run and comes back empty: pages and rails keep being served, beacons keep
answering, and counting resumes with the rankings restored from the history.

Runs its own redis-server (Debian's `redis-server`) on a free port, so it needs no REDIS_URL and
kills nothing shared."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.utils import timezone

from broadsheet.audience import selectors, services, stores
from broadsheet.audience.beacons import beacon_path
from broadsheet.audience.models import ArticleHourlyCount
from broadsheet.tests.topology import PrivateRedis, require

from .conftest import reader, view

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_redis(settings, tmp_path):
    require(postgres=False, redis=True)
    # Ask Redis again on every call, so the test sees it come back at once.
    settings.REDIS_RETRY_MS = 0
    with PrivateRedis(logs=tmp_path) as server:
        yield server


def ranking(edition="en-us") -> dict[int, int]:
    return dict(selectors.ranking(edition=edition, hours=24, now=timezone.now(), limit=10))


def test_redis_dies_and_comes_back_empty(private_redis, settings, clock, en_articles, en_edition):
    settings.AUDIENCE_REDIS_URL = private_redis.url
    first, second, _third = en_articles
    client = Client()
    beacon = {a.pk: beacon_path(edition="en-us", article_id=a.pk) for a in en_articles}
    for number in range(3):
        view(client, first, beacon=beacon[first.pk], headers=reader(number))
    clock.shift(timedelta(minutes=1))
    services.audience_tick(now=timezone.now())
    assert ranking() == {first.pk: 3}

    private_redis.kill()
    # Nothing waits on the dead Redis for long: the store's client gives up after its socket
    # timeout and never retries one (the count of waits per request: broadsheet/tests/
    # test_redis_down.py).
    kwargs = stores.get_store().client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == settings.AUDIENCE_REDIS_TIMEOUT_MS / 1000
    assert kwargs["socket_connect_timeout"] == settings.AUDIENCE_REDIS_TIMEOUT_MS / 1000
    assert redis.TimeoutError not in kwargs["retry"]._supported_errors
    for number in range(10, 12):
        response = view(client, second, beacon=beacon[second.pk], headers=reader(number))
        assert response.status_code == 200
    page = client.get(second.url)
    home = client.get(en_edition.url)
    tick = services.audience_tick(now=timezone.now())
    assert page.status_code == 200 and home.status_code == 200
    assert first.title.encode() in home.content  # the rail, from the history
    assert tick["editions"]["en-us"] == {"error": "store unavailable"}

    private_redis.start()  # empty: everything it had is gone
    for number in range(20, 22):
        view(client, second, beacon=beacon[second.pk], headers=reader(number))

    # The first read sees the loss, has the tick restore the history, then reads Redis.
    assert ranking() == {first.pk: 3, second.pk: 2}
    services.audience_tick(now=timezone.now())
    history = {
        row.article_id: row.views for row in ArticleHourlyCount.objects.filter(edition="en-us")
    }
    assert history == {first.pk: 3, second.pk: 2}
