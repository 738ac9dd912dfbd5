"""Signed Stripe events we cannot read as events: each is answered 400, kept as failed with
the reason, changes nothing else, and is never tried again (by a redelivery or the replay)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.subscriptions import billing
from broadsheet.subscriptions.models import BillingEvent, EventOutcome, Subscription

from .helpers import event, monthly, signature, stripe_subscription


def _post_body(client, body: str):
    return client.post(
        "/billing/stripe/webhook/",
        data=body.encode("utf-8"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body),
    )


def _subscription_event(plans, **overrides) -> dict:
    reader = reader_create()
    price = monthly(plans[("en-us", "digital")])
    obj = stripe_subscription(
        sub_id="sub_A", price_id=price.stripe_price_id, user=reader, price_pk=price.pk
    )
    evt = event(type_="customer.subscription.created", obj=obj)
    evt.update(overrides)
    return evt


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_EVENTS = {
    "created far in the future": lambda plans: json.dumps(
        _subscription_event(plans, created=10**20)
    ),
    "NUL in a field": lambda plans: json.dumps(_subscription_event(plans, description="a\x00b")),
    "lone surrogate in a field": lambda plans: json.dumps(
        _subscription_event(plans, description="\ud800")
    ),
    "50k-deep nesting": lambda plans: json.dumps(_subscription_event(plans)).replace(
        '"livemode": false', f'"livemode": false, "deep": {_nested(50_000)}'
    ),
    "object that is not a subscription": lambda plans: json.dumps(
        event(type_="customer.subscription.updated", obj={"id": "cus_1", "object": "customer"})
    ),
    "event id over 100 characters": lambda plans: json.dumps(
        _subscription_event(plans, id="evt_" + "x" * 200)
    ),
    "period end out of range": lambda plans: json.dumps(_subscription_event(plans)).replace(
        '"current_period_end": ', '"current_period_end": 1000000000000'
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_a_signed_event_we_cannot_read_is_kept_failed_and_never_retried(
    client, plans, webhook_secret, fake_stripe, case
):
    body = BAD_EVENTS[case](plans)

    first = _post_body(client, body)
    again = _post_body(client, body)  # Stripe's redelivery: the same row, the same answer

    assert first.status_code == again.status_code == 400
    assert first.json()["error"].startswith("refused: ")
    stored = BillingEvent.objects.get()
    assert stored.outcome == EventOutcome.FAILED
    assert stored.error.startswith("refused: ")
    assert stored.processed_at is not None
    assert not Subscription.objects.exists()  # nothing stored half-way
    report = billing.billing_events_replay(since=timezone.now(), now=timezone.now())
    assert report.retried == 0
    stored.refresh_from_db()
    assert stored.attempts == 1


def test_a_long_event_id_is_looked_up_as_it_is_stored(client, plans, webhook_secret):
    body = json.dumps(_subscription_event(plans, id="evt_" + "y" * 150))
    assert _post_body(client, body).status_code == 400
    assert _post_body(client, body).status_code == 400
    (stored,) = BillingEvent.objects.all()
    assert stored.stripe_event_id.startswith("refused_")
    assert len(stored.stripe_event_id) <= 100


def test_the_refused_body_is_kept_for_whoever_looks(client, plans, webhook_secret):
    body = json.dumps(_subscription_event(plans, created=10**20))
    _post_body(client, body)
    stored = BillingEvent.objects.get()
    assert stored.payload["refused"].startswith("a time out of range")
    assert stored.payload["body"] == body
    assert stored.stripe_created_at is not None


def test_a_failure_that_may_pass_is_retried_a_bounded_number_of_times(
    client, plans, webhook_secret, fake_stripe, monkeypatch
):
    def always_broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(billing, "_state_update", always_broken)
    body = json.dumps(_subscription_event(plans))
    assert _post_body(client, body).status_code == 500
    now = timezone.now()
    for minute in range(billing.MAX_ATTEMPTS + 5):
        billing.billing_events_replay(since=now, now=now + timedelta(minutes=minute))
    stored = BillingEvent.objects.get()
    assert stored.attempts == billing.MAX_ATTEMPTS
    assert stored.outcome == EventOutcome.FAILED and stored.processed_at is not None
