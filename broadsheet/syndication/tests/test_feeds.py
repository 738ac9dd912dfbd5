"""RSS and Atom feeds of editions, sections and tags, as a feed reader (feedparser) sees them."""

from __future__ import annotations

import html
from datetime import timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from broadsheet.newsroom.tests import factories
from broadsheet.syndication import feeds

pytestmark = pytest.mark.django_db

BODY_TEXT = "This paragraph belongs to the body and stays on the site."


def _parse(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


@pytest.fixture
def story(en_world):
    ada = factories.author_create(name="Ada Reporter")
    bo = factories.author_create(name="Bo Writer")
    return factories.article_publish(
        section=en_world,
        title="Rivers rise across the valley",
        standfirst="Three towns were evacuated overnight.",
        body=[("paragraph", f"<p>{BODY_TEXT}</p>")],
        tags=["Floods", "California"],
        authors=[ada, bo],
        access_level="subscribers",
        published_at=factories.now() - timedelta(hours=2),
    )


def test_edition_rss_feed(client, story):
    parsed = _parse(client, "/en-us/feed/rss/")

    assert parsed.version == "rss20"
    assert parsed.feed.title == "US Edition · Broadsheet"
    assert parsed.feed.link == "http://testserver/en-us/"
    assert parsed.feed.language == "en-us"
    (entry,) = parsed.entries
    assert entry.title == "Rivers rise across the valley"
    assert entry.link == story.full_url
    day = story.first_published_at.date().isoformat()
    assert entry.id == f"tag:testserver,{day}:article:{story.pk}"
    assert entry.guidislink is False
    assert entry.published_parsed[:6] == story.first_published_at.utctimetuple()[:6]
    assert [author.name for author in entry.authors] == ["Ada Reporter", "Bo Writer"]
    assert sorted(tag.term for tag in entry.tags) == ["California", "Floods"]
    assert entry.summary == "Three towns were evacuated overnight."


def test_edition_atom_feed(client, story):
    parsed = _parse(client, "/en-us/feed/atom/")

    assert parsed.version == "atom10"
    assert parsed.feed.language == "en-us"
    assert parsed.feed.link == "http://testserver/en-us/"
    (entry,) = parsed.entries
    assert entry.link == story.full_url
    assert entry.id.startswith("tag:testserver,")
    assert entry.updated_parsed[:6] == story.last_published_at.utctimetuple()[:6]
    assert entry.authors == [
        {"name": "Ada Reporter", "href": "http://testserver/en-us/author/ada-reporter/"},
        {"name": "Bo Writer", "href": "http://testserver/en-us/author/bo-writer/"},
    ]
    assert sorted(tag.term for tag in entry.tags) == ["California", "Floods"]
    assert entry.summary == "Three towns were evacuated overnight."


@pytest.mark.parametrize("url", ["/en-us/feed/rss/", "/en-us/feed/atom/"])
def test_feeds_carry_the_standfirst_never_the_body(client, story, url):
    response = client.get(url)

    assert BODY_TEXT not in response.content.decode()


def test_a_standfirst_with_markup_characters_reads_as_plain_text(client, en_world):
    standfirst = 'AT&T says "x < y" and <b>not bold</b>.'
    factories.article_publish(section=en_world, standfirst=standfirst)

    for url in ("/en-us/feed/rss/", "/en-us/feed/atom/"):
        (entry,) = _parse(client, url).entries
        assert html.unescape(entry.summary) == standfirst


def test_spanish_edition_feed_speaks_spanish_and_holds_only_spanish_articles(
    client, en_world, es_world
):
    factories.article_publish(section=en_world, title="Only in English")
    factories.article_publish(section=es_world, title="Solo en español")

    parsed = _parse(client, "/es-es/feed/rss/")

    assert parsed.feed.language == "es-es"
    assert parsed.feed.title == "España · Broadsheet"
    assert [entry.title for entry in parsed.entries] == ["Solo en español"]
    assert parsed.entries[0].link.startswith("http://testserver/es-es/")


def test_feeds_list_newest_first_and_leave_out_unpublished_and_private(client, en_world):
    now = factories.now()
    factories.article_publish(section=en_world, title="Older", published_at=now - timedelta(days=2))
    factories.article_publish(section=en_world, title="Newer", published_at=now - timedelta(days=1))
    draft = factories.article_publish(section=en_world, title="Withdrawn")
    draft.unpublish()
    private = factories.article_publish(section=en_world, title="Staff only")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    parsed = _parse(client, "/en-us/feed/atom/")

    assert [entry.title for entry in parsed.entries] == ["Newer", "Older"]


def test_feeds_stop_at_their_size(client, en_world, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_SIZE", 2)
    for number in range(3):
        factories.article_publish(section=en_world, title=f"Story {number}")

    assert len(_parse(client, "/en-us/feed/rss/").entries) == 2


def test_section_feed_holds_only_its_section(client, en_edition, en_world):
    business = factories.section_create(edition=en_edition, title="Business")
    factories.article_publish(section=en_world, title="World story")
    factories.article_publish(section=business, title="Business story")

    for url in ("/en-us/section/world/feed/rss/", "/en-us/section/world/feed/atom/"):
        parsed = _parse(client, url)
        assert parsed.feed.title == "World · US Edition"
        assert parsed.feed.link == en_world.full_url
        assert [entry.title for entry in parsed.entries] == ["World story"]


def test_tag_feed_holds_only_the_tag_in_this_edition(client, en_world, es_world):
    factories.article_publish(section=en_world, title="Tagged", tags=["Floods"])
    factories.article_publish(section=en_world, title="Untagged")
    factories.article_publish(section=es_world, title="Etiquetado", tags=["Floods"])

    for url in ("/en-us/tag/floods/feed/rss/", "/en-us/tag/floods/feed/atom/"):
        parsed = _parse(client, url)
        assert parsed.feed.link == "http://testserver/en-us/tag/floods/"
        assert [entry.title for entry in parsed.entries] == ["Tagged"]


@pytest.mark.parametrize(
    "url",
    [
        "/en-us/tag/no-such-tag/feed/rss/",
        "/en-us/tag/no-such-tag/feed/atom/",
        "/en-us/section/no-such-section/feed/rss/",
        "/en-us/section/no-such-section/feed/atom/",
        # A section of the other edition is not a section of this one.
        "/en-us/section/internacional/feed/rss/",
    ],
)
def test_unknown_feeds_are_not_found(client, en_world, es_world, url):
    assert client.get(url).status_code == 404


def test_an_unpublished_section_has_no_feed(client, en_world):
    en_world.unpublish()

    assert client.get("/en-us/section/world/feed/rss/").status_code == 404


def _feed_queries(client, url: str, attempt: int) -> int:
    # Warm Wagtail's cached site roots first; a query string of its own keeps the page cache out.
    _parse(client, f"{url}?warm={attempt}")
    with CaptureQueriesContext(connection) as queries:
        _parse(client, f"{url}?measure={attempt}")
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/en-us/feed/rss/", "/en-us/section/world/feed/atom/", "/en-us/tag/common/feed/rss/"]
)
def test_feed_queries_do_not_grow_with_its_articles(client, en_world, url):
    def publish(count: int) -> None:
        for _ in range(count):
            factories.article_publish(
                section=en_world,
                authors=[factories.author_create(), factories.author_create()],
                tags=["Common", f"Only {factories.now().timestamp()}"],
            )

    publish(1)
    few = _feed_queries(client, url, 1)
    publish(5)
    many = _feed_queries(client, url, 2)

    assert many == few
