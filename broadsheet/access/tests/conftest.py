"""Fixtures of the access tests: the store (the database, and Redis when REDIS_URL is set),
subscribers with seats, and signed-in browsers that are devices of their own."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from broadsheet.access.stores import get_store
from broadsheet.accounts.models import Device
from broadsheet.accounts.sessions import DEVICE_ID
from broadsheet.accounts.tests.helpers import CommittingClient, reader_create
from broadsheet.accounts.useragents import browser_and_platform
from broadsheet.newsroom.tests import factories
from broadsheet.subscriptions.models import Plan
from broadsheet.subscriptions.services.staff import subscription_grant_comp
from broadsheet.subscriptions.setup import plans_setup
from broadsheet.tests.scaleout import cluster_caches, cluster_url_for

BROWSERS = {
    "chrome-android": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
    "firefox-linux": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "safari-mac": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15"
    ),
}


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def use_store(settings, kind: str, *, cluster_url: str = ""):
    """Make the whole app use this store, empty, with a prefix of its own. On "cluster" the
    Django cache (the page cache, sessions) moves to the cluster too."""
    if kind == "redis":
        if not redis_url():
            pytest.skip("set REDIS_URL (e.g. redis://127.0.0.1:6379/3) to test the Redis store")
        settings.ACCESS_REDIS_URL = redis_url()
        settings.ACCESS_REDIS_PREFIX = f"acc-test-{os.getpid()}"
    elif kind == "cluster":
        settings.ACCESS_REDIS_URL = cluster_url
        settings.ACCESS_REDIS_PREFIX = f"acc-test-{os.getpid()}"
        settings.CACHES = cluster_caches(cluster_url)
        cache.clear()  # the cluster outlives each test: no page of an earlier one
    else:
        settings.ACCESS_REDIS_URL = ""
    store = get_store()
    store.clear()
    return store


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
def database_store(settings, db):
    return use_store(settings, "database")


def subscriber_create(*, kind: str = "digital", email: str | None = None, quantity: int = 1):
    """A reader with an active complimentary subscription of this plan kind (US edition)."""
    plans_setup()
    user = reader_create(email_address=email)
    plan = Plan.objects.filter(kind=kind, locale__language_code="en-us", is_active=True).first()
    subscription_grant_comp(
        user=user,
        plan=plan,
        ends_at=timezone.now() + timedelta(days=30),
        granted_by=None,
        quantity=quantity,
        now=timezone.now(),
    )
    return user


def device_client(user, browser: str = "chrome-android") -> CommittingClient:
    """A browser of its own, signed in as this user: a device (whose requests commit their
    side effects, as in production: signing out frees the slot after the commit)."""
    client = CommittingClient(HTTP_USER_AGENT=BROWSERS[browser])
    client.force_login(user)
    # force_login's request has no User-Agent: name the device as a real sign-in would.
    name = browser_and_platform(BROWSERS[browser])
    Device.objects.filter(pk=client.session[DEVICE_ID]).update(browser=name[0], platform=name[1])
    return client


@pytest.fixture
def gated_article(en_world):
    return factories.article_publish(
        section=en_world, title="The hidden ledger", access_level="subscribers"
    )


@pytest.fixture
def metered_article(en_world):
    return factories.article_publish(
        section=en_world, title="A metered report", access_level="metered"
    )


# What the device and sharing tests share: a gated article with a line only readers of its
# body see, and the three things a device does with it.
SECRET = "Only subscribers read this line."
NOTICE = "Your subscription is being used on another device"
WARNING = "Your subscription seems to be shared"
FENCE = re.compile(r'data-fence="(\d+)"')


@pytest.fixture
def gated(en_world):
    return factories.article_publish(
        section=en_world,
        title="Gated report",
        access_level="subscribers",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )


def read(client, article) -> str:
    return client.get(article.url).content.decode()


def read_here(client, article):
    return client.post("/_access/read-here/", {"article": article.pk, "next": article.url})


def heartbeat(client, article, fence) -> dict:
    return client.post("/_access/heartbeat/", {"article": article.pk, "fence": fence}).json()
