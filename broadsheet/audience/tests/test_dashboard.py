"""The newsroom's audience dashboard in the Wagtail admin, per edition, and its CSV exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from broadsheet.audience import services
from broadsheet.audience.beacons import beacon_path
from broadsheet.newsroom import services as newsroom_services

from .conftest import reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(django_user_model, editions):
    """An editor who was given the audience permission."""
    user = django_user_model.objects.create_user("analyst", password="a-long-password-3")
    user.groups.add(Group.objects.get(name=newsroom_services.EDITORS))
    user.user_permissions.add(Permission.objects.get(codename="view_audience"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def read_articles(store, clock, en_articles, es_articles):
    """Readers of both editions over two days, some from search, one paywall and subscription."""
    client = Client()
    plan = [
        (en_articles[0], 4, "https://www.google.com/"),
        (en_articles[1], 2, "https://t.co/x"),
        (es_articles[0], 3, ""),
    ]
    for article, readers, referrer in plan:
        url = beacon_path(edition=article.locale.language_code.lower(), article_id=article.pk)
        for number in range(readers):
            client.get(url, {"r": referrer}, **reader(number))
    # The tick runs every minute; here, once a minute after those views.
    clock.shift(timedelta(minutes=1))
    services.audience_tick(now=timezone.now())
    clock.shift(timedelta(hours=30))
    url = beacon_path(edition="en-us", article_id=en_articles[1].pk)
    for number in range(3):
        client.get(url, {"r": ""}, **reader(50 + number))
    now = timezone.now()
    services.subscription_attribute(
        article_id=en_articles[1].pk, edition="en-us", subscription_ref="sub_1", now=now
    )
    return en_articles, es_articles


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def panel(html: str, key: str) -> list[tuple[str, int]]:
    section = re.search(rf'data-panel="{key}">(.*?)</section>', html, re.S).group(1)
    return [
        (title, int(views))
        for title, views in re.findall(r'<a href="[^"]+">([^<]+)</a></td><td>(\d+)</td>', section)
    ]


def test_only_people_with_the_audience_permission_see_it(
    client, analyst, django_user_model, editions
):
    # Reporters use the admin but do not get the audience figures (editors and admins do).
    reporter = django_user_model.objects.create_user("reporter", password="a-long-password-4")
    reporter.groups.add(Group.objects.get(name=newsroom_services.REPORTERS))
    other = Client()
    other.force_login(reporter)

    assert client.get("/admin/audience/").status_code == 302  # to the sign-in
    # Wagtail turns a refusal into a redirect to the admin's home, with a message.
    for url in ("/admin/audience/", "/admin/audience/export/most-viewed.csv"):
        refused = other.get(url)
        assert (refused.status_code, refused.url) == (302, "/admin/"), url
    # The menu (JSON the sidebar is drawn from) has the item only for those who may use it.
    menu_item = b'"url": "/admin/audience/"'
    assert menu_item not in other.get("/admin/").content
    assert analyst.get("/admin/audience/").status_code == 200
    assert menu_item in analyst.get("/admin/").content


def test_the_dashboard_shows_each_editions_most_read_now_today_and_this_week(
    analyst, read_articles
):
    (first, second, _third), (spanish, _other) = read_articles

    english = analyst.get("/admin/audience/").content.decode()
    spain = analyst.get("/admin/audience/", {"edition": "es-es"}).content.decode()

    assert panel(english, "now") == [(second.title, 3)]
    assert panel(english, "24h") == [(second.title, 3)]
    assert panel(english, "7d") == [(second.title, 5), (first.title, 4)]
    assert panel(spain, "7d") == [(spanish.title, 3)] and panel(spain, "24h") == []
    refused = analyst.get("/admin/audience/", {"edition": "xx"})
    assert refused.status_code == 400 and "xx" in refused.content.decode()


def test_an_articles_page_charts_its_views_and_shows_its_sources_and_paywall(
    analyst, read_articles
):
    (_first, second, _third), _spanish = read_articles

    page = analyst.get(f"/admin/audience/articles/{second.pk}/")
    html = page.content.decode()

    assert page.status_code == 200
    hourly = re.search(r'<svg[^>]*data-chart="chart-hourly".*?</svg>', html, re.S).group(0)
    daily = re.search(r'<svg[^>]*data-chart="chart-daily".*?</svg>', html, re.S).group(0)
    assert hourly.count("<rect") == 48 and daily.count("<rect") == 90
    assert ": 3</title></rect>" in hourly and ": 2</title></rect>" in hourly
    sources = dict(
        re.findall(r'data-source="(\w+)"><th scope="row">[^<]+</th><td>(\d+)</td>', html)
    )
    assert sources["social"] == "2" and sources["direct"] == "3" and sources["search"] == "0"
    # One subscription attributed, no paywall hit recorded: no conversion rate to show.
    assert re.search(r'data-total="views">5</td><td>0</td><td>1</td><td>—</td>', html)
    assert analyst.get("/admin/audience/articles/999999/", follow=True).status_code == 404


def test_the_numbers_export_as_csv(analyst, read_articles):
    (first, second, _third), _spanish = read_articles
    services.audience_tick(now=timezone.now())

    ranking = csv_rows(analyst.get("/admin/audience/export/most-viewed.csv", {"window": "7d"}))
    hourly = csv_rows(analyst.get(f"/admin/audience/articles/{second.pk}/export.csv?series=hourly"))
    daily = csv_rows(analyst.get(f"/admin/audience/articles/{second.pk}/export.csv?series=daily"))
    history = csv_rows(analyst.get("/admin/audience/export/history.csv", {"days": 7}))

    assert ranking[0] == ["rank", "article id", "headline", "address", "views"]
    assert [row[2] for row in ranking[1:]] == [second.title, first.title]
    assert ranking[1][3] == second.url and ranking[1][4] == "5"
    assert len(hourly) == 49 and sum(int(row[1]) for row in hourly[1:]) == 5
    assert len(daily) == 91 and sum(int(row[1]) for row in daily[1:]) == 5
    assert sum(int(row[3]) for row in daily[1:]) == 1
    assert {(row[2], row[3]) for row in history[1:]} == {
        (first.title, "4"),
        (second.title, "2"),
        (second.title, "3"),
    }
    bad = [
        ("/admin/audience/export/most-viewed.csv", {"window": "forever"}),
        ("/admin/audience/export/history.csv", {"days": "0"}),
        ("/admin/audience/export/history.csv", {"days": "lots"}),
        (f"/admin/audience/articles/{second.pk}/export.csv", {"series": "weekly"}),
    ]
    for url, query in bad:
        assert analyst.get(url, query).status_code == 400, (url, query)


def test_a_headline_cannot_become_a_spreadsheet_formula(analyst, store, en_world):
    from broadsheet.newsroom.tests import factories

    article = factories.article_publish(section=en_world, title='=HYPERLINK("http://x")')
    Client().get(beacon_path(edition="en-us", article_id=article.pk), **reader(1))

    rows = csv_rows(analyst.get("/admin/audience/export/most-viewed.csv"))

    assert rows[1][2] == '\'=HYPERLINK("http://x")'


def test_the_page_explorer_links_each_article_to_its_numbers(analyst, en_articles, en_world):
    listing = analyst.get(f"/admin/pages/{en_world.pk}/").content.decode()
    editing = analyst.get(f"/admin/pages/{en_articles[0].pk}/edit/").content.decode()

    assert f"/admin/audience/articles/{en_articles[0].pk}/" in listing
    assert f"/admin/audience/articles/{en_articles[0].pk}/" in editing
