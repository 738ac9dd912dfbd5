"""Races: many people accepting the last seats at once, the same webhook delivered many times
at once. On PostgreSQL the row locks decide; on SQLite (a WAL file with IMMEDIATE transactions,
as the demo runs) writers queue for the database lock, and the outcome must be the same."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry
from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.subscriptions.models import BillingEvent, Seat, Subscription
from broadsheet.subscriptions.services.errors import SeatError
from broadsheet.subscriptions.services.invitations import invitation_accept, invitation_send

from .helpers import event, monthly, signature, stripe_subscription, subscription_create

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 12


def _run_together(work, count: int) -> list:
    """Run work(i) in `count` threads released at the same instant; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001  (the result under test)
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_many_accepting_the_last_seats_leave_exactly_the_seat_count(plans):
    admin = reader_create()
    people = [reader_create() for _ in range(THREADS)]
    subscription = subscription_create(
        holder=admin, plan=plans[("en-us", "business")], quantity=THREADS
    )
    tokens = [
        invitation_send(
            subscription_id=subscription.pk,
            inviter=admin,
            email=person.email,
            language="en-us",
            now=timezone.now(),
        ).token
        for person in people
    ]
    # The admin then bought fewer seats: twelve open invitations for three seats.
    Subscription.objects.filter(pk=subscription.pk).update(quantity=3)

    results = _run_together(
        lambda i: invitation_accept(token=tokens[i], user=people[i], now=timezone.now()),
        THREADS,
    )

    seats = [r for r in results if isinstance(r, Seat)]
    refused = [r for r in results if isinstance(r, SeatError)]
    assert len(seats) == 3
    assert len(refused) == THREADS - 3
    assert {r.code for r in refused} == {"full"}
    assert Seat.objects.filter(subscription=subscription).count() == 3


def test_concurrent_duplicate_webhooks_store_and_apply_once(plans, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_race"
    reader = reader_create()
    price = monthly(plans[("en-us", "digital")])
    body = json.dumps(
        event(
            type_="customer.subscription.created",
            obj=stripe_subscription(
                sub_id="sub_race", price_id=price.stripe_price_id, user=reader, price_pk=price.pk
            ),
        )
    )
    header = signature(body, secret="whsec_race")

    def deliver(_index: int) -> int:
        return (
            Client()
            .post(
                "/billing/stripe/webhook/",
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )
            .status_code
        )

    statuses = _run_together(deliver, THREADS)
    assert statuses == [200] * THREADS
    assert BillingEvent.objects.count() == 1
    assert Subscription.objects.count() == 1
    assert Seat.objects.count() == 1


def test_different_events_creating_one_subscription_at_once(plans, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_race"
    reader = reader_create()
    price = monthly(plans[("en-us", "premium")])
    obj = stripe_subscription(
        sub_id="sub_twin", price_id=price.stripe_price_id, user=reader, price_pk=price.pk
    )
    bodies = [
        json.dumps(event(type_=kind, obj=obj))
        for kind in ["customer.subscription.created", "customer.subscription.updated"] * 4
    ]

    def deliver(index: int) -> int:
        return (
            Client()
            .post(
                "/billing/stripe/webhook/",
                data=bodies[index],
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signature(bodies[index], secret="whsec_race"),
            )
            .status_code
        )

    assert _run_together(deliver, len(bodies)) == [200] * len(bodies)
    assert Subscription.objects.count() == 1
    assert Seat.objects.count() == 1
    assert BillingEvent.objects.count() == len(bodies)
    assert AuditEntry.objects.filter(action="subscription.created").count() == 1
