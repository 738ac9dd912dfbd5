"""The one Redis of the site (cache, sessions, slots and meters: a private redis-server on a
port of its own) stops mid-run and comes back: paying readers keep reading, nobody else gets
metered or gated bodies, nothing hangs, and the slot works again once Redis returns.
broadsheet/tests/test_faults.py does the same to a production gunicorn under load."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from broadsheet.access import services
from broadsheet.access.models import CountKind, DailyCount
from broadsheet.access.stores import get_store
from broadsheet.newsroom.tests import factories
from broadsheet.tests.topology import PrivateRedis, require

from .conftest import device_client, subscriber_create

pytestmark = pytest.mark.django_db

SECRET = "What the minutes say."


@pytest.fixture
def private_redis(settings, tmp_path):
    require(postgres=False, redis=True)
    with PrivateRedis(logs=tmp_path) as server:
        # One Redis for the cache, sessions and the slots and meters, as in production.
        settings.CACHES = {
            "default": {
                "BACKEND": "broadsheet.redis_cache.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"timeout": 0.1},
            }
        }
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        settings.ACCESS_REDIS_URL = server.url
        settings.ACCESS_REDIS_PREFIX = "acc-fault"
        # Ask Redis again on every request, so the test sees it come back at once.
        settings.REDIS_RETRY_MS = 0
        yield server
        caches["default"].close()


def test_redis_stops_and_comes_back(private_redis, en_world):
    gated = factories.article_publish(
        section=en_world,
        title="Minutes",
        access_level="subscribers",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )
    metered = factories.article_publish(
        section=en_world,
        title="Metered minutes",
        access_level="metered",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    assert SECRET in phone.get(gated.url).content.decode()
    assert get_store().slot_holder(seat_id=user.seats.get().pk)[0]

    private_redis.kill()
    # The paying reader keeps reading, on either device (fail open, counted).
    for device in (phone, laptop):
        response = device.get(gated.url)
        assert response.status_code == 200 and SECRET in response.content.decode()
    # Nobody unentitled gets a metered or gated body.
    anonymous = Client()
    walled = anonymous.get(metered.url)
    assert walled.status_code == 200 and SECRET not in walled.content.decode()
    assert walled["X-Access"] == "meter_unavailable"
    assert SECRET not in anonymous.get(gated.url).content.decode()
    # Heartbeats answer too, without a notice.
    beat = laptop.post("/_access/heartbeat/", {"article": gated.pk, "fence": 1}).json()
    assert beat["state"] == "reading"
    assert DailyCount.objects.get(kind=CountKind.FAILED_OPEN).count == 2  # the two page views
    # Added up in the cache when it can, else in the database at once.
    services.counts_flush(now=timezone.now())
    assert DailyCount.objects.get(kind=CountKind.FAILED_CLOSED).count == 1

    private_redis.start()  # empty: the slots and meters it held are gone
    assert SECRET in laptop.get(gated.url).content.decode()  # takes the free slot
    notice = phone.get(gated.url).content.decode()
    assert SECRET not in notice and "being used on another device" in notice
    assert SECRET in anonymous.get(metered.url).content.decode()
