"""The JSON-LD builders as plain functions: unsaved pages in, dicts out, no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from broadsheet.newsroom.models import ArticlePage
from broadsheet.syndication import structured_data
from broadsheet.syndication.templatetags.syndication_tags import json_ld, json_ld_dumps

URL = "https://news.example.com/en-us/world/rivers-rise/"
PUBLISHER = structured_data.organization(name="Broadsheet", url="https://news.example.com/")


def _article(**fields) -> ArticlePage:
    values = {
        "title": "Rivers rise across the valley",
        "standfirst": "Three towns were evacuated overnight.",
        "access_level": "free",
        "first_published_at": datetime(2025, 3, 1, 8, 30, tzinfo=UTC),
        "last_published_at": datetime(2025, 3, 1, 11, 0, tzinfo=UTC),
        "body": [("paragraph", "<p>The water came at night.</p>")],
    }
    values.update(fields)
    # With an id, Wagtail does not look the page's content type up: no database needed.
    return ArticlePage(id=1, **values)


def _news_article(article: ArticlePage, **overrides) -> dict:
    arguments = {
        "article": article,
        "url": URL,
        "language": "en-US",
        "section_name": "World",
        "bylines": [
            structured_data.Byline("Ada Reporter", "https://news.example.com/en-us/author/ada/")
        ],
        "keywords": ["Floods", "California"],
        "image_urls": ["https://news.example.com/media/images/valley.fill-1200x675.webp"],
        "publisher": PUBLISHER,
    }
    arguments.update(overrides)
    return structured_data.news_article(**arguments)


def test_a_news_article_says_what_search_engines_read():
    data = _news_article(_article())

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Rivers rise across the valley"
    assert data["description"] == "Three towns were evacuated overnight."
    assert data["datePublished"] == "2025-03-01T08:30:00+00:00"
    assert data["dateModified"] == "2025-03-01T11:00:00+00:00"
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Ada Reporter",
            "url": "https://news.example.com/en-us/author/ada/",
        }
    ]
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "Broadsheet"
    assert data["image"] == ["https://news.example.com/media/images/valley.fill-1200x675.webp"]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": URL}
    assert data["inLanguage"] == "en-US"
    assert data["articleSection"] == "World"
    assert data["keywords"] == ["Floods", "California"]


def test_a_free_article_is_accessible_for_free_and_has_no_gated_part():
    data = _news_article(_article(access_level="free"))

    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data


@pytest.mark.parametrize("access_level", ["metered", "subscribers"])
def test_a_gated_article_marks_its_body_as_not_free(access_level):
    data = _news_article(_article(access_level=access_level))

    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".article__body",
    }


def test_the_body_never_goes_into_the_json_ld():
    text = json.dumps(_news_article(_article()))

    assert "The water came at night" not in text
    assert "articleBody" not in text


def test_what_is_not_known_is_left_out_rather_than_left_empty():
    data = _news_article(
        _article(first_published_at=None, last_published_at=None),
        bylines=[],
        image_urls=[],
        keywords=[],
        section_name=None,
    )

    assert "datePublished" not in data and "dateModified" not in data
    assert "author" not in data and "image" not in data
    assert "keywords" not in data and "articleSection" not in data


def test_an_edition_home_is_a_website_published_by_the_organization():
    data = structured_data.edition_home(
        name="Broadsheet",
        alternate_name="US Edition",
        url="https://news.example.com/en-us/",
        language="en-US",
        search_url_template="https://news.example.com/en-us/search/?q={search_term_string}",
        publisher=PUBLISHER,
    )

    website, organization = data["@graph"]
    assert website["@type"] == "WebSite"
    assert website["publisher"] == {"@id": organization["@id"]}
    assert website["potentialAction"]["@type"] == "SearchAction"
    assert organization["@type"] == "Organization"


def test_json_ld_cannot_close_its_script_element():
    data = _news_article(_article(title="</script><script>alert(1)</script> & <!-- more"))

    html = str(json_ld(data))

    assert html.startswith('<script type="application/ld+json">')
    assert html.count("</script>") == 1
    assert "<!--" not in html
    payload = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(payload)["headline"] == "</script><script>alert(1)</script> & <!-- more"


def test_json_ld_keeps_non_ascii_text_readable():
    assert "España" in json_ld_dumps({"name": "España"})
