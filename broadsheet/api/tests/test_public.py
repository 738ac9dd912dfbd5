"""The public part: editions, sections, listings with cursors, details, search, most viewed;
what the front may cache and how publishing purges it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db


def _articles(section, count: int, **fields):
    start = timezone.now() - timedelta(days=1)
    return [
        factories.article_publish(
            section=section,
            title=f"Report {number}",
            published_at=start + timedelta(minutes=number // 2),  # pairs share a minute
            **fields,
        )
        for number in range(count)
    ]


def test_editions_and_sections(client, en_world, es_world):
    editions = client.get("/api/v1/editions/").json()
    assert [edition["code"] for edition in editions] == ["en-us", "es-es"]
    sections = client.get("/api/v1/es-es/sections/").json()
    assert [section["slug"] for section in sections] == ["internacional"]


def test_the_cursor_walks_the_whole_listing_newest_first_once(client, en_world):
    articles = _articles(en_world, 7)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/en-us/articles/", params).json()
        seen += [item["id"] for item in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = sorted(articles, key=lambda a: (a.first_published_at, a.pk), reverse=True)
    assert seen == [article.pk for article in expected]


def test_listings_by_section_tag_and_author(client, en_world, en_edition):
    business = factories.section_create(edition=en_edition, title="Business")
    reporter = factories.author_create(name="Ana Reporter")
    tagged = factories.article_publish(section=en_world, tags=["climate"], authors=[reporter])
    other = factories.article_publish(section=business)

    def ids(**params):
        return [a["id"] for a in client.get("/api/v1/en-us/articles/", params).json()["results"]]

    assert ids(section="business") == [other.pk]
    assert ids(tag="climate") == [tagged.pk]
    assert ids(author="ana-reporter") == [tagged.pk]
    assert client.get("/api/v1/en-us/articles/", {"section": "nope"}).status_code == 404


def test_bad_input_is_a_problem_in_the_editions_language(client, en_world, es_world):
    response = client.get("/api/v1/es-es/articles/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and "cursor" in problem["errors"]
    assert problem["errors"]["cursor"] == "Este cursor no es uno de los que da la API."
    english = client.get("/api/v1/en-us/articles/", {"limit": "0"}).json()
    assert "limit" in english["errors"]
    unknown = client.get("/api/v1/fr-fr/articles/")
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/problem+json"


def test_detail_has_everything_but_a_metered_body(client, en_world, es_world):
    reporter = factories.author_create(name="Bo Writer")
    related = factories.article_publish(section=en_world, title="Earlier")
    article = factories.article_publish(
        section=en_world,
        title="The main story",
        access_level="metered",
        tags=["economy"],
        authors=[reporter],
        body=[("paragraph", "<p>Metered words.</p>")],
    )
    article.related_links.create(article=related)
    article.save_revision().publish()
    detail = client.get(f"/api/v1/en-us/articles/{article.pk}/").json()
    assert detail["headline"] == "The main story"
    assert detail["byline"] == [{"name": "Bo Writer", "slug": "bo-writer", "role": ""}]
    assert [tag["slug"] for tag in detail["tags"]] == ["economy"]
    assert [item["id"] for item in detail["related"]] == [related.pk]
    assert detail["access_level"] == "metered" and detail["body_html"] is None
    assert "Metered words" not in str(detail)
    free = client.get(f"/api/v1/en-us/articles/{related.pk}/").json()
    assert "The first paragraph." in free["body_html"]
    # An article is found in its own edition only.
    assert client.get(f"/api/v1/es-es/articles/{article.pk}/").status_code == 404


def test_public_answers_are_cacheable_and_read_no_cookie(client, en_world):
    factories.article_publish(section=en_world)
    client.cookies["_ga"] = "GA1.1.42"  # a cookie the API never reads
    response = client.get("/api/v1/en-us/articles/")
    assert "s-maxage" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert "Accept-Language" not in response.get("Vary", "")


def test_publishing_purges_the_cached_listing(client, en_world):
    first = factories.article_publish(section=en_world)
    anonymous = client.get("/api/v1/en-us/articles/")
    assert anonymous["X-Page-Cache"] == "miss"
    assert client.get("/api/v1/en-us/articles/")["X-Page-Cache"] == "hit"
    with TestCase.captureOnCommitCallbacks(execute=True):
        second = factories.article_publish(section=en_world)
    listing = client.get("/api/v1/en-us/articles/").json()
    assert [item["id"] for item in listing["results"]] == [second.pk, first.pk]


def test_search_finds_by_words_and_refuses_an_empty_query(client, en_world):
    factories.article_publish(section=en_world, title="Harbour strike ends")
    found = client.get("/api/v1/en-us/search/", {"q": "harbour"}).json()
    assert [item["headline"] for item in found["results"]] == ["Harbour strike ends"]
    assert client.get("/api/v1/en-us/search/", {"q": ""}).status_code == 400


def test_most_viewed_answers_for_an_edition(client, en_world):
    response = client.get("/api/v1/en-us/most-viewed/")
    assert response.status_code == 200 and response.json() == {"results": []}
