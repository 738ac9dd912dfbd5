"""Redis dies mid-run and comes back empty: pages and rails keep being served, beacons keep
answering, and counting resumes with the rankings restored from the history.

Runs its own redis-server (Debian's `redis-server`) on a free port, so it needs no REDIS_URL and
kills nothing shared."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.utils import timezone

from broadsheet.audience import selectors, services
from broadsheet.audience.beacons import beacon_path
from broadsheet.audience.models import ArticleHourlyCount

from .conftest import reader, view

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis():
    if REDIS_SERVER is None:
        pytest.skip("redis-server is missing: apt-get install -y redis-server")
    server = PrivateRedis(free_port())
    server.start()
    yield server
    server.kill()


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
    started = time.monotonic()
    for number in range(10, 12):
        response = view(client, second, beacon=beacon[second.pk], headers=reader(number))
        assert response.status_code == 200
    page = client.get(second.url)
    home = client.get(en_edition.url)
    tick = services.audience_tick(now=timezone.now())
    # Nothing waited on the dead Redis for long.
    assert time.monotonic() - started < 5
    assert page.status_code == 200 and home.status_code == 200
    assert first.title.encode() in home.content  # the rail, from the history
    assert tick["editions"]["en-us"] == {"error": "store unavailable"}

    private_redis.start()  # empty: everything it had is gone
    clock.shift(timedelta(seconds=10))  # past the pause after a failure
    for number in range(20, 22):
        view(client, second, beacon=beacon[second.pk], headers=reader(number))

    # The first read sees the loss, has the tick restore the history, then reads Redis.
    assert ranking() == {first.pk: 3, second.pk: 2}
    services.audience_tick(now=timezone.now())
    history = {
        row.article_id: row.views for row in ArticleHourlyCount.objects.filter(edition="en-us")
    }
    assert history == {first.pk: 3, second.pk: 2}
