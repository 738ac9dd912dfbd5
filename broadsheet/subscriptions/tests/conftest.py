"""Fixtures for the subscriptions tests (and the accounts ones: client, mailbox)."""

from __future__ import annotations

import pytest

from broadsheet.accounts.tests.conftest import client, mailbox  # noqa: F401

from .helpers import WEBHOOK_SECRET, FakeStripe, plans_with_stripe_prices


@pytest.fixture
def plans(editions):
    return plans_with_stripe_prices()


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture
def fake_stripe(settings):
    with FakeStripe() as fake:
        settings.STRIPE_SECRET_KEY = "sk_test_only_not_secret"
        settings.STRIPE_API_BASE = fake.url
        yield fake
