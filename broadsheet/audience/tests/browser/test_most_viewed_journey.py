"""Readers open an article in Chromium; within moments the edition home's "Most viewed" rail
shows it first, though the home is served from the page cache; the newsroom sees the views on
its dashboard chart."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import BrowserContext, Page, expect

from broadsheet.newsroom.tests import factories

from ..conftest import BROWSER, redis_url, use_store
from .conftest import artifact_path

pytestmark = pytest.mark.browser

PASSWORD = "a-long-browser-password-5"


def open_article(context: BrowserContext, url: str) -> Page:
    """Show the article and wait until its beacon has been answered."""
    page = context.new_page()
    with page.expect_response(re.compile(r"/_audience/view/")) as beacon:
        page.goto(url)
    assert beacon.value.status == 200
    return page


def rail(page: Page, window: str):
    return page.locator(f'[data-most-viewed="{window}"] .rail__list li')


@dataclass(frozen=True)
class Newsroom:
    popular: object
    other: object


@pytest.fixture
def newsroom(live_editions, settings) -> Newsroom:
    """Both editions with a few articles, and a superuser to read the dashboard. Built before the
    browser starts (see the newsroom's browser conftest: the database is not touched from the
    test's thread while Playwright's loop runs)."""
    use_store(settings, "redis" if redis_url() else "database")
    settings.AUDIENCE_RAIL_SECONDS = 2
    english, spanish = live_editions
    world = factories.section_create(edition=english, title="World", slug="world")
    mundo = factories.section_create(edition=spanish, title="Internacional", slug="internacional")
    popular = factories.article_publish(section=world, title="Harbour reopens after the storm")
    other = factories.article_publish(section=world, title="Council passes the budget")
    factories.article_publish(section=mundo, title="Reabre el puerto")
    get_user_model().objects.create_superuser("audience", "audience@example.com", PASSWORD)
    return Newsroom(popular=popular, other=other)


def test_readers_make_an_article_most_viewed_and_the_newsroom_sees_it(newsroom, new_context):
    popular, other = newsroom.popular, newsroom.other
    home = new_context(user_agent=BROWSER.format(0)).new_page()
    home.goto("/en-us/")
    expect(home.locator('[data-most-viewed="24h"] .rail__empty')).to_be_visible()

    # Three readers with JavaScript, one without (the <noscript> image counts them), and one
    # reading the other story; a headless crawler reads the other story three times.
    for number in (1, 2, 3):
        open_article(new_context(user_agent=BROWSER.format(number)), popular.url)
    open_article(new_context(user_agent=BROWSER.format(4), java_script_enabled=False), popular.url)
    open_article(new_context(user_agent=BROWSER.format(5)), other.url)
    crawler = new_context()  # Chromium's own headless user agent
    for _visit in range(3):
        open_article(crawler, other.url)

    # The home stays in the page cache; its rail catches up within its few seconds.
    deadline = time.monotonic() + 20
    while True:
        response = home.reload()
        if rail(home, "24h").count() == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert response.headers.get("x-page-cache") == "hit"
    expect(rail(home, "24h")).to_have_text([popular.title, other.title])
    expect(rail(home, "7d").first).to_have_text(popular.title)
    home.screenshot(path=artifact_path("audience-home-most-viewed.png"), full_page=True)

    # On an article page, beside the latest news.
    again = open_article(new_context(user_agent=BROWSER.format(7)), other.url)
    expect(rail(again, "24h").first).to_have_text(popular.title)
    again.screenshot(path=artifact_path("audience-article-most-viewed.png"), full_page=True)

    spanish_home = new_context(user_agent=BROWSER.format(6)).new_page()
    spanish_home.goto("/es-es/")
    expect(spanish_home.locator('[data-most-viewed="24h"]')).not_to_contain_text(popular.title)

    # The newsroom: the dashboard ranks it first, and its page charts the views.
    admin = new_context(viewport={"width": 1280, "height": 1400}).new_page()
    admin.goto("/admin/login/")
    admin.get_by_label("Username").fill("audience")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.goto("/admin/audience/")
    admin.screenshot(path=artifact_path("audience-dashboard.png"), full_page=True)
    first_row = admin.locator('[data-panel="24h"] tbody tr').first
    expect(first_row).to_contain_text(popular.title)
    expect(first_row.locator("td").last).to_have_text("4")
    first_row.get_by_role("link", name=popular.title).click()
    admin.wait_for_url(f"**/admin/audience/articles/{popular.pk}/")

    chart = admin.locator('[data-chart="chart-hourly"]')
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(48)
    assert chart.locator("rect").last.bounding_box()["height"] > 50
    expect(admin.locator('tr[data-source="direct"] td').first).to_have_text("3")
    expect(admin.locator('tr[data-source="unknown"] td').first).to_have_text("1")
    admin.locator("figure.audience-chart").first.screenshot(
        path=artifact_path("audience-dashboard-chart.png")
    )
    admin.screenshot(path=artifact_path("audience-dashboard-article.png"), full_page=True)
