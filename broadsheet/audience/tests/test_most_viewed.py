"""The "Most viewed" rails: on the edition home (24 hours and 7 days) and on every article
(24 hours), each edition its own, fresh within a minute while the pages stay cached."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client

from broadsheet.audience.beacons import beacon_path

from .conftest import reader, view

pytestmark = pytest.mark.django_db

RAIL = re.compile(
    r'<aside class="rail rail--most-viewed"[^>]*data-most-viewed="(?P<window>\w+)">'
    r"(?P<body>.*?)</aside>",
    re.S,
)
ITEM = re.compile(r"<li><a href=\"[^\"]+\">([^<]+)</a></li>")


def rails(html: bytes) -> dict[str, list[str]]:
    """The headlines of each rail on the page, by window."""
    return {m["window"]: ITEM.findall(m["body"]) for m in RAIL.finditer(html.decode())}


def read(client, article, readers: int, *, first_reader: int = 0):
    """Readers see the article (their browsers send its beacon; the page itself, and with it
    the rails' cache, is left alone)."""
    beacon = beacon_path(edition=article.locale.language_code.lower(), article_id=article.pk)
    for number in range(first_reader, first_reader + readers):
        view(client, article, beacon=beacon, headers=reader(number))


def test_the_home_shows_the_editions_most_viewed_over_24_hours_and_7_days(
    store, clock, en_articles, es_articles, en_edition, es_edition
):
    client = Client()
    older, steady, fresh = en_articles
    read(client, older, 5)
    clock.shift(timedelta(days=2))
    read(client, steady, 3, first_reader=10)
    read(client, fresh, 1, first_reader=20)
    read(client, es_articles[0], 9, first_reader=30)  # the other edition's readers

    home = client.get(en_edition.url)
    spanish_home = client.get(es_edition.url)

    assert home.status_code == 200
    assert rails(home.content) == {
        "24h": ["English story 1", "English story 2"],
        "7d": ["English story 0", "English story 1", "English story 2"],
    }
    assert rails(spanish_home.content) == {"24h": ["Historia 0"], "7d": ["Historia 0"]}
    # The holes were filled here: no ESI tag reaches a reader without Varnish.
    assert b"<esi:include" not in home.content


def test_an_article_page_shows_the_24_hour_rail_and_the_rail_size_is_a_setting(
    store, settings, en_articles
):
    settings.AUDIENCE_MOST_VIEWED_SIZE = 2
    client = Client()
    for position, article in enumerate(en_articles):
        read(client, article, position + 1, first_reader=10 * position)

    page = client.get(en_articles[0].url)

    assert rails(page.content) == {"24h": ["English story 2", "English story 1"]}


def test_the_rail_is_fresh_within_its_seconds_though_the_page_is_cached(
    store, clock, settings, en_articles, en_edition
):
    # A short life, so that a cache in Redis (whose clock the test cannot move) expires too.
    settings.AUDIENCE_RAIL_SECONDS = 2
    client = Client()
    first, second, _third = en_articles
    read(client, first, 2)
    assert rails(client.get(en_edition.url).content)["24h"] == ["English story 0"]

    read(client, second, 4, first_reader=50)
    still = client.get(en_edition.url)
    clock.shift(timedelta(seconds=3))
    time.sleep(2.2)
    later = client.get(en_edition.url)

    assert still["X-Page-Cache"] == later["X-Page-Cache"] == "hit"
    assert rails(still.content)["24h"] == ["English story 0"]
    assert rails(later.content)["24h"] == ["English story 1", "English story 0"]


def test_an_unpublished_article_leaves_the_rail(store, en_articles, en_edition):
    client = Client()
    read(client, en_articles[0], 3)
    read(client, en_articles[1], 1, first_reader=10)

    en_articles[0].unpublish()
    home = client.get(en_edition.url)

    assert rails(home.content)["24h"] == ["English story 1"]


def test_the_rail_hole_has_its_own_short_cache_life(store, en_articles):
    client = Client()
    rail = "/_holes/shared/most-viewed/"
    response = client.get(rail, {"lang": "en-us", "window": "7d"})
    spanish = client.get(rail, {"lang": "es-es", "window": "24h"})

    cache_control = response["Cache-Control"]
    assert response.status_code == 200
    assert "public" in cache_control and "s-maxage=60" in cache_control
    assert response["X-Edition"] == "en-us"
    assert "X-Page-Cache" not in client.get(rail, {"lang": "en-us", "window": "7d"})
    assert spanish.status_code == 200 and spanish["X-Edition"] == "es-es"
    assert "Lo más visto" in spanish.content.decode()
    assert client.get(rail, {"lang": "en-us", "window": "1y"}).status_code == 400


def test_a_spanish_page_from_the_cache_keeps_its_rail_after_the_rail_expires(
    store, settings, es_edition
):
    from django.core.cache import cache

    from broadsheet.pagecache.holes import page_holes, shared_cache_key

    client = Client()
    assert client.get(es_edition.url).status_code == 200
    cached = client.get(es_edition.url)
    # The rail's own cache life ends (as 60 s later); the page stays cached.
    for placed in page_holes(cached.wsgi_request):
        cache.delete(shared_cache_key(placed))
    again = client.get(es_edition.url)

    assert cached["X-Page-Cache"] == again["X-Page-Cache"] == "hit"
    assert "Lo más visto" in again.content.decode()


def test_with_varnish_in_front_the_page_leaves_the_hole_for_it(store, en_articles):
    page = Client().get(en_articles[0].url, HTTP_SURROGATE_CAPABILITY='varnish="ESI/1.0"')

    tag = b'<esi:include src="/_holes/shared/most-viewed/?lang=en-us&window=24h"/>'
    assert tag in page.content
    assert page["Surrogate-Control"] == 'content="ESI/1.0"'
