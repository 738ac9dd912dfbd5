"""What other machines read in the <head> of reader pages: canonical and hreflang links, Open
Graph and Twitter cards, schema.org JSON-LD, as extruct and lxml parse them."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from broadsheet.newsroom.models import ArticlePage
from broadsheet.newsroom.tests import factories

from .helpers import head_links_of, json_ld_of, meta_names_of, open_graph_of, translate

pytestmark = pytest.mark.django_db

BODY_TEXT = "Only subscribers should read this sentence."


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _news_article_of(html: str, url: str) -> dict:
    (data,) = [item for item in json_ld_of(html, url) if item.get("@type") == "NewsArticle"]
    return data


def test_article_json_ld_is_a_news_article(client, en_world, lead_image):
    author = factories.author_create(name="Ada Reporter")
    article = factories.article_publish(
        section=en_world,
        title="Rivers rise across the valley",
        standfirst="Three towns were evacuated overnight.",
        tags=["Floods", "California"],
        authors=[author],
        lead_image=lead_image,
        access_level="free",
    )

    html = _get(client, article.url)
    data = _news_article_of(html, article.full_url)

    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Rivers rise across the valley"
    assert data["description"] == "Three towns were evacuated overnight."
    assert data["datePublished"] == article.first_published_at.isoformat()
    assert data["dateModified"] == article.last_published_at.isoformat()
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Ada Reporter",
            "url": "http://testserver/en-us/author/ada-reporter/",
        }
    ]
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "Broadsheet"
    assert data["image"][0].startswith("http://testserver/media/images/valley.")
    assert data["mainEntityOfPage"]["@id"] == article.full_url
    assert data["inLanguage"] == "en-US"
    assert data["articleSection"] == "World"
    assert sorted(data["keywords"]) == ["California", "Floods"]
    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data


@pytest.mark.parametrize("access_level", ["metered", "subscribers"])
def test_gated_article_json_ld_marks_the_body_and_never_contains_it(client, en_world, access_level):
    article = factories.article_publish(
        section=en_world,
        access_level=access_level,
        body=[("paragraph", f"<p>{BODY_TEXT}</p>")],
    )

    html = _get(client, article.url)
    data = _news_article_of(html, article.full_url)

    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".article__body",
    }
    assert 'class="article__body"' in html
    assert BODY_TEXT not in json.dumps(json_ld_of(html, article.full_url))


def test_article_open_graph_and_twitter_card(client, en_world, lead_image, media_root):
    article = factories.article_publish(
        section=en_world,
        title="Rivers rise across the valley",
        standfirst="Three towns were evacuated overnight.",
        tags=["Floods", "California"],
        authors=[factories.author_create(name="Ada Reporter")],
        lead_image=lead_image,
    )

    html = _get(client, article.url)
    og = open_graph_of(html, article.full_url)

    assert og["og:type"] == ["article"]
    assert og["og:title"] == ["Rivers rise across the valley"]
    assert og["og:description"] == ["Three towns were evacuated overnight."]
    assert og["og:url"] == [article.full_url]
    assert og["og:locale"] == ["en_US"]
    assert og["og:site_name"] == ["Broadsheet"]
    assert og["article:published_time"] == [article.first_published_at.isoformat()]
    assert og["article:modified_time"] == [article.last_published_at.isoformat()]
    assert og["article:section"] == ["World"]
    assert sorted(og["article:tag"]) == ["California", "Floods"]
    assert og["article:author"] == ["http://testserver/en-us/author/ada-reporter/"]
    (image_url,) = og["og:image"]
    # An absolute URL of a rendition that exists on disk.
    assert image_url.startswith("http://testserver/media/images/valley.")
    assert (media_root / image_url.removeprefix("http://testserver/media/")).exists()
    assert meta_names_of(html)["twitter:card"] == "summary_large_image"


def test_article_without_image_gets_a_small_card(client, en_world):
    article = factories.article_publish(section=en_world)

    html = _get(client, article.url)

    assert "og:image" not in open_graph_of(html, article.full_url)
    assert "image" not in _news_article_of(html, article.full_url)
    assert meta_names_of(html)["twitter:card"] == "summary"


def test_english_article_and_its_spanish_translation_point_at_each_other(
    client, en_world, es_world
):
    english = factories.article_publish(section=en_world, title="Rivers rise")
    spanish = translate(english, "es-es")
    expected = [
        ("en-US", english.full_url),
        ("es-ES", spanish.full_url),
        ("x-default", english.full_url),
    ]

    for page in (english, spanish):
        links = head_links_of(_get(client, page.url))
        alternates = sorted(
            (link["hreflang"], link["href"]) for link in links["alternate"] if "hreflang" in link
        )
        assert alternates == expected
        assert links["canonical"] == [{"rel": "canonical", "href": page.full_url}]

    spanish_html = _get(client, spanish.url)
    assert _news_article_of(spanish_html, spanish.full_url)["inLanguage"] == "es-ES"
    assert open_graph_of(spanish_html, spanish.full_url)["og:locale:alternate"] == ["en_US"]


def test_a_draft_translation_is_not_an_alternate(client, en_world, es_world):
    english = factories.article_publish(section=en_world)
    spanish = translate(english, "es-es")
    spanish.unpublish()

    links = head_links_of(_get(client, english.url))

    assert [link["hreflang"] for link in links["alternate"] if "hreflang" in link] == [
        "en-US",
        "x-default",
    ]


def test_edition_home_is_a_website_with_its_translations(client, en_edition, es_edition):
    html = _get(client, "/en-us/")
    url = en_edition.full_url

    og = open_graph_of(html, url)
    assert og["og:type"] == ["website"]
    assert og["og:url"] == [url]
    links = head_links_of(html)
    assert links["canonical"][0]["href"] == url
    hreflang = {link["hreflang"]: link["href"] for link in links["alternate"] if "hreflang" in link}
    assert hreflang == {
        "en-US": url,
        "es-ES": es_edition.full_url,
        "x-default": url,
    }
    (data,) = json_ld_of(html, url)
    types = {node["@type"] for node in data["@graph"]}
    assert types == {"WebSite", "Organization"}
    website = next(node for node in data["@graph"] if node["@type"] == "WebSite")
    assert website["url"] == url
    assert website["inLanguage"] == "en-US"
    assert website["potentialAction"]["target"]["urlTemplate"] == (
        "http://testserver/en-us/search/?q={search_term_string}"
    )


def test_section_front_has_canonical_and_a_website_card(client, es_world):
    html = _get(client, es_world.url)

    assert head_links_of(html)["canonical"][0]["href"] == es_world.full_url
    og = open_graph_of(html, es_world.full_url)
    assert og["og:type"] == ["website"]
    assert og["og:locale"] == ["es_ES"]
    assert json_ld_of(html, es_world.full_url) == []


def test_a_headline_cannot_break_out_of_the_json_ld(client, en_world):
    article = factories.article_publish(
        section=en_world, title="Why </script><script>alert(1)</script> is no headline"
    )

    html = _get(client, article.url)

    assert "<script>alert(1)" not in html
    assert _news_article_of(html, article.full_url)["headline"] == article.title


def _article_page_queries(client, article) -> int:
    # A query string of its own, so that the page cache does not answer instead of the page.
    with CaptureQueriesContext(connection) as queries:
        _get(client, f"{article.url}?measure=1")
    assert len(queries) > 0
    return len(queries)


def test_article_head_costs_the_same_whatever_its_bylines_tags_and_translations(
    client, en_world, es_world, lead_image
):
    small = factories.article_publish(
        section=en_world, authors=[factories.author_create()], tags=["One"], lead_image=lead_image
    )
    large = factories.article_publish(
        section=en_world,
        authors=[factories.author_create() for _ in range(4)],
        tags=["One", "Two", "Three", "Four"],
        lead_image=lead_image,
    )
    translate(large, "es-es")
    # Make the renditions once, so that both pages find them.
    _get(client, small.url)
    _get(client, large.url)

    assert _article_page_queries(client, large) == _article_page_queries(client, small)


def test_a_page_without_a_url_gets_no_head_links_and_no_error(rf, en_world):
    # An unsaved page, as in the preview of a new article, is served by no site yet.
    article = ArticlePage(title="Not yet placed", standfirst="Draft.", url_path="")

    html = render_to_string(
        "syndication/includes/head_links.html", {"page": article}, request=rf.get("/en-us/")
    )

    assert "canonical" not in html and "ld+json" not in html
