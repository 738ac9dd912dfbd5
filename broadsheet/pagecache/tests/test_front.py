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
editor = get_user_model().objects.create_user("deskeditor", "desk@example.org", "{PASSWORD}")
editor.is_staff = True
editor.save()
EmailAddress.objects.create(user=editor, email=editor.email, verified=True, primary=True)
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
def front(request, topology_database, tmp_path_factory) -> Iterator[dict]:
    """Varnish in front of gunicorn, publishing purging it through the task worker; on a copy
    of the topology database for each module that uses it (the API's tests use it too), so
    that each module's front starts from the same rows."""
    require(postgres=True, redis=True, varnish=True)
    from broadsheet.tests.topology import PrivateRedis

    logs = tmp_path_factory.mktemp("front")
    module = request.module.__name__.replace(".", "_")[-25:]
    database = topology_database.copy(f"{topology_database.name}_{module}")
    request.addfinalizer(database.drop)
    with PrivateRedis(logs=logs / "redis") as redis:
        env = production_env(database_url=database.url, redis_url=redis.url)
        urls = json.loads(manage_shell(env, SETUP, logs=logs).strip().splitlines()[-1])
        with Gunicorn(env, logs=logs / "web", workers=2) as web:
            with Varnish(backend_port=web.port, logs=logs / "varnish") as varnish:
                worker_env = env | {"PAGE_CACHE_FRONT_PROXIES": f"http://127.0.0.1:{varnish.port}"}
                with DbWorker(worker_env, logs=logs / "worker"):
                    yield {"urls": urls, "varnish": varnish, "web": web, "env": env, "logs": logs}


def reader(front, **kwargs) -> HttpClient:
    return HttpClient(front["varnish"].port, **kwargs)


def read_here(client: HttpClient, path: str) -> None:
    """This device takes its seat's slot ("Read here"), whoever held it, and reads `path`."""
    _status, _headers, body = client.get(path)
    if SECRET.encode() not in body:
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        article = re.search(rb'name="article" value="(\d+)"', body).group(1)
        client.post_form(
            "/_access/read-here/",
            {"csrfmiddlewaretoken": token.decode(), "article": article.decode(), "next": path},
        )
        _status, _headers, body = client.get(path)
    assert SECRET.encode() in body


def cached_get(client: HttpClient, path: str) -> tuple[int, dict[str, str], bytes]:
    """The page as Varnish serves it from its cache. A browser's first pages after signing in
    may refresh its session cookie, which Django answers itself (and Varnish keeps nothing of
    for a second): a few views at most until the members' copy comes from the cache."""
    for _attempt in range(5):
        status, headers, body = client.get(path)
        if headers.get("x-cache") == "HIT":
            break
        time.sleep(1.1)
    return status, headers, body


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
    assert headers["x-page-cache"].startswith("member-") and SECRET.encode() in body


def test_a_subscribers_second_view_is_varnishs_members_copy_with_the_body(front):
    path = front["urls"]["metered"][2]
    subscriber = reader(front, user_agent="Tablet")
    assert subscriber.sign_in("front@example.org", PASSWORD) == 302
    read_here(subscriber, path)
    status, headers, body = cached_get(subscriber, path)
    assert status == 200 and headers["x-cache"] == "HIT"
    assert headers["x-page-cache"].startswith("member-")  # the members' copy, not the anonymous
    assert b"My account" in body and b"Sign in" not in body
    assert SECRET.encode() in body and b'class="access-heartbeat"' in body
    assert meter_left(body) is None  # a subscriber's reading is not metered
    assert b"<esi:include" not in body
    assert "private" in headers["cache-control"] and "no-store" in headers["cache-control"]
    assert "sessionid" not in headers.get("set-cookie", "")


def test_a_second_device_without_the_slot_gets_the_notice_from_varnishs_copy(front):
    path = front["urls"]["gated"]
    first, second = reader(front, user_agent="Desk"), reader(front, user_agent="Sofa")
    assert first.sign_in("front@example.org", PASSWORD) == 302
    assert second.sign_in("front@example.org", PASSWORD) == 302
    read_here(first, path)
    status, headers, body = cached_get(second, path)
    assert status == 200 and headers["x-cache"] == "HIT"
    assert b"Your subscription is being used on another device" in body
    assert SECRET.encode() not in body and b'class="access-heartbeat"' not in body


def test_a_signed_out_reader_never_sees_a_subscribers_body_or_name(front):
    path = front["urls"]["gated"]
    subscriber = reader(front, user_agent="Kiosk")
    assert subscriber.sign_in("front@example.org", PASSWORD) == 302
    read_here(subscriber, path)
    # The anonymous page first from Django, then from Varnish's cache: neither is the members'.
    for client in (reader(front), reader(front, user_agent=subscriber.headers["User-Agent"])):
        status, headers, body = cached_get(client, path)
        assert status == 200
        assert SECRET.encode() not in body and b"This article is for subscribers" in body
        assert b"front@example.org" not in body and b"My account" not in body
        assert "x-page-cache" not in headers or not headers["x-page-cache"].startswith("member")
        assert headers["x-cache"] == "HIT"
    # A browser whose session is made up gets the members' copy around an anonymous answer.
    forger = reader(front)
    forger.cookies["sessionid"] = "made-up-session-key-0123456789"
    status, headers, body = forger.get(path)
    assert status == 200 and SECRET.encode() not in body
    assert b"This article is for subscribers" in body


def test_takeovers_flag_the_seat_and_the_warning_comes_with_the_members_body(front):
    path = front["urls"]["gated"]
    left, right = reader(front, user_agent="Left"), reader(front, user_agent="Right")
    assert left.sign_in("front@example.org", PASSWORD) == 302
    assert right.sign_in("front@example.org", PASSWORD) == 302
    for client in (left, right, left):  # three takeovers in a row flag the seat
        read_here(client, path)
    status, headers, body = cached_get(left, path)
    assert status == 200 and headers["x-cache"] == "HIT"
    assert SECRET.encode() in body and b"Your subscription seems to be shared" in body
    status, headers, body = right.get(path)
    assert b"Your subscription is being used on another device" in body
    assert b"Your subscription seems to be shared" in body
    # Anonymous readers of the same cached pages never see it.
    _status, _headers, body = reader(front).get(path)
    assert b"Your subscription seems to be shared" not in body


def test_staff_pages_are_rendered_for_them_and_never_shared(front):
    path = front["urls"]["metered"][3]
    editor = reader(front, user_agent="Newsroom")
    assert editor.sign_in("desk@example.org", PASSWORD) == 302
    assert editor.cookies.get("bs_staff") == "1"
    for _ in range(2):
        status, headers, body = editor.get(path)
        assert status == 200 and headers["x-cache"] == "MISS"
        assert "x-page-cache" not in headers and "private" in headers["cache-control"]
    # Nothing of the editor's pages reached the members' copy that subscribers get.
    subscriber = reader(front, user_agent="Phone")
    assert subscriber.sign_in("front@example.org", PASSWORD) == 302
    _status, headers, body = subscriber.get(path)
    assert b"desk@example.org" not in body and headers["x-page-cache"].startswith("member-")


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
