"""An article's way from a reporter's draft, through an editor's review, to the readers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import BrowserContext, Page, expect

from broadsheet.newsroom import services
from broadsheet.newsroom.tests import factories

from .conftest import artifact_path

pytestmark = pytest.mark.browser

PASSWORD = "Copy-desk-2024-ink"


@dataclass(frozen=True)
class Assignment:
    edition: str  # language code, also the URL prefix
    edition_title: str  # as the admin's page explorer shows it
    section_title: str
    section_slug: str
    headline: str
    standfirst: str
    paragraph: str


ASSIGNMENTS = {
    "en-us": Assignment(
        edition="en-us",
        edition_title="US Edition",
        section_title="World",
        section_slug="world",
        headline="Harbour reopens after the storm",
        standfirst="Ships returned to the bay on Tuesday, two weeks after the storm.",
        paragraph="Cranes were back at work by dawn, and the fish market opened at six.",
    ),
    "es-es": Assignment(
        edition="es-es",
        edition_title="España",
        section_title="Internacional",
        section_slug="internacional",
        headline="El puerto reabre tras la tormenta",
        standfirst="Los barcos volvieron a la bahía el martes, dos semanas después.",
        paragraph="Las grúas trabajaban de nuevo al amanecer y la lonja abrió a las seis.",
    ),
}


@pytest.fixture
def assignment(request, live_editions) -> Assignment:
    assignment = ASSIGNMENTS[request.param]
    edition = {e.locale.language_code: e for e in live_editions}[assignment.edition]
    factories.section_create(
        edition=edition, title=assignment.section_title, slug=assignment.section_slug
    )
    return assignment


@pytest.fixture
def newsroom_staff(live_editions) -> dict[str, str]:
    """A reporter and an editor, by role, with their usernames; all share PASSWORD."""
    users = {"reporter": ("rita", services.REPORTERS), "editor": ("eddie", services.EDITORS)}
    for username, group in users.values():
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.com", password=PASSWORD
        )
        user.groups.add(Group.objects.get(name=group))
    return {role: username for role, (username, _group) in users.items()}


def shot(page: Page, assignment: Assignment, step: str, *, full_page: bool = False) -> None:
    # The admin scrolls inside its own panes: a full-page shot of it comes out shifted.
    path = artifact_path(f"editor-{assignment.edition}-{step}.png")
    page.screenshot(path=path, full_page=full_page)


def admin_sign_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    page.goto("/admin/")
    page.wait_for_url("**/admin/login/**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def rss_titles(page: Page, prefix: str) -> dict[str, str]:
    """The edition's RSS feed, as a reader's feed reader gets it: item title -> link."""
    response = page.request.get(f"{prefix}feed/rss/")
    assert response.ok, f"{prefix}feed/rss/ answered {response.status}"
    channel = ET.fromstring(response.body()).find("channel")
    return {item.findtext("title"): item.findtext("link") for item in channel.iter("item")}


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS), indirect=True)
def test_reporter_submits_editor_approves_readers_see_it(
    assignment: Assignment, newsroom_staff, new_context, live_server
):
    prefix = f"/{assignment.edition}/"
    reader = new_context().new_page()
    # Load the reader pages first, so that they sit in the page cache before the publish.
    reader.goto(prefix)
    expect(reader.locator("body > footer.site-footer")).to_be_visible()  # the page came whole
    expect(reader.locator("main")).not_to_contain_text(assignment.headline)
    assert assignment.headline not in rss_titles(reader, prefix)

    # The reporter finds the section in the page explorer and adds an article to it.
    # A tall window, so that the screenshot of the draft shows every field filled in.
    reporter = admin_sign_in(
        new_context(viewport={"width": 1280, "height": 1500}), newsroom_staff["reporter"]
    )
    reporter.goto("/admin/pages/")
    reporter.get_by_role(
        "link", name=f"Explore child pages of '{assignment.edition_title}'"
    ).click()
    reporter.get_by_role("link", name=f"Add a child page to '{assignment.section_title}'").click()
    reporter.wait_for_url("**/admin/pages/add/newsroom/articlepage/**")

    reporter.locator("#id_title").fill(assignment.headline)
    reporter.get_by_role("textbox", name="Standfirst").fill(assignment.standfirst)
    body = reporter.locator("#body-root")
    body.get_by_title("Insert a block").first.click()
    reporter.get_by_role("option", name=re.compile(r"^paragraph$", re.IGNORECASE)).click()
    paragraph = body.locator("[contenteditable='true']").first  # Draftail's editable area
    paragraph.click()
    paragraph.press_sequentially(assignment.paragraph)
    expect(paragraph).to_have_text(assignment.paragraph)
    # Draftail copies its content into the block's hidden input a moment after the last
    # keystroke; a form sent before that carries an empty paragraph ("This field is required").
    expect(body.locator("input[name='body-0-value']")).to_have_value(
        re.compile(re.escape(json.dumps(assignment.paragraph, ensure_ascii=False)[1:-1]))
    )
    slug_field = reporter.locator("#id_slug")  # filled in from the title, on the Promote tab
    expect(slug_field).to_have_value(re.compile(r"\S"))
    slug = slug_field.input_value()
    reporter.locator("#id_title").scroll_into_view_if_needed()
    shot(reporter, assignment, "01-reporter-draft")

    # "Submit to Editorial review" is in the footer's action menu.
    reporter.get_by_role("button", name="More actions").click()
    reporter.get_by_role("button", name=f"Submit to {services.EDITORIAL_WORKFLOW}").click()
    reporter.wait_for_url(re.compile(r"/admin/pages/\d+/$"))  # back to the section's listing
    expect(reporter.locator(".messages")).to_contain_text("submitted for moderation")
    row = reporter.get_by_role("row").filter(has_text=assignment.headline)
    expect(row).to_contain_text(re.compile("in moderation", re.IGNORECASE))
    shot(reporter, assignment, "02-reporter-submitted")

    article_path = f"{prefix}{assignment.section_slug}/{slug}/"
    assert reader.request.get(article_path).status == 404, "a page in review is not public"

    # The editor, on another device, finds it awaiting review and approves it.
    editor = admin_sign_in(new_context(), newsroom_staff["editor"])
    review = editor.locator("section").filter(
        has=editor.get_by_role("heading", name="Awaiting your review")
    )
    pending = review.get_by_role("row").filter(has_text=assignment.headline)
    expect(pending).to_be_visible()
    shot(editor, assignment, "03-editor-awaiting-review")
    pending.get_by_role("button", name="Actions").click()
    with editor.expect_navigation():
        pending.get_by_role("button", name="Approve", exact=True).click()
    expect(editor.get_by_role("row").filter(has_text=assignment.headline)).to_have_count(0)
    shot(editor, assignment, "04-editor-approved")

    # A reader now sees it on the edition's home, can read it, and finds it in the feed.
    reader.goto(prefix)
    expect(reader.locator("body > footer.site-footer")).to_be_visible()  # the page came whole
    reader.locator("main").get_by_role("link", name=assignment.headline, exact=True).click()
    reader.wait_for_url(f"**{article_path}")
    expect(reader.locator("body > footer.site-footer")).to_be_visible()
    expect(reader.get_by_role("heading", level=1)).to_have_text(assignment.headline)
    expect(reader.locator(".article__standfirst")).to_have_text(assignment.standfirst)
    expect(reader.locator(".article__body")).to_contain_text(assignment.paragraph)
    shot(reader, assignment, "05-reader-article", full_page=True)

    feed = rss_titles(reader, prefix)
    assert assignment.headline in feed
    assert feed[assignment.headline] == f"{live_server.url}{article_path}"
