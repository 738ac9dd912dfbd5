"""A reader's journey through one edition: home, article, tag, author, search."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from broadsheet.newsroom.tests import factories

from .conftest import artifact_path

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Story:
    edition: str  # language code, also the URL prefix
    section_title: str
    section_slug: str
    headline: str
    standfirst: str
    paragraph: str
    author: str
    author_slug: str
    tags: tuple[str, ...]
    tag_slug: str  # of the first tag, the one the reader follows
    search: str  # what the reader types in the search box
    other_headline: str  # another article of the edition, in none of the archives above
    other_standfirst: str
    archived_in: str  # the heading over the tags, in the edition's language


STORIES = {
    "en-us": Story(
        edition="en-us",
        section_title="World",
        section_slug="world",
        headline="Rivers rise across the valley",
        standfirst="Three towns were evacuated overnight as the rain kept falling.",
        paragraph="Water reached the first floor of the old mill by midnight.",
        author="Ada Reporter",
        author_slug="ada-reporter",
        tags=("Floods", "California"),
        tag_slug="floods",
        search="rivers",
        other_headline="City council approves the budget",
        other_standfirst="The vote was seven to two.",
        archived_in="Archived in",
    ),
    "es-es": Story(
        edition="es-es",
        section_title="Internacional",
        section_slug="internacional",
        headline="Crecen los ríos en el valle",
        standfirst="Tres pueblos fueron evacuados durante la noche por la lluvia.",
        paragraph="El agua llegó al primer piso del viejo molino a medianoche.",
        author="Lucía Cronista",
        author_slug="lucia-cronista",
        tags=("Inundaciones", "Valencia"),
        tag_slug="inundaciones",
        search="ríos",
        other_headline="El ayuntamiento aprueba el presupuesto",
        other_standfirst="La votación fue de siete a dos.",
        archived_in="Archivado en",
    ),
}


@pytest.fixture
def story(request, live_editions) -> Story:
    """The story of the edition under test, published with an author and tags."""
    story = STORIES[request.param]
    edition = {e.locale.language_code: e for e in live_editions}[story.edition]
    section = factories.section_create(
        edition=edition, title=story.section_title, slug=story.section_slug
    )
    author = factories.author_create(name=story.author, role="Staff writer")
    assert author.slug == story.author_slug
    factories.article_publish(
        section=section, title=story.other_headline, standfirst=story.other_standfirst
    )
    factories.article_publish(
        section=section,
        title=story.headline,
        standfirst=story.standfirst,
        body=[("paragraph", f"<p>{story.paragraph}</p>")],
        tags=list(story.tags),
        authors=[author],
    )
    return story


def shot(page: Page, story: Story, step: str) -> None:
    page.screenshot(path=artifact_path(f"reader-{story.edition}-{step}.png"), full_page=True)


def expect_whole_page_of_edition(page: Page, story: Story) -> None:
    """The page speaks the edition's language and arrived whole (down to the site footer)."""
    expect(page.locator("html")).to_have_attribute(
        "lang", re.compile(rf"^{re.escape(story.edition)}$", re.IGNORECASE)
    )
    expect(page.locator("body > footer.site-footer")).to_be_visible()


def expect_lists_only_the_story(page: Page, story: Story) -> None:
    listing = page.locator("main .card-list")
    expect(listing.get_by_role("link", name=story.headline, exact=True)).to_be_visible()
    expect(listing.get_by_role("link", name=story.other_headline, exact=True)).to_have_count(0)


@pytest.mark.parametrize("story", list(STORIES), indirect=True)
def test_reader_follows_an_article_to_its_tag_author_and_search(
    story: Story, page: Page, new_context
):
    prefix = f"/{story.edition}/"

    # The edition's home lists the article; the reader opens it.
    page.goto(prefix)
    expect_whole_page_of_edition(page, story)
    shot(page, story, "1-home")
    page.locator("main").get_by_role("link", name=story.headline, exact=True).click()
    page.wait_for_url(f"**{prefix}{story.section_slug}/**")

    # The article: headline, standfirst, byline, body and its "Archived in" tags.
    expect_whole_page_of_edition(page, story)
    article = page.get_by_role("article").filter(
        has=page.get_by_role("heading", level=1, name=story.headline)
    )
    expect(article.get_by_role("heading", level=1)).to_have_text(story.headline)
    expect(article.locator(".article__standfirst")).to_have_text(story.standfirst)
    byline = article.locator(".byline")
    expect(byline).to_contain_text(story.author)
    expect(article.locator(".article__body")).to_contain_text(story.paragraph)
    tags = article.locator(".article__tags")
    expect(tags.get_by_role("heading", level=2)).to_have_text(story.archived_in)
    for tag in story.tags:
        expect(tags.get_by_role("link", name=tag, exact=True)).to_be_visible()
    shot(page, story, "2-article")
    article_url = page.url

    # The first tag's archive lists the article (and not the untagged one).
    tags.get_by_role("link", name=story.tags[0], exact=True).click()
    page.wait_for_url(f"**{prefix}tag/{story.tag_slug}/")
    expect_whole_page_of_edition(page, story)
    expect(page.get_by_role("heading", level=1)).to_have_text(story.tags[0])
    expect_lists_only_the_story(page, story)
    shot(page, story, "3-tag")

    # Back on the article, the byline leads to the author's archive.
    page.go_back()
    page.wait_for_url(article_url)
    page.locator(".byline").get_by_role("link", name=story.author, exact=True).click()
    page.wait_for_url(f"**{prefix}author/{story.author_slug}/")
    expect_whole_page_of_edition(page, story)
    expect(page.get_by_role("heading", level=1)).to_have_text(story.author)
    expect_lists_only_the_story(page, story)
    shot(page, story, "4-author")

    # The search box in the header finds the article in this edition.
    search_box = page.locator("header.masthead").get_by_role("searchbox")
    search_box.fill(story.search)
    search_box.press("Enter")
    page.wait_for_url(re.compile(rf"{re.escape(prefix)}search/\?q="))
    expect_whole_page_of_edition(page, story)
    expect(page.locator("main").get_by_role("searchbox")).to_have_value(story.search)
    expect_lists_only_the_story(page, story)
    shot(page, story, "5-search")

    # The same article on a phone: one column, nothing cut off at the sides.
    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    phone.goto(article_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(story.headline)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot(phone, story, "6-article-phone")
    assert overflow <= 0, f"the article is {overflow}px wider than a phone's screen"
