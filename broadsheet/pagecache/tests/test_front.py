"""The production front as readers meet it (marker `topology`): Varnish with the shipped VCL in
front of gunicorn with production settings, PostgreSQL, Redis and the task worker. Asserts
headers and content only, never times."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from broadsheet.tests.topology import (
    DbWorker,
    Gunicorn,
    HttpClient,
    Varnish,
    manage_shell,
    production_env,
    require,
)

pytestmark = pytest.mark.topology

SECRET = "The ledger lists every payment."
PASSWORD = "a long passphrase 42"

SETUP = f"""
import json
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from broadsheet.newsroom.models import EditionPage
from broadsheet.newsroom.tests import factories
from broadsheet.subscriptions.models import Plan
from broadsheet.subscriptions.services.staff import subscription_grant_comp
from broadsheet.subscriptions.setup import plans_setup

edition = EditionPage.objects.get(locale__language_code="en-us")
section = factories.section_create(edition=edition, title="Front", slug="front")
body = [("paragraph", "<p>{SECRET}</p>")]
free = factories.article_publish(section=section, title="Free story", access_level="free")
metered = [
    factories.article_publish(
        section=section, title=f"Metered story {{n}}", access_level="metered", body=body
    ).url
    for n in range(4)
]
gated = factories.article_publish(
    section=section, title="Gated story", access_level="subscribers", body=body
)
user = get_user_model().objects.create_user("front", "front@example.org", "{PASSWORD}")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
plans_setup()
subscription_grant_comp(
    user=user,
    plan=Plan.objects.get(locale__language_code="en-us", kind="digital"),
    ends_at=timezone.now() + timedelta(days=30),
    granted_by=None,
    now=timezone.now(),
)
print(json.dumps(
    {{"free": free.url, "metered": metered, "gated": gated.url, "gated_id": gated.pk}}
))
"""

PUBLISH = """
from broadsheet.newsroom.models import ArticlePage
page = ArticlePage.objects.get(pk={pk})
page.title = "Gated story, updated"
page.save_revision().publish()
"""


@pytest.fixture(scope="module")
def front(topology_database, tmp_path_factory) -> Iterator[dict]:
    """Varnish in front of gunicorn, publishing purging it through the task worker."""
    require(postgres=True, redis=True, varnish=True)
    from broadsheet.tests.topology import PrivateRedis

    logs = tmp_path_factory.mktemp("front")
    with PrivateRedis(logs=logs / "redis") as redis:
        env = production_env(database_url=topology_database.url, redis_url=redis.url)
        urls = json.loads(manage_shell(env, SETUP, logs=logs).strip().splitlines()[-1])
        with Gunicorn(env, logs=logs / "web", workers=2) as web:
            with Varnish(backend_port=web.port, logs=logs / "varnish") as varnish:
                worker_env = env | {"PAGE_CACHE_FRONT_PROXIES": f"http://127.0.0.1:{varnish.port}"}
                with DbWorker(worker_env, logs=logs / "worker"):
                    yield {"urls": urls, "varnish": varnish, "web": web, "env": env, "logs": logs}


def reader(front, **kwargs) -> HttpClient:
    return HttpClient(front["varnish"].port, **kwargs)


def meter_left(body: bytes) -> int | None:
    match = re.search(rb"You have (\d+) free articles? left", body)
    return int(match.group(1)) if match else None


def test_a_new_readers_article_is_a_varnish_hit_after_the_first(front):
    for path in (front["urls"]["free"], front["urls"]["metered"][0]):
        reader(front).get(path)
        status, headers, body = reader(front).get(path)  # another new reader, no cookie
        assert status == 200 and headers["x-cache"] == "HIT"
        assert b"<esi:include" not in body


def test_a_crawler_gets_the_cached_page_and_the_metered_body(front):
    crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    path = front["urls"]["metered"][1]
    reader(front, user_agent=crawler).get(path)
    status, headers, body = reader(front, user_agent=crawler).get(path)
    assert status == 200 and headers["x-cache"] == "HIT"
    assert SECRET.encode() in body


@pytest.mark.parametrize(
    "cookie",
    [
        None,  # a new reader: Varnish mints the id
        "x",  # tampered: a new reader, given a valid id
        # Signed by Django before ids were minted at the edge, with a key since rotated.
        "0123456789abcdef0123456789abcdef:Zm9yZ2VkLXNpZ25hdHVyZQ",
    ],
)
def test_the_meter_counts_down_for_every_reader_through_varnish(front, cookie):
    client = reader(front)
    if cookie:
        client.cookies["bs_reader"] = cookie
    metered = front["urls"]["metered"]
    seen = []
    for path in metered[:3]:
        status, headers, body = client.get(path)
        assert status == 200 and "private" in headers["cache-control"]
        assert SECRET.encode() in body
        seen.append(meter_left(body))
        assert re.fullmatch(r"[0-9a-z]{16,64}", client.cookies["bs_reader"].partition(":")[0])
    reader(front).get(metered[3])  # someone else read it first: the page is in the cache
    status, headers, body = client.get(metered[3])
    assert seen == [2, 1, 0]
    assert SECRET.encode() not in body and b"You have read your free articles" in body
    assert headers["x-cache"] == "HIT"  # the page around the wall is the cached one


def test_a_signed_old_cookie_keeps_its_meter(front):
    """An old signed cookie is the same reader: its id part carries the meter on."""
    old = "fedcba9876543210fedcba9876543210:c2lnbmF0dXJl"
    first = reader(front)
    first.cookies["bs_reader"] = old
    first.get(front["urls"]["metered"][0])
    again = reader(front)
    again.cookies["bs_reader"] = old.partition(":")[0]
    _status, _headers, body = again.get(front["urls"]["metered"][1])
    assert meter_left(body) == 1


def test_no_gated_body_reaches_a_reader_without_the_slot(front):
    path = front["urls"]["gated"]
    _status, _headers, body = reader(front).get(path)
    assert SECRET.encode() not in body and b"This article is for subscribers" in body

    phone, laptop = reader(front, user_agent="Phone"), reader(front, user_agent="Laptop")
    assert phone.sign_in("front@example.org", PASSWORD) == 302
    assert laptop.sign_in("front@example.org", PASSWORD) == 302
    _status, _headers, body = phone.get(path)
    assert SECRET.encode() in body
    status, headers, body = laptop.get(path)
    assert status == 200 and b"Your subscription is being used on another device" in body
    assert SECRET.encode() not in body and "private" in headers["cache-control"]
    # Asked for directly, the hole tells the laptop the same.
    _status, _headers, hole = laptop.get(
        f"/_holes/private/article-body/?lang=en-us&article={front['urls']['gated_id']}"
    )
    assert SECRET.encode() not in hole and hole
    # The subscriber's second view is the members' copy of the page, with the body filled.
    status, headers, body = phone.get(path)
    assert headers["x-page-cache"] == "member-hit" and SECRET.encode() in body


def test_publishing_bans_the_edition_in_varnish(front):
    path = front["urls"]["gated"]
    reader(front).get(path)
    _status, headers, _body = reader(front).get(path)
    assert headers["x-cache"] == "HIT"
    manage_shell(front["env"], PUBLISH.format(pk=front["urls"]["gated_id"]), logs=front["logs"])
    for _ in range(100):  # the worker sends the BAN after the publish commits
        _status, headers, body = reader(front).get(path)
        if b"Gated story, updated" in body:
            break
        time.sleep(0.2)
    assert b"Gated story, updated" in body
