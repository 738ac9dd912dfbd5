"""Stripe webhooks with real signatures made from a test secret: valid, forged, stale,
replayed, out of order, malformed; what each leaves in our records."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry
from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.subscriptions import billing
from broadsheet.subscriptions.models import (
    BillingCustomer,
    BillingEvent,
    EventOutcome,
    PlanKind,
    Seat,
    Status,
    Subscription,
)
from broadsheet.subscriptions.selectors import entitlement_for

from .helpers import (
    WEBHOOK_SECRET,
    event,
    invite_and_accept,
    monthly,
    post_event,
    signature,
    stripe_subscription,
)


def _subscription_event(
    plans,
    reader,
    *,
    kind="digital",
    type_="customer.subscription.created",
    sub_id="sub_A",
    created=None,
    **state,
):
    price = monthly(plans[("en-us", kind)])
    obj = stripe_subscription(
        sub_id=sub_id, price_id=price.stripe_price_id, user=reader, price_pk=price.pk, **state
    )
    return event(type_=type_, obj=obj, created=created)


def test_a_signed_event_creates_the_subscription_and_the_seat(client, plans, webhook_secret):
    reader = reader_create()
    response = post_event(client, _subscription_event(plans, reader))
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "outcome": "applied"}

    subscription = Subscription.objects.get(stripe_subscription_id="sub_A")
    assert subscription.holder == reader
    assert subscription.status == Status.ACTIVE
    assert subscription.amount_minor == 1200 and subscription.currency == "USD"
    assert subscription.current_period_end > timezone.now()
    assert subscription.stripe_item_id == "si_sub_A"
    assert list(subscription.seats.values_list("user", flat=True)) == [reader.pk]
    assert entitlement_for(reader).subscription_id == subscription.pk
    stored = BillingEvent.objects.get()
    assert (stored.outcome, stored.subscription, stored.user) == ("applied", subscription, reader)
    assert (
        AuditEntry.objects.filter(action="subscription.created", actor_kind="stripe").count() == 1
    )


@pytest.mark.parametrize(
    "tamper",
    ["forged", "stale", "missing", "future_body"],
)
def test_bad_signatures_are_refused_and_change_nothing(client, plans, webhook_secret, tamper):
    reader = reader_create()
    body = json.dumps(_subscription_event(plans, reader))
    headers = {
        "forged": signature(body, secret="whsec_someone_else"),
        "stale": signature(body, timestamp=int(time.time()) - 301),
        "missing": "",
        "future_body": signature(body.replace("sub_A", "sub_B")),
    }
    response = client.post(
        "/billing/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=headers[tamper],
    )
    assert response.status_code == 400
    assert not BillingEvent.objects.exists()
    assert not Subscription.objects.exists()


def test_a_signature_within_the_tolerance_is_accepted(client, plans, webhook_secret):
    body = json.dumps(_subscription_event(plans, reader_create()))
    response = client.post(
        "/billing/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body, timestamp=int(time.time()) - 290),
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        '{"id": "evt_1", "type": "customer.subscription.created", ',
        "not json at all",
        "[]",
        '{"id": "evt_1"}',
        "\xff",
    ],
)
def test_malformed_bodies_with_a_valid_signature_are_400_and_change_nothing(
    db, client, webhook_secret, body
):
    response = client.post(
        "/billing/stripe/webhook/",
        data=body.encode("latin-1"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body),
    )
    assert response.status_code == 400
    assert not BillingEvent.objects.exists()


def test_a_replayed_event_is_stored_and_applied_once(client, plans, webhook_secret):
    reader = reader_create()
    evt = _subscription_event(plans, reader)
    first = post_event(client, evt)
    second = post_event(client, evt)
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert BillingEvent.objects.count() == 1
    assert Subscription.objects.count() == 1
    assert Seat.objects.count() == 1
    assert AuditEntry.objects.filter(action="subscription.created").count() == 1


def test_out_of_order_an_older_state_never_overwrites_a_newer_one(client, plans, webhook_secret):
    reader = reader_create()
    now = int(time.time())
    created = _subscription_event(plans, reader, created=now - 20, status="incomplete")
    activated = _subscription_event(
        plans, reader, type_="customer.subscription.updated", created=now - 10
    )
    past_due = _subscription_event(
        plans, reader, type_="customer.subscription.updated", created=now, status="past_due"
    )

    # Delivered newest first.
    for evt in (past_due, activated, created):
        assert post_event(client, evt).status_code == 200

    subscription = Subscription.objects.get()
    assert subscription.status == Status.PAST_DUE
    assert subscription.past_due_since is not None
    outcomes = dict(BillingEvent.objects.values_list("stripe_event_id", "outcome"))
    assert outcomes == {past_due["id"]: "applied", activated["id"]: "stale", created["id"]: "stale"}


def test_a_deleted_subscription_stays_ended_whatever_comes_after(client, plans, webhook_secret):
    reader = reader_create()
    now = int(time.time())
    post_event(client, _subscription_event(plans, reader, created=now - 5))
    post_event(
        client,
        _subscription_event(
            plans, reader, type_="customer.subscription.deleted", created=now, status="canceled"
        ),
    )
    # A late "updated" from the same second, still saying active.
    post_event(
        client,
        _subscription_event(plans, reader, type_="customer.subscription.updated", created=now),
    )
    subscription = Subscription.objects.get()
    assert subscription.status == Status.ENDED
    assert subscription.ended_at is not None
    assert entitlement_for(reader) is None


def test_past_due_keeps_access_for_the_grace_then_stops(client, plans, webhook_secret, settings):
    settings.SUBSCRIPTIONS_PAST_DUE_GRACE_DAYS = 7
    reader = reader_create()
    post_event(client, _subscription_event(plans, reader, status="past_due"))
    now = timezone.now()
    assert entitlement_for(reader, now=now + timedelta(days=6)) is not None
    assert entitlement_for(reader, now=now + timedelta(days=8)) is None
    # Paid again: active, and the overdue mark goes.
    post_event(
        client,
        _subscription_event(
            plans, reader, type_="customer.subscription.updated", created=int(time.time()) + 1
        ),
    )
    subscription = Subscription.objects.get()
    assert (subscription.status, subscription.past_due_since) == (Status.ACTIVE, None)


def test_cancel_at_period_end_keeps_access_until_then(client, plans, webhook_secret):
    reader = reader_create()
    period_end = int(time.time()) + 86400
    post_event(
        client, _subscription_event(plans, reader, cancel_at_period_end=True, period_end=period_end)
    )
    subscription = Subscription.objects.get()
    assert subscription.status == Status.CANCELED
    assert entitlement_for(reader) is not None
    assert entitlement_for(reader, now=timezone.now() + timedelta(days=2)) is None


def test_fewer_seats_from_stripe_remove_the_newest_people(client, plans, webhook_secret):
    admin = reader_create()
    people = [reader_create() for _ in range(3)]
    now = int(time.time())
    post_event(
        client,
        _subscription_event(
            plans, admin, kind="business", quantity=3, created=now - 10, organisation="Acme"
        ),
    )
    subscription = Subscription.objects.get()
    assert subscription.organisation.name == "Acme"
    assert subscription.seats.count() == 0  # the Business buyer takes a seat only if they want
    for person in people:
        invite_and_accept(subscription, inviter=admin, user=person)

    post_event(
        client,
        _subscription_event(
            plans,
            admin,
            kind="business",
            quantity=2,
            type_="customer.subscription.updated",
            created=now,
        ),
    )
    assert sorted(subscription.seats.values_list("user", flat=True)) == sorted(
        p.pk for p in people[:2]
    )
    assert entitlement_for(people[2]) is None
    assert AuditEntry.objects.filter(action="seat.removed", data__reason="over_limit").count() == 1


def test_premium_to_digital_removes_the_second_person(client, plans, webhook_secret):
    holder, partner = reader_create(), reader_create()
    now = int(time.time())
    post_event(client, _subscription_event(plans, holder, kind="premium", created=now - 10))
    subscription = Subscription.objects.get()
    invite_and_accept(subscription, inviter=holder, user=partner)
    post_event(
        client,
        _subscription_event(
            plans, holder, kind="digital", type_="customer.subscription.updated", created=now
        ),
    )
    subscription.refresh_from_db()
    assert subscription.plan.kind == PlanKind.DIGITAL
    assert list(subscription.seats.values_list("user", flat=True)) == [holder.pk]


def test_checkout_completed_remembers_the_customer(client, plans, webhook_secret):
    reader = reader_create()
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": "cus_42",
        "subscription": "sub_A",
        "client_reference_id": str(reader.pk),
        "metadata": {"broadsheet_user": str(reader.pk)},
    }
    response = post_event(client, event(type_="checkout.session.completed", obj=session))
    assert response.json()["outcome"] == "applied"
    assert BillingCustomer.objects.get(user=reader).stripe_customer_id == "cus_42"


def test_other_events_are_kept_for_the_record(client, plans, webhook_secret):
    response = post_event(
        client,
        event(type_="invoice.paid", obj={"id": "in_1", "object": "invoice", "customer": "cus_x"}),
    )
    assert response.json()["outcome"] == "ignored"
    unmatched = post_event(
        client,
        event(
            type_="customer.subscription.created",
            obj=stripe_subscription(sub_id="sub_Z", price_id="price_unknown"),
        ),
    )
    assert unmatched.json()["outcome"] == "unmatched"
    assert BillingEvent.objects.count() == 2


def test_a_failing_event_answers_500_and_is_applied_when_retried(
    client, plans, webhook_secret, monkeypatch
):
    reader = reader_create()
    evt = _subscription_event(plans, reader)
    original = billing._state_update
    calls = []

    def broken_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return original(*args, **kwargs)

    monkeypatch.setattr(billing, "_state_update", broken_once)
    assert post_event(client, evt).status_code == 500
    stored = BillingEvent.objects.get()
    assert (stored.outcome, stored.processed_at) == (EventOutcome.FAILED, None)
    assert not Subscription.objects.exists()  # nothing half-applied

    assert post_event(client, evt).status_code == 200  # Stripe's retry
    stored.refresh_from_db()
    assert (stored.outcome, stored.attempts) == (EventOutcome.APPLIED, 2)
    assert Subscription.objects.count() == 1


def test_without_a_webhook_secret_the_endpoint_says_so(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = client.post("/billing/stripe/webhook/", data="{}", content_type="application/json")
    assert response.status_code == 503
    assert response.json() == {"error": "billing is not configured"}


def test_only_post(client, webhook_secret):
    assert client.get("/billing/stripe/webhook/").status_code == 405


def test_the_secret_is_read_per_request(client, plans, settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    evt = _subscription_event(plans, reader_create())
    assert post_event(client, evt).status_code == 200
    settings.STRIPE_WEBHOOK_SECRET = "whsec_rotated"
    assert post_event(client, evt).status_code == 400
