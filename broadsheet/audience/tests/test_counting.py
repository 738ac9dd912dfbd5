"""A view is counted when a reader's browser shows an article page, however the page was served:
the page carries a beacon that reaches Django even when the page came from a cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.audience import selectors
from broadsheet.audience.beacons import beacon_path
from broadsheet.audience.hits import hour_index
from broadsheet.audience.views import PIXEL

from .conftest import START, beacon_of, reader, view

pytestmark = pytest.mark.django_db


def views_of(article, *, hours=24) -> int:
    edition = article.locale.language_code.lower()
    ranked = dict(selectors.ranking(edition=edition, hours=hours, now=timezone.now(), limit=50))
    return ranked.get(article.pk, 0)


def test_a_shown_article_counts_once_per_reader_within_the_window(store, clock, en_articles):
    article = en_articles[0]
    client = Client()
    # The page is the same for everyone and comes from the page cache the second time.
    first_page = client.get(article.url)
    assert client.get(article.url)["X-Page-Cache"] == "hit"
    beacon = beacon_of(client, article)

    response = view(client, article, headers=reader(1), beacon=beacon)
    assert response.status_code == 200
    assert response.content == PIXEL and response["Content-Type"] == "image/gif"
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response

    view(client, article, headers=reader(1), beacon=beacon)  # a reload
    clock.shift(timedelta(minutes=29))
    view(client, article, headers=reader(1), beacon=beacon)  # a reload, still in the window
    view(client, article, headers=reader(2), beacon=beacon)  # another reader
    assert views_of(article) == 2

    clock.shift(timedelta(minutes=2))  # 31 minutes after the first view
    view(client, article, headers=reader(1), beacon=beacon)
    assert views_of(article) == 3
    assert first_page.status_code == 200


def test_readers_behind_the_same_proxy_are_told_apart_by_their_address(
    store, settings, en_articles
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    article = en_articles[0]
    client = Client()
    beacon = beacon_of(client, article)
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
        view(client, article, beacon=beacon, headers={**reader(7), "HTTP_X_FORWARDED_FOR": address})
    assert views_of(article) == 2


BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1",
    "curl/8.5.0",
    "",
]
SPECULATIVE = [
    {"HTTP_SEC_PURPOSE": "prefetch"},
    {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
    {"HTTP_PURPOSE": "prefetch"},
    {"HTTP_X_MOZ": "prefetch"},
]


def test_bots_prefetches_and_head_requests_do_not_count(store, en_articles):
    article = en_articles[0]
    client = Client()
    beacon = beacon_of(client, article)
    for user_agent in BOTS:
        assert (
            view(
                client, article, beacon=beacon, headers={"HTTP_USER_AGENT": user_agent}
            ).status_code
            == 200
        )
    for number, headers in enumerate(SPECULATIVE):
        view(client, article, beacon=beacon, headers={**reader(100 + number), **headers})
    assert client.head(beacon, **reader(200)).status_code == 200
    assert views_of(article) == 0

    view(client, article, beacon=beacon, headers=reader(300))
    assert views_of(article) == 1


def test_previews_carry_no_beacon(store, en_articles, rf, admin_user):
    article = en_articles[0]
    request = rf.get(article.url)
    request.user = admin_user
    preview = article.make_preview_request(original_request=request)
    served = Client().get(article.url)

    assert preview.status_code == 200
    assert b"data-beacon" not in preview.content and b"_audience/view" not in preview.content
    assert b"data-beacon" in served.content and b"<noscript><img" in served.content


def test_a_beacon_only_counts_the_article_and_edition_it_was_signed_for(
    store, en_articles, es_articles
):
    client = Client()
    english, spanish = en_articles[0], es_articles[0]
    good = beacon_path(edition="en-us", article_id=english.pk)
    signature = good.rstrip("/").rsplit("/", 1)[1]
    forged = [
        f"/_audience/view/en-us/{spanish.pk}/{signature}/",  # another article
        good.replace("/en-us/", "/es-es/"),  # another edition
        good.replace(signature, "0" * 16),  # a made-up signature
        f"/_audience/view/xx-xx/{english.pk}/{signature}/",  # no such edition
    ]
    for url in forged:
        response = client.get(url, **reader(1))
        assert response.status_code == 400, url
        assert "no-store" in response["Cache-Control"]
    assert client.post(good, **reader(1)).status_code == 405
    assert views_of(english) == 0 and views_of(spanish) == 0


def test_where_readers_came_from_is_counted_by_source(store, en_articles):
    article = en_articles[0]
    client = Client()
    beacon = beacon_of(client, article)
    arrivals = [
        ("https://www.google.com/", {}),
        ("https://www.bing.com/search?q=harbour", {}),
        ("https://t.co/x", {}),
        ("", {}),
        (f"http://testserver{article.get_parent().url}", {}),
        (None, {}),  # no JavaScript: the <noscript> image has no referrer to give
        ("", {"HTTP_REFERER": f"http://testserver{article.url}?utm_medium=email"}),
    ]
    for number, (referrer, headers) in enumerate(arrivals):
        view(
            client, article, beacon=beacon, referrer=referrer, headers={**reader(number), **headers}
        )

    sources = {
        key: views
        for key, _label, views, _share in selectors.article_sources(
            article=article, edition="en-us", now=timezone.now()
        )
    }
    assert sources == {
        "search": 2,
        "social": 1,
        "direct": 1,
        "internal": 1,
        "unknown": 1,
        "newsletter": 1,
        "other": 0,
    }


def test_paywall_hits_and_subscriptions_attach_to_the_article(store, en_articles, rf):
    from broadsheet.audience import services

    article = en_articles[0]
    now = timezone.now()
    request = rf.get(article.url, **reader(1))
    assert services.paywall_hit_record(
        request=request, article_id=article.pk, edition="en-us", now=now
    )
    assert not services.paywall_hit_record(
        request=request, article_id=article.pk, edition="en-us", now=now
    )
    bot = rf.get(article.url, HTTP_USER_AGENT="Googlebot/2.1")
    assert not services.paywall_hit_record(
        request=bot, article_id=article.pk, edition="en-us", now=now
    )
    # The subscriptions app's webhook, delivered twice.
    for _delivery in range(2):
        services.subscription_attribute(
            article_id=article.pk, edition="en-us", subscription_ref="sub_123", now=now
        )

    series = selectors.article_hourly_series(article=article, edition="en-us", now=now, hours=2)
    assert selectors.conversions(series) == {
        "views": 0,
        "paywall_hits": 1,
        "subscriptions": 1,
        "conversion": 1.0,
    }
    assert series[-1][0].timestamp() // 3600 == hour_index(now)


def test_counting_goes_on_without_redis_and_resumes_when_it_is_back(settings, en_articles, db):
    """Redis unreachable: pages and rails are served, the beacon answers, the views of the
    outage are lost; once Redis answers again, views count again."""
    from broadsheet.audience.stores import get_store

    from .conftest import redis_url, use_store

    if not redis_url():
        pytest.skip("set REDIS_URL to test losing Redis")
    store = use_store(settings, "redis")
    article = en_articles[0]
    client = Client()
    beacon = beacon_of(client, article)
    view(client, article, beacon=beacon, headers=reader(1))

    settings.AUDIENCE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    down = get_store()
    for number in range(2, 5):
        assert view(client, article, beacon=beacon, headers=reader(number)).status_code == 200
    assert Client().get(article.url).status_code == 200
    home = Client().get(article.get_parent().get_parent().url)
    assert home.status_code == 200 and b"rail--most-viewed" in home.content
    assert down is not store

    settings.AUDIENCE_REDIS_URL = redis_url()
    view(client, article, beacon=beacon, headers=reader(5))
    assert views_of(article) == 2
    store.clear()


def test_the_clock_seam_counts_views_in_their_hour(store, clock, en_articles):
    article = en_articles[0]
    client = Client()
    beacon = beacon_of(client, article)
    clock.move_to(START.replace(minute=59, second=50), tick=False)
    view(client, article, beacon=beacon, headers=reader(1))
    clock.shift(timedelta(seconds=20))
    view(client, article, beacon=beacon, headers=reader(2))

    hourly = selectors.article_hourly_series(
        article=article, edition="en-us", now=timezone.now(), hours=2
    )
    assert [views for _hour, views, _p, _s in hourly] == [1, 1]
