"""What readers get of metered and gated articles, through the real pages and endpoints."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from broadsheet.access import selectors, services
from broadsheet.access.models import CountKind, DailyCount
from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.newsroom.tests import factories

from .conftest import device_client, subscriber_create

pytestmark = pytest.mark.django_db

SECRET = "The ledger lists every payment."


def _article(section, level, title):
    return factories.article_publish(
        section=section,
        title=title,
        access_level=level,
        body=[("paragraph", f"<p>{SECRET} ({title})</p>")],
    )


def test_anonymous_meter_counts_down_then_asks_to_register(client, store, en_world):
    articles = [_article(en_world, "metered", f"Metered story {n}") for n in range(4)]

    first = client.get(articles[0].url)
    assert SECRET in first.content.decode()
    assert "You have 2 free articles left of 3." in first.content.decode()
    cookie = first.cookies[settings.ACCESS_READER_COOKIE]
    assert cookie["httponly"] and services.READER_ID.fullmatch(cookie.value)

    assert "1 free article left" in client.get(articles[1].url).content.decode()
    assert "0 free articles left" in client.get(articles[2].url).content.decode()
    # Reading one of them again counts nothing.
    again = client.get(articles[0].url).content.decode()
    assert SECRET in again and "free article" not in again

    walled = client.get(articles[3].url)
    html = walled.content.decode()
    assert SECRET not in html
    assert "You have read your free articles" in html
    assert "Create a free account" in html
    assert walled["X-Access"] == "registration_wall"


def test_the_page_around_the_body_stays_cached_for_everyone(client, store, en_world):
    article = _article(en_world, "metered", "Shared shell")
    first = client.get(article.url)
    second = Client().get(article.url)  # another anonymous reader

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    # The shell in the cache holds a hole, never a reader's body; the page each reader gets
    # is theirs alone.
    for response in (first, second):
        assert "private" in response["Cache-Control"]
        assert "s-maxage" not in response["Cache-Control"]
        assert SECRET in response.content.decode()
    assert second.cookies[settings.ACCESS_READER_COOKIE].value != (
        first.cookies[settings.ACCESS_READER_COOKIE].value
    )


def test_a_tampered_reader_cookie_is_a_new_reader(client, store, en_world, settings):
    settings.ACCESS_ANONYMOUS_METER = 1
    one, two = _article(en_world, "metered", "One"), _article(en_world, "metered", "Two")
    client.get(one.url)
    assert "You have read your free articles" in client.get(two.url).content.decode()

    client.cookies[settings.ACCESS_READER_COOKIE] = "x"
    response = client.get(two.url)
    assert SECRET in response.content.decode()
    minted = response.cookies[settings.ACCESS_READER_COOKIE].value
    assert services.READER_ID.fullmatch(minted)
    # ... and is counted from then on: the next metered article is walled.
    three = _article(en_world, "metered", "Three")
    assert "You have read your free articles" in client.get(three.url).content.decode()


def test_a_reader_cookie_signed_before_ids_were_minted_at_the_edge_is_the_same_reader(
    client, store, en_world, settings
):
    from django.core import signing

    settings.ACCESS_ANONYMOUS_METER = 1
    one, two = _article(en_world, "metered", "One"), _article(en_world, "metered", "Two")
    # Signed with a key that has since been rotated out into SECRET_KEY_FALLBACKS.
    old = signing.Signer(key="an-old-key", salt="broadsheet.access.reader").sign("ab" * 16)
    client.cookies[settings.ACCESS_READER_COOKIE] = old
    assert SECRET in client.get(one.url).content.decode()
    response = client.get(two.url)
    assert "You have read your free articles" in response.content.decode()
    assert settings.ACCESS_READER_COOKIE not in response.cookies


def test_registered_reader_meter_then_paywall_with_the_editions_plans(
    client, store, en_world, settings
):
    settings.ACCESS_REGISTERED_METER = 2
    client.force_login(reader_create())
    articles = [_article(en_world, "metered", f"Registered {n}") for n in range(3)]
    assert SECRET in client.get(articles[0].url).content.decode()
    assert SECRET in client.get(articles[1].url).content.decode()

    from broadsheet.subscriptions.setup import plans_setup

    plans_setup()
    response = client.get(articles[2].url)
    html = response.content.decode()
    assert SECRET not in html
    assert response["X-Access"] == "paywall"
    assert "You have read all your free articles this month" in html
    assert 'data-plan="premium"' in html and "$" in html


def test_subscribers_only_body_never_reaches_others(client, store, en_world):
    article = _article(en_world, "subscribers", "Members only")
    for reader in (client, device_client(reader_create())):
        response = reader.get(article.url)
        html = response.content.decode()
        assert SECRET not in html
        assert "This article is for subscribers" in html
    data = _json_ld(client.get(article.url).content.decode())
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"]["cssSelector"] == ".article__body"
    assert SECRET not in json.dumps(data)
    feed = client.get("/en-us/feed/rss/").content.decode()
    assert "Members only" in feed and SECRET not in feed
    # The staff figures count walls at once (from the cache); the tick writes them down.
    assert selectors.count_totals(since=timezone.now())[CountKind.PAYWALL] == 3
    assert services.counts_flush(now=timezone.now()) == 3
    assert DailyCount.objects.get(kind=CountKind.PAYWALL).count == 3
    assert selectors.count_totals(since=timezone.now())[CountKind.PAYWALL] == 3


def test_a_subscriber_reads_and_free_articles_never_take_the_slot(store, en_world):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    free = _article(en_world, "free", "Free story")
    gated = _article(en_world, "subscribers", "Gated story")

    assert SECRET in phone.get(free.url).content.decode()
    assert SECRET in laptop.get(gated.url).content.decode()  # the free read held nothing
    notice = phone.get(gated.url).content.decode()
    assert SECRET not in notice
    assert "Your subscription is being used on another device" in notice
    assert "Firefox on Linux" in notice
    assert SECRET in phone.get(free.url).content.decode()


def _json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    if isinstance(data, list):
        data = next(item for item in data if item.get("@type") == "NewsArticle")
    return data


def test_the_spanish_edition_meters_and_walls_in_spanish(client, store, es_world, settings):
    settings.ACCESS_ANONYMOUS_METER = 1
    one = _article(es_world, "metered", "Primera crónica")
    two = _article(es_world, "metered", "Segunda crónica")

    first = client.get(one.url).content.decode()
    assert "Te quedan 0 artículos gratuitos de 1." in first
    walled = client.get(two.url).content.decode()
    assert SECRET not in walled
    assert "Has leído tus artículos gratuitos" in walled
    assert "Crear una cuenta gratuita" in walled and "/es-es/accounts/signup/" in walled

    gated = _article(es_world, "subscribers", "Exclusiva")
    user = subscriber_create()
    device_client(user, "chrome-android").get(gated.url)
    notice = device_client(user, "firefox-linux").get(gated.url).content.decode()
    assert "Tu suscripción se está usando en otro dispositivo" in notice
    assert "Leer aquí" in notice


def test_walls_count_as_paywall_hits_in_the_audience_figures(client, store, en_world, settings):
    from django.utils import timezone

    from broadsheet.audience.hits import hour_index
    from broadsheet.audience.stores import get_store as audience_store

    settings.AUDIENCE_REDIS_URL = ""  # the database store, empty for this test
    article = _article(en_world, "subscribers", "Counted at the wall")
    browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    client.get(article.url, HTTP_USER_AGENT=browser)

    counts = audience_store().hour_counts(edition="en-us", hour=hour_index(timezone.now()))
    hits = {row.article_id: row.paywall_hits for row in counts}
    assert hits.get(article.pk) == 1


def test_a_republished_body_reaches_readers_at_once(client, store, en_world):
    article = _article(en_world, "metered", "Developing story")
    assert SECRET in client.get(article.url).content.decode()

    article.body = [("paragraph", "<p>The corrected paragraph.</p>")]
    article.save_revision().publish()

    html = Client().get(article.url).content.decode()
    assert "The corrected paragraph." in html and SECRET not in html


def test_a_new_access_level_applies_at_once_when_republished(client, store, en_world):
    article = _article(en_world, "subscribers", "Opened to all")
    assert client.get(article.url)["X-Access"] == "paywall"

    article.access_level = "metered"
    article.save_revision().publish()

    assert client.get(article.url)["X-Access"] == "body"


def test_an_unpublished_article_has_no_body_to_give(client, store, en_world):
    article = _article(en_world, "metered", "Withdrawn")
    client.get(article.url)
    article.unpublish()
    response = client.get("/_holes/private/article-body/", {"lang": "en-us", "article": article.pk})
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize("article", ["99999999999999999999", "-1", "1e3", "", "\x00"])
def test_the_body_hole_refuses_what_is_no_article_id(client, store, article):
    response = client.get("/_holes/private/article-body/", {"lang": "en-us", "article": article})
    assert response.status_code == 400
