"""The sitemap index, its paginated section sitemaps and the Google News sitemap, parsed as XML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from broadsheet.newsroom.tests import factories
from broadsheet.syndication import sitemaps
from broadsheet.syndication.page_urls import PageUrls

from .helpers import SITEMAP_NS, translate, xml_of

pytestmark = pytest.mark.django_db


def _get_xml(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/xml")
    return xml_of(response.content)


def _index_locations(client) -> list[str]:
    root = _get_xml(client, "/sitemap.xml")
    assert root.tag == f"{{{SITEMAP_NS['sm']}}}sitemapindex"
    return [loc.text for loc in root.findall("sm:sitemap/sm:loc", SITEMAP_NS)]


def _urls(client, url: str) -> dict[str, str | None]:
    """Each <loc> of a sitemap page with its <lastmod>."""
    root = _get_xml(client, url)
    assert root.tag == f"{{{SITEMAP_NS['sm']}}}urlset"
    found = {}
    for entry in root.findall("sm:url", SITEMAP_NS):
        lastmod = entry.find("sm:lastmod", SITEMAP_NS)
        found[entry.find("sm:loc", SITEMAP_NS).text] = lastmod.text if lastmod is not None else None
    return found


def _path_and_query(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_the_index_points_to_every_section_sitemap(client, en_world):
    factories.article_publish(section=en_world)

    assert _index_locations(client) == [
        "http://testserver/sitemap-editions.xml",
        "http://testserver/sitemap-sections.xml",
        "http://testserver/sitemap-articles.xml",
    ]


def test_articles_are_split_into_pages_of_the_limit(client, en_world, es_world, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    articles = [factories.article_publish(section=en_world) for _ in range(3)]
    articles.append(factories.article_publish(section=es_world))

    locations = _index_locations(client)
    article_pages = [url for url in locations if "sitemap-articles" in url]

    assert article_pages == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
    ]
    found: dict[str, str | None] = {}
    for url in article_pages:
        page_urls = _urls(client, _path_and_query(url))
        assert len(page_urls) == 2
        found.update(page_urls)
    assert found == {
        article.full_url: sitemaps.w3c_datetime(article.last_published_at) for article in articles
    }


def test_sitemaps_list_only_live_public_pages(client, en_edition, en_world):
    public = factories.article_publish(section=en_world, title="Public")
    withdrawn = factories.article_publish(section=en_world, title="Withdrawn")
    withdrawn.unpublish()
    members_only = factories.article_publish(section=en_world, title="Members only")
    PageViewRestriction.objects.create(page=members_only, restriction_type="login")
    hidden_section = factories.section_create(edition=en_edition, title="Hidden")
    PageViewRestriction.objects.create(page=hidden_section, restriction_type="login")
    factories.article_publish(section=hidden_section, title="Under a private section")

    assert list(_urls(client, "/sitemap-articles.xml")) == [public.full_url]
    assert list(_urls(client, "/sitemap-sections.xml")) == [en_world.full_url]


def test_editions_and_sections_have_their_own_sitemaps(client, en_edition, es_edition, es_world):
    editions = _urls(client, "/sitemap-editions.xml")
    sections = _urls(client, "/sitemap-sections.xml")

    assert editions == {en_edition.full_url: None, es_edition.full_url: None}
    assert sections == {es_world.full_url: None}


@pytest.mark.parametrize(
    "url", ["/sitemap-articles.xml?p=2", "/sitemap-articles.xml?p=abc", "/sitemap-nope.xml"]
)
def test_bad_sitemap_pages_are_not_found(client, en_world, url):
    factories.article_publish(section=en_world)

    assert client.get(url).status_code == 404


def test_a_sitemap_page_costs_the_same_queries_for_any_number_of_articles(client, en_world):
    def queries(attempt: int) -> int:
        client.get(f"/sitemap-articles.xml?warm={attempt}")
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/sitemap-articles.xml?measure={attempt}")
        return len(captured)

    factories.article_publish(section=en_world)
    few = queries(1)
    for _ in range(5):
        factories.article_publish(section=en_world)

    assert queries(2) == few


def test_page_urls_are_wagtails_own(en_world, es_world):
    pages = [
        factories.article_publish(section=en_world, title="Plain"),
        factories.article_publish(section=en_world, title="Camión", slug="camión-de-bomberos"),
        factories.article_publish(section=es_world, title="Noticia"),
        en_world,
        es_world,
        en_world.get_parent(),
        es_world.get_parent(),
    ]
    page_urls = PageUrls.build()

    for page in pages:
        page.refresh_from_db()
        assert page_urls.url(page.url_path) == page.get_full_url()


def test_a_page_outside_every_site_has_no_url(en_world):
    assert PageUrls.build().url("/somewhere-else/story/") is None


# The Google News sitemap.


def _news_entries(client) -> list[dict]:
    root = _get_xml(client, "/news-sitemap.xml")
    entries = []
    for url in root.findall("sm:url", SITEMAP_NS):
        news = url.find("news:news", SITEMAP_NS)
        entries.append(
            {
                "loc": url.find("sm:loc", SITEMAP_NS).text,
                "name": news.find("news:publication/news:name", SITEMAP_NS).text,
                "language": news.find("news:publication/news:language", SITEMAP_NS).text,
                "date": news.find("news:publication_date", SITEMAP_NS).text,
                "title": news.find("news:title", SITEMAP_NS).text,
            }
        )
    return entries


def test_news_sitemap_holds_the_last_48_hours_newest_first(client, en_world, es_world):
    now = factories.now()
    recent = factories.article_publish(
        section=en_world, title="Fresh & new", published_at=now - timedelta(hours=1)
    )
    older = factories.article_publish(
        section=es_world, title="Casi dos días", published_at=now - timedelta(hours=47)
    )
    factories.article_publish(section=en_world, published_at=now - timedelta(hours=49))

    entries = _news_entries(client)

    assert entries == [
        {
            "loc": recent.full_url,
            "name": "Broadsheet",
            "language": "en",
            "date": sitemaps.w3c_datetime(recent.first_published_at),
            "title": "Fresh & new",
        },
        {
            "loc": older.full_url,
            "name": "Broadsheet",
            "language": "es",
            "date": sitemaps.w3c_datetime(older.first_published_at),
            "title": "Casi dos días",
        },
    ]
    assert datetime.fromisoformat(entries[0]["date"]).tzinfo is not None


def test_news_sitemap_window_is_measured_from_now(en_world):
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    inside = factories.article_publish(section=en_world, published_at=now - timedelta(hours=47))
    factories.article_publish(section=en_world, published_at=now - timedelta(hours=48, seconds=1))
    factories.article_publish(section=en_world, published_at=now - timedelta(days=30))

    entries = sitemaps.news_sitemap_entries(now=now, page_urls=PageUrls.build())

    assert [entry["location"] for entry in entries] == [inside.full_url]


def test_news_sitemap_stops_at_its_limit(client, en_world, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_SITEMAP_LIMIT", 2)
    for _ in range(3):
        factories.article_publish(section=en_world)

    assert len(_news_entries(client)) == 2


def test_news_sitemap_leaves_out_unpublished_and_private_articles(client, en_world):
    public = factories.article_publish(section=en_world, title="Public")
    factories.article_publish(section=en_world, title="Withdrawn").unpublish()
    private = factories.article_publish(section=en_world, title="Private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    assert [entry["loc"] for entry in _news_entries(client)] == [public.full_url]


def test_a_translation_is_news_in_its_own_language(client, en_world, es_world):
    english = factories.article_publish(section=en_world, published_at=factories.now())
    spanish = translate(english, "es-es")

    languages = {entry["loc"]: entry["language"] for entry in _news_entries(client)}

    assert languages == {english.full_url: "en", spanish.full_url: "es"}


@pytest.mark.parametrize(
    ("code", "expected"), [("en-us", "en"), ("es-es", "es"), ("pt-BR", "pt"), ("zh-TW", "zh-tw")]
)
def test_news_language_is_iso_639(code, expected):
    assert sitemaps.news_language(code) == expected
