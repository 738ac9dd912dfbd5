"""The plans as a reader weighs them, in both editions: a card per plan with its price, its
period, what it gives and one primary action; the Spanish edition names its plans in Spanish."""

from __future__ import annotations

import re

import pytest

from broadsheet.subscriptions.setup import plans_setup

pytestmark = pytest.mark.django_db


def _cards(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<li class="plan-card[^"]*" data-plan="(\w+)">(.*?)</li>\s*\n\s*(?=<li|</ul>)',
            html,
            re.S,
        )
    )


@pytest.mark.parametrize(
    ("prefix", "names", "period", "premium_gives", "business_gives"),
    [
        (
            "/en-us/",
            ["Digital", "Premium", "Business"],
            "per month",
            "Add a person",
            "more accounts",
        ),
        (
            "/es-es/",
            ["Digital", "Premium", "Empresas"],
            "al mes",
            "Añade a una persona",
            "más cuentas",
        ),
    ],
)
def test_each_plan_is_a_card_with_price_period_what_it_gives_and_one_action(
    client, editions, prefix, names, period, premium_gives, business_gives
):
    plans_setup()

    html = client.get(f"{prefix}subscription/plans/").content.decode()

    cards = _cards(html)
    assert list(cards) == ["digital", "premium", "business"]
    for name, card in zip(names, cards.values(), strict=True):
        assert f'class="plan-card__name">{name}<' in card
        assert 'class="plan-price"' in card and period in card
        assert card.count('class="plan-card__gives"') == 1
        assert len(re.findall(r'class="button[^"]*"', card)) == 1
        assert re.search(
            rf'class="button plan-card__action" href="{prefix}subscription/buy/\d+/"', card
        )
    assert premium_gives in cards["premium"]
    assert business_gives in cards["business"]


def test_the_paywall_shows_the_same_cards(client, editions, en_world):
    from broadsheet.newsroom.tests import factories

    plans_setup()
    article = factories.article_publish(section=en_world, access_level="subscribers")

    html = client.get(article.url).content.decode()

    wall = html[html.index('class="wall wall--paywall"') :]
    assert list(_cards(wall)) == ["digital", "premium", "business"]
    assert "Add a person" in _cards(wall)["premium"]
