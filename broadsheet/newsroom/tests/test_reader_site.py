"""What a reader sees around the stories, in both editions: the masthead (the publication's
name, Subscribe for anonymous readers), newsletters in the navigation and footer, the favicon,
times in the edition's zone, the copy, the head's canonical and description, and headings and
landmarks in an order a screen reader can follow."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest
from django.contrib.staticfiles import finders

from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db

PUBLISHED_AT = datetime(2026, 1, 15, 14, 5, tzinfo=UTC)


def _html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _headings(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def _assert_no_skipped_heading_level(html: str) -> None:
    levels = _headings(html)
    assert levels and levels[0] == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


@pytest.mark.parametrize("prefix", ["/en-us/", "/es-es/"])
def test_the_masthead_names_the_publication_and_the_edition_and_sells(
    client, editions, settings, prefix
):
    settings.PUBLICATION_NAME = "The Daily Ledger"

    html = _html(client, prefix)

    masthead = html[html.index('class="masthead"') : html.index("</header>")]
    edition = "US Edition" if prefix == "/en-us/" else "España"
    assert re.search(r'class="masthead__name"[^>]*>The Daily Ledger</a>', masthead)
    assert f'<span class="masthead__edition">{edition}</span>' in masthead
    assert f'href="{prefix}subscription/plans/"' in masthead
    assert f'href="{prefix}newsletters/"' in masthead
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{prefix}newsletters/"' in footer and "The Daily Ledger" in footer


def test_a_signed_in_reader_gets_their_account_link_not_the_anonymous_subscribe(client, editions):
    client.force_login(reader_create(email_address="reader@example.com"))

    masthead = _html(client, "/en-us/").split("</header>")[0]

    assert "My account" in masthead
    assert "button--subscribe" not in masthead


def test_every_page_links_the_favicon_that_is_served(client, editions):
    html = _html(client, "/en-us/")

    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert href.endswith("favicon.svg") and finders.find("favicon.svg")
    assert client.get("/favicon.ico").headers["Location"].endswith("favicon.svg")


@pytest.mark.parametrize(
    ("prefix", "local", "zone"),
    [("/en-us/", "9:05", "EST"), ("/es-es/", "15:05", "CET")],
)
def test_times_are_shown_in_the_editions_zone_with_the_zone_named(
    client, en_world, es_world, prefix, local, zone
):
    section = en_world if prefix == "/en-us/" else es_world
    article = factories.article_publish(
        section=section, title="Timed story", published_at=PUBLISHED_AT
    )

    article_html = _html(client, article.url)
    listing_html = _html(client, section.url)

    for html in (article_html, listing_html):
        shown = re.search(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html).group(1)
        assert local in shown and shown.endswith(zone), shown


def test_the_translation_link_names_the_language_as_each_edition_writes_it(
    client, en_world, es_world
):
    english = factories.article_publish(section=en_world, title="Dams run dry")
    spanish = factories.article_publish(
        section=es_world, title="Embalses secos", translation_key=english.translation_key
    )

    assert "Lee este artículo en inglés" in _html(client, spanish.url)
    assert "Read this article in Spanish" in _html(client, english.url)


def test_page_two_of_a_listing_names_itself_canonical(client, en_world, settings):
    settings.NEWSROOM_PAGE_SIZE = 1
    for number in range(3):
        factories.article_publish(section=en_world, title=f"Story {number}")

    first = _html(client, "/en-us/world/")
    second = _html(client, "/en-us/world/?page=2")

    assert re.search(r'<link rel="canonical" href="http://testserver/en-us/world/">', first)
    assert '<link rel="canonical" href="http://testserver/en-us/world/?page=2">' in second
    assert '<meta property="og:url" content="http://testserver/en-us/world/?page=2">' in second


@pytest.mark.parametrize("prefix", ["/en-us/", "/es-es/"])
def test_the_home_has_a_description(client, editions, prefix):
    description = re.search(r'<meta name="description" content="([^"]*)">', _html(client, prefix))

    assert description and len(description.group(1)) > 40


def test_listings_keep_heading_order_and_search_landmarks_have_their_own_names(client, en_world):
    article = factories.article_publish(section=en_world, title="Dams run dry", tags=["Water"])

    for path in ("/en-us/world/", "/en-us/tag/water/", "/en-us/search/?q=dams", article.url):
        _assert_no_skipped_heading_level(_html(client, path))
    search_page = _html(client, "/en-us/search/?q=dams")
    names = re.findall(r'role="search" aria-label(?:ledby)?="([^"]+)"', search_page)
    assert len(names) == 2 and len(set(names)) == 2


def test_the_lead_image_offers_a_phone_sized_rendition(client, en_world, settings, tmp_path):
    from io import BytesIO

    from django.core.files.images import ImageFile
    from PIL import Image as PillowImage
    from wagtail.images.models import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    buffer = BytesIO()
    PillowImage.new("RGB", (1600, 900), "steelblue").save(buffer, "PNG")
    image = Image.objects.create(title="Flooded valley", file=ImageFile(buffer, name="v.png"))
    article = factories.article_publish(section=en_world, title="Floods", lead_image=image)

    html = _html(client, article.url)

    lead = re.search(r'<figure class="article__lead">\s*(<img [^>]+>)', html).group(1)
    assert re.search(r'srcset="[^"]+ 640w, [^"]+ 1200w"', lead), lead
    assert 'sizes="(min-width: 60rem) 44rem, 100vw"' in lead and 'alt="Flooded valley"' in lead
