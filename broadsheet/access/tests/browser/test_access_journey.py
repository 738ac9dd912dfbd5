"""In real browsers: one subscription read on one device at a time, and the meter.

Three browser contexts sign in to one subscriber account through the real sign-in page (each is
a device with its own name, as a reader's phone and laptop are): the device reading a gated
article keeps it, the others get the notice naming it; "Read here" moves the slot and the open
page elsewhere learns it on its next heartbeat, without a reload; three changes of hands flag
the seat as shared on every page of every device, until a password change signs the others out.

An anonymous reader's meter counts down on metered articles and the registration wall comes at
the limit, in each edition's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, expect

from broadsheet.accounts.tests.helpers import PASSWORD
from broadsheet.accounts.useragents import browser_and_platform
from broadsheet.newsroom.tests import factories

from ..conftest import BROWSERS, redis_url, subscriber_create, use_store
from .conftest import artifact_path

pytestmark = pytest.mark.browser

SECRET = "Only subscribers read this line."
# The body of each metered story (numbered).
STORY_LINE = "The ledger lists every payment."
NOTICE = "Your subscription is being used on another device"
WARNING = "Your subscription seems to be shared"
NEW_PASSWORD = "a brand new passphrase 77"
# The heartbeat's period for these tests: reader.js never beats more often than every 5 s.
HEARTBEAT_SECONDS = 5
# Long enough for the open page's next heartbeat to have been answered.
HEARTBEAT_WAIT_MS = (HEARTBEAT_SECONDS + 6) * 1000


def _store(settings):
    """The live server's access store: Redis when the run has one, else the database."""
    return use_store(settings, "redis" if redis_url() else "database")


# One device at a time


@dataclass(frozen=True)
class Seat:
    email: str
    article_url: str


@pytest.fixture
def seat(live_editions, settings):
    """A digital subscriber (verified email, so the sign-in page lets them in) and a gated
    article. Built before the browser starts (see the newsroom's browser conftest)."""
    store = _store(settings)
    settings.ACCESS_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS
    english = live_editions[0]
    world = factories.section_create(edition=english, title="World", slug="world")
    gated = factories.article_publish(
        section=world,
        title="The hidden ledger",
        standfirst="Who paid whom, and when.",
        access_level="subscribers",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )
    user = subscriber_create(email="shared.seat@example.org")
    yield Seat(email=user.email, article_url=gated.url)
    store.clear()


def sign_in(context: BrowserContext, seat: Seat) -> Page:
    """Sign in through the real page (a device is registered, named from the User-Agent) and
    land on the gated article."""
    page = context.new_page()
    page.goto(f"/en-us/accounts/login/?next={quote(seat.article_url)}")
    page.fill("#id_login", seat.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"**{seat.article_url}")
    return page


def device_name(page: Page) -> str:
    """What the site calls this browser ("Chrome on Linux"), from its real User-Agent."""
    browser, platform = browser_and_platform(page.evaluate("navigator.userAgent"))
    return f"{browser} on {platform}"


def article_body(page: Page):
    return page.locator("#article-body")


def notice(page: Page):
    return article_body(page).locator("section.wall--device")


def warning(page: Page):
    # At the top of the article body on an article (it comes with the body), of main elsewhere.
    return page.locator("main aside.sharing-warning")


def expect_reading(page: Page) -> None:
    expect(article_body(page)).to_contain_text(SECRET)
    expect(notice(page)).to_have_count(0)


def expect_notice(page: Page, *, holder: str, timeout: float | None = None) -> None:
    """The notice instead of the body, naming the device that reads."""
    expect(notice(page).get_by_role("heading", level=2)).to_have_text(NOTICE, timeout=timeout)
    expect(notice(page).locator(".device-notice__holder")).to_contain_text(
        re.compile(rf"^{re.escape(holder)}, active (just now|.+ ago)\.$")
    )
    expect(notice(page).get_by_role("button", name="Read here")).to_be_visible()
    expect(article_body(page)).not_to_contain_text(SECRET)
    # The standfirst stays: the reader knows what they are missing.
    expect(page.locator(".article__standfirst")).to_have_text("Who paid whom, and when.")


def read_here(page: Page, seat: Seat) -> None:
    with page.expect_navigation(url=f"**{seat.article_url}"):
        notice(page).get_by_role("button", name="Read here").click()
    expect_reading(page)


def shot(page: Page, step: str) -> None:
    page.screenshot(path=artifact_path(f"access-devices-{step}.png"), full_page=True)


