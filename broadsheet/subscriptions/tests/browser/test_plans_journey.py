"""In a real browser, an anonymous reader of each edition follows the header's Subscribe to
the plan cards, picks Premium with its one primary action, signs in, and reaches checkout:
here, with no Stripe keys, the "payments are not available" answer in the edition's language.
"""

from __future__ import annotations

import re

import pytest

from broadsheet.accounts.tests.helpers import PASSWORD, reader_create
from broadsheet.newsroom.tests.browser.conftest import artifact_path
from broadsheet.subscriptions.setup import plans_setup

pytestmark = pytest.mark.browser

EDITIONS = {
    "en-us": {
        "subscribe": "Subscribe",
        "premium": "Subscribe to Premium",
        "sign_in": "Sign In",
        "answer": "Payments are not available",
        "cards": ["Digital", "Premium", "Business"],
    },
    "es-es": {
        "subscribe": "Suscríbete",
        "premium": "Suscríbete a Premium",
        "sign_in": "Iniciar sesión",
        "answer": "Los pagos no están disponibles",
        "cards": ["Digital", "Premium", "Empresas"],
    },
}


@pytest.mark.parametrize("language", list(EDITIONS))
def test_an_anonymous_reader_goes_from_the_header_to_checkout(
    new_context, live_editions, settings, language
):
    from playwright.sync_api import expect

    settings.STRIPE_SECRET_KEY = ""
    copy = EDITIONS[language]
    plans_setup()
    reader_create(email_address=f"reader-{language}@example.com")
    page = new_context().new_page()

    page.goto(f"/{language}/")
    page.locator("header").get_by_role("link", name=copy["subscribe"], exact=True).click()

    cards = page.locator(".plan-card")
    expect(cards).to_have_count(3)
    expect(page.locator(".plan-card__name")).to_have_text(copy["cards"])
    for card in cards.all():
        expect(card.locator(".plan-price")).to_be_visible()
        expect(card.locator(".plan-card__gives li").first).to_be_visible()
        expect(card.locator("a.button")).to_have_count(1)
    page.screenshot(path=artifact_path(f"plans-{language}.png"), full_page=True)
    page.get_by_role("link", name=copy["premium"], exact=True).click()

    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    page.screenshot(path=artifact_path(f"plans-{language}-sign-in.png"), full_page=True)
    page.fill("#id_login", f"reader-{language}@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=copy["sign_in"]).click()

    expect(page).to_have_url(re.compile(rf"/{language}/subscription/buy/\d+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(copy["answer"])
