"""A reader signs up from an article page, confirms from the email, manages preferences and
unsubscribes, in each edition, in a real browser, against a real SMTP server."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from playwright.sync_api import expect

from broadsheet.newsletters.models import Newsletter, Subscription, SubscriptionStatus
from broadsheet.newsletters.tests.smtp_sink import SMTPSink
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.browser

EDITIONS = {
    "en-us": {"section": ("World", "world"), "newsletter": "The Weekly Digest", "slug": "weekly"},
    "es-es": {
        "section": ("Internacional", "internacional"),
        "newsletter": "El Semanal",
        "slug": "semanal",
    },
}


@pytest.fixture
def mail_server(settings, live_server):
    with SMTPSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.WAGTAILADMIN_BASE_URL = live_server.url
        yield sink


def _newest_text(sink) -> str:
    message = email.message_from_bytes(sink.handler.received[-1].content, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.parametrize("language", ["en-us", "es-es"])
def test_sign_up_confirm_manage_and_unsubscribe(
    language, live_editions, live_server, mail_server, new_context
):
    config = EDITIONS[language]
    edition = next(e for e in live_editions if e.locale.language_code == language)
    section = factories.section_create(
        edition=edition, title=config["section"][0], slug=config["section"][1]
    )
    article = factories.article_publish(section=section, title=f"Story for {language}")
    newsletter = Newsletter.objects.create(
        locale=edition.locale,
        name=config["newsletter"],
        slug=config["slug"],
        kind="weekly_digest",
    )
    page = new_context().new_page()

    # The box on the article page, with JavaScript: the answer appears in place.
    page.goto(article.url)
    box = page.locator("form[data-newsletter-signup]")
    expect(box).to_have_attribute("action", f"/{language}/newsletters/signup/")
    box.locator("input[type=email]").fill(f"reader-{language}@example.com")
    box.locator("button[type=submit]").click()
    expect(box.locator("[data-signup-status]")).not_to_be_empty()
    assert page.url.endswith(article.url)  # no navigation
    subscription = Subscription.objects.get(subscriber__email=f"reader-{language}@example.com")
    assert subscription.status == SubscriptionStatus.PENDING

    # The email: follow its link; the page asks, the button confirms.
    text = _newest_text(mail_server)
    link = re.search(rf"{re.escape(live_server.url)}(/{language}/newsletters/confirm/\S+/)", text)
    page.goto(link.group(1))
    expect(page.locator("html")).to_have_attribute("lang", language)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PENDING
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CONFIRMED

    # The preference page: choose nothing, save; the newsletter stops.
    page.locator(f"main a[href*='/{language}/newsletters/preferences/']").click()
    checkbox = page.locator(f"input[name=newsletters][value='{newsletter.pk}']")
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    page.locator("button[name=save]").click()
    expect(page.locator(f"input[name=newsletters][value='{newsletter.pk}']")).not_to_be_checked()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.UNSUBSCRIBED

    # Back on, then the unsubscribe link of an email: GET asks, the button unsubscribes.
    page.locator(f"input[name=newsletters][value='{newsletter.pk}']").check()
    page.locator("button[name=save]").click()
    expect(page.locator(f"input[name=newsletters][value='{newsletter.pk}']")).to_be_checked()
    from broadsheet.newsletters import tokens

    token = tokens.unsubscribe_token_make(
        subscriber_id=subscription.subscriber_id, newsletter_id=newsletter.pk, issue_id=None
    )
    page.goto(f"/{language}/newsletters/unsubscribe/{token}/")
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CONFIRMED
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.UNSUBSCRIBED


def test_sign_up_without_javascript(live_editions, mail_server, new_context):
    edition = live_editions[0]
    section = factories.section_create(edition=edition, title="World", slug="world")
    article = factories.article_publish(section=section, title="A story")
    Newsletter.objects.create(
        locale=edition.locale, name="The Weekly Digest", slug="weekly", kind="weekly_digest"
    )
    page = new_context(java_script_enabled=False).new_page()
    page.goto(article.url)
    page.locator("form[data-newsletter-signup] input[type=email]").fill("nojs@example.com")
    page.locator("form[data-newsletter-signup] button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Almost done")
    assert page.url.endswith("/en-us/newsletters/signup/")
    page.go_back()
    page.locator("form[data-newsletter-signup] input[type=email]").fill("not an address")
    page.locator("form[data-newsletter-signup] button[type=submit]").click()
    expect(page.locator("#nl-email-error")).to_contain_text("valid email address")
    assert len(mail_server.handler.received) == 1