def test_one_device_at_a_time_takeovers_sharing_warning_and_password_change(seat, new_context):
    # Device A, a laptop: the headless Chromium's own User-Agent.
    laptop = sign_in(new_context(), seat)
    laptop_name = device_name(laptop)
    assert laptop_name == "Chrome on Linux"
    expect_reading(laptop)
    expect(laptop.locator(".access-heartbeat")).to_have_attribute(
        "data-seconds", str(HEARTBEAT_SECONDS)
    )
    expect(warning(laptop)).to_have_count(0)
    # Marks this very document: it is still there after the heartbeat (no reload).
    laptop.evaluate("window.stillTheSamePage = true")
    shot(laptop, "1-laptop-reads")

    # Device B, a phone: the notice names the laptop, and the phone gets no body.
    phone_context = new_context(
        user_agent=BROWSERS["chrome-android"], viewport={"width": 412, "height": 915}
    )
    phone = sign_in(phone_context, seat)
    phone_name = device_name(phone)
    assert phone_name == "Chrome on Android"
    expect_notice(phone, holder=laptop_name)
    shot(phone, "2-phone-notice")

    # Device C, a third browser of the same account: the notice too.
    desktop = sign_in(new_context(user_agent=BROWSERS["safari-mac"]), seat)
    desktop_name = device_name(desktop)
    assert desktop_name == "Safari on macOS"
    expect_notice(desktop, holder=laptop_name)

    # First change of hands: "Read here" on the phone.
    read_here(phone, seat)
    shot(phone, "3-phone-reads-here")

    # The laptop's open page learns it on its next heartbeat: the body gives way to the
    # notice, naming the phone, in the same document.
    expect_notice(laptop, holder=phone_name, timeout=HEARTBEAT_WAIT_MS)
    assert laptop.evaluate("window.stillTheSamePage") is True
    shot(laptop, "4-laptop-notice-after-heartbeat")

    # The third device, looking again, is told who reads now.
    desktop.reload()
    expect_notice(desktop, holder=phone_name)

    # Second change of hands: the laptop takes it back from the notice its heartbeat brought.
    read_here(laptop, seat)
    expect(warning(laptop)).to_have_count(0)
    # Third: the phone, looking again, is told and takes it back. The seat is now flagged.
    phone.reload()
    expect_notice(phone, holder=laptop_name)
    read_here(phone, seat)
    expect(warning(phone)).to_contain_text(WARNING)
    shot(phone, "5-phone-sharing-warning")

    # The warning is on every page, on every device of the seat, with its ways out.
    for page in (laptop, phone, desktop):
        page.goto(seat.article_url)
        expect(warning(page).get_by_role("heading", level=2)).to_have_text(WARNING)
        expect(warning(page).get_by_role("link", name="Change your password")).to_be_visible()
        page.goto("/en-us/")
        expect(warning(page).get_by_role("heading", level=2)).to_have_text(WARNING)
    shot(laptop, "6-laptop-home-sharing-warning")
    # Nobody else sees it.
    stranger = new_context().new_page()
    stranger.goto("/en-us/")
    expect(stranger.locator("main")).to_be_visible()
    expect(warning(stranger)).to_have_count(0)

    # The laptop changes the password: every other device is signed out, the flag ends.
    laptop.goto("/en-us/accounts/password/change/")
    laptop.fill("#id_oldpassword", PASSWORD)
    laptop.fill("#id_password1", NEW_PASSWORD)
    laptop.fill("#id_password2", NEW_PASSWORD)
    with laptop.expect_navigation():
        laptop.get_by_role("button", name="Change Password").click()
    expect(warning(laptop)).to_have_count(0)
    laptop.goto("/en-us/")
    expect(warning(laptop)).to_have_count(0)
    expect(laptop.locator(".account-link")).to_contain_text("My account")
    # The phone's slot was freed with its session: the laptop reads at once.
    laptop.goto(seat.article_url)
    expect_reading(laptop)
    expect(warning(laptop)).to_have_count(0)
    shot(laptop, "7-laptop-after-password-change")

    # The phone's (and the third device's) next page is an anonymous reader's: the paywall,
    # a "Sign in" link, neither the notice nor the warning.
    for page in (phone, desktop):
        response = page.goto(seat.article_url)
        assert response.headers.get("x-access") == "paywall"
        expect(article_body(page).locator("section.wall--paywall")).to_be_visible()
        expect(article_body(page)).not_to_contain_text(SECRET)
        expect(notice(page)).to_have_count(0)
        expect(warning(page)).to_have_count(0)
        expect(page.locator(".account-link")).to_contain_text("Sign in")
    shot(phone, "8-phone-signed-out")


# The meter


@dataclass(frozen=True)
class MeterTexts:
    """What the meter and the wall say in an edition, as the catalogue has it."""

    notes: dict[int, str]  # remaining -> "You have 2 free articles left of 3."
    wall: dict[str, str]  # a selector inside section.wall -> its text


def _as_catalogued(language: str, english: str, translated: str) -> str:
    """The English edition speaks the msgids; another edition its translation, which must
    exist: an untranslated wall is a failure, not a skipped check."""
    assert language == "en-us" or translated != english, f"no {language} translation: {english}"
    return translated


def _plural(language: str, singular: str, plural: str, number: int, values: dict) -> str:
    english = (singular if number == 1 else plural) % values
    translated = translation.ngettext(singular, plural, number) % values
    return _as_catalogued(language, english, translated)


def meter_texts(language: str) -> MeterTexts:
    """Computed from the catalogue at the time of the run (msgids as in access/body.html)."""
    limit = django_settings.ACCESS_ANONYMOUS_METER
    registered = django_settings.ACCESS_REGISTERED_METER
    with translation.override(language):
        notes = {
            remaining: _plural(
                language,
                "You have %(remaining)s free article left of %(limit)s.",
                "You have %(remaining)s free articles left of %(limit)s.",
                remaining,
                {"remaining": remaining, "limit": limit},
            )
            for remaining in range(limit)
        }
        wall = {
            selector: _as_catalogued(language, msgid, translation.gettext(msgid))
            for selector, msgid in (
                ("#wall-heading", "You have read your free articles"),
                ("a.button", "Create a free account"),
                ('a[href*="/accounts/login/"]', "Sign in"),
                ("p:nth-of-type(3) > a", "Or subscribe for unlimited reading"),
            )
        }
        wall["p:nth-of-type(1)"] = _plural(
            language,
            "Create a free account to keep reading: %(limit)s article a month, and our "
            "newsletters.",
            "Create a free account to keep reading: %(limit)s articles a month, and our "
            "newsletters.",
            registered,
            {"limit": registered},
        )
    return MeterTexts(notes=notes, wall=wall)


@dataclass(frozen=True)
class Edition:
    language: str
    urls: tuple[str, ...]
    texts: MeterTexts


EDITIONS = {
    "en-us": ("World", "world", "Metered story", "What happened, in one sentence."),
    "es-es": ("Internacional", "internacional", "Noticia medida", "Lo que pasó, en una frase."),
}


@pytest.fixture
def edition(request, live_editions, settings):
    """One more metered article in the edition than the anonymous meter allows."""
    store = _store(settings)
    language = request.param
    section_title, section_slug, headline, standfirst = EDITIONS[language]
    by_language = {e.locale.language_code: e for e in live_editions}
    section = factories.section_create(
        edition=by_language[language], title=section_title, slug=section_slug
    )
    articles = [
        factories.article_publish(
            section=section,
            title=f"{headline} {number}",
            standfirst=standfirst,
            access_level="metered",
            body=[("paragraph", f"<p>{STORY_LINE} ({number})</p>")],
        )
        for number in range(1, settings.ACCESS_ANONYMOUS_METER + 2)
    ]
    yield Edition(
        language=language,
        urls=tuple(a.url for a in articles),
        texts=meter_texts(language),
    )
    store.clear()


@pytest.mark.parametrize("edition", list(EDITIONS), indirect=True)
def test_the_meter_counts_down_then_the_registration_wall(edition: Edition, new_context):
    limit = django_settings.ACCESS_ANONYMOUS_METER
    context = new_context()
    page = context.new_page()

    for number, url in enumerate(edition.urls[:limit], start=1):
        response = page.goto(url)
        assert response.headers.get("x-access") == "body"
        expect(page.locator("html")).to_have_attribute("lang", re.compile(edition.language, re.I))
        expect(article_body(page)).to_contain_text(f"{STORY_LINE} ({number})")
        note = article_body(page).locator("p.meter-note[role=status]")
        expect(note).to_have_count(1)
        # Both numbers, in whatever order the edition's language puts them.
        expect(note).to_have_text(re.compile(rf"(?=.*\b{limit - number}\b)(?=.*\b{limit}\b)"))
        expect(note).to_have_text(edition.texts.notes[limit - number])
        if number == 1:
            # Counted on the server against a signed, HttpOnly cookie, not in the page.
            [cookie] = [
                c for c in context.cookies() if c["name"] == django_settings.ACCESS_READER_COOKIE
            ]
            assert cookie["httpOnly"]
            assert page.evaluate("document.cookie").find(cookie["name"]) == -1
    page.screenshot(
        path=artifact_path(f"access-meter-{edition.language}-last-free.png"), full_page=True
    )

    # One past the limit: the registration wall instead of the body, in the edition.
    response = page.goto(edition.urls[limit])
    assert response.headers.get("x-access") == "registration_wall"
    wall = article_body(page).locator("section.wall")
    expect(wall).to_be_visible()
    expect(article_body(page)).not_to_contain_text(STORY_LINE)
    expect(wall.locator("#wall-heading")).to_be_visible()
    signup = wall.locator(f'a.button[href^="/{edition.language}/accounts/signup/"]')
    expect(signup).to_be_visible()
    expect(wall.locator(f'a[href^="/{edition.language}/accounts/login/"]')).to_be_visible()
    for selector, text in edition.texts.wall.items():
        expect(wall.locator(selector)).to_have_text(text)
    page.screenshot(path=artifact_path(f"access-meter-{edition.language}-wall.png"), full_page=True)

    # An article already counted is read again, and counts nothing: no meter note.
    response = page.goto(edition.urls[0])
    assert response.headers.get("x-access") == "body"
    expect(article_body(page)).to_contain_text(f"{STORY_LINE} (1)")
    expect(article_body(page).locator("p.meter-note")).to_have_count(0)
    # And the wall stays for a new one.
    response = page.goto(edition.urls[limit])
    assert response.headers.get("x-access") == "registration_wall"
