"""Buying through Stripe Checkout, managing through the portal, and what happens when no
Stripe key is configured. Stripe's API is a stand-in on a local port (no network)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core.management import call_command
from django.utils import timezone

from broadsheet.accounts.tests.helpers import reader_create, sign_in
from broadsheet.subscriptions.models import BillingEvent, Status, Subscription

from .helpers import event, monthly, stripe_subscription, subscription_create


def test_plans_page_per_edition_in_its_currency_and_cached(client, plans):
    en = client.get("/en-us/subscription/plans/")
    es = client.get("/es-es/subscription/plans/")
    assert en.status_code == es.status_code == 200
    assert "$12.00" in en.content.decode()
    assert "12,00\u00a0€" in es.content.decode()
    assert b'lang="es-es"' in es.content
    # The same page for every anonymous reader, from the page cache.
    assert type(client)().get("/en-us/subscription/plans/")["X-Page-Cache"] == "hit"


def test_buying_without_stripe_keys_says_billing_is_not_configured(client, plans, settings):
    settings.STRIPE_SECRET_KEY = ""
    reader = reader_create()
    sign_in(client, email_address=reader.email)
    price = monthly(plans[("en-us", "digital")])
    for response in (
        client.get(f"/en-us/subscription/buy/{price.pk}/"),
        client.post(f"/en-us/subscription/buy/{price.pk}/"),
    ):
        assert response.status_code == 503
        assert b"Billing is not configured" in response.content


def test_buying_needs_a_signed_in_reader(client, plans):
    price = monthly(plans[("en-us", "digital")])
    response = client.get(f"/en-us/subscription/buy/{price.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en-us/accounts/login/")


def test_a_price_of_another_edition_is_not_for_sale_here(client, plans, fake_stripe):
    reader = reader_create()
    sign_in(client, email_address=reader.email)
    spanish = monthly(plans[("es-es", "digital")])
    assert client.get(f"/en-us/subscription/buy/{spanish.pk}/").status_code == 404


def test_checkout_sends_the_reader_to_stripe_with_who_and_what(client, plans, fake_stripe):
    reader = reader_create()
    sign_in(client, email_address=reader.email)
    price = monthly(plans[("es-es", "business")])
    response = client.post(
        f"/es-es/subscription/buy/{price.pk}/", {"quantity": "5", "organisation": "Diario SL"}
    )
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.test/c/cs_test_1"
    [params] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert params["mode"] == "subscription"
    assert params["line_items[0][price]"] == price.stripe_price_id
    assert params["line_items[0][quantity]"] == "5"
    assert params["customer_email"] == reader.email
    assert params["subscription_data[metadata][broadsheet_user]"] == str(reader.pk)
    assert params["subscription_data[metadata][broadsheet_organisation]"] == "Diario SL"
    assert params["locale"] == "es"
    assert "/es-es/subscription/welcome/" in params["success_url"]


def test_checkout_refuses_a_silly_seat_count(client, plans, fake_stripe):
    reader = reader_create()
    sign_in(client, email_address=reader.email)
    price = monthly(plans[("en-us", "business")])
    for quantity in ("0", "100000", "many"):
        response = client.post(
            f"/en-us/subscription/buy/{price.pk}/", {"quantity": quantity, "organisation": "X"}
        )
        assert response.status_code == 400
    assert fake_stripe.calls("POST", "/v1/checkout/sessions") == []


def test_portal_plan_change_seats_and_cancel_go_through_stripe(client, plans, fake_stripe):
    holder = reader_create()
    digital = subscription_create(holder=holder, plan=plans[("en-us", "digital")])
    sign_in(client, email_address=holder.email)

    assert (
        client.post("/en-us/subscription/portal/")["Location"] == "https://billing.stripe.test/p/1"
    )
    premium_price = monthly(plans[("en-us", "premium")])
    page = client.get("/en-us/subscription/").content.decode()
    assert f"/en-us/subscription/{digital.pk}/change/{premium_price.pk}/" in page
    client.post(f"/en-us/subscription/{digital.pk}/change/{premium_price.pk}/")
    client.post(f"/en-us/subscription/{digital.pk}/cancel/")
    flows = [
        p.get("flow_data[type]") for p in fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    ]
    assert flows == [None, "subscription_update_confirm", "subscription_cancel"]
    update = fake_stripe.calls("POST", "/v1/billing_portal/sessions")[1]
    assert (
        update["flow_data[subscription_update_confirm][items][0][price]"]
        == premium_price.stripe_price_id
    )


def test_a_business_admin_buys_more_seats_through_stripe(client, plans, fake_stripe):
    admin = reader_create()
    business = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    sign_in(client, email_address=admin.email)
    response = client.post(f"/en-us/subscription/{business.pk}/seats/", {"quantity": "5"})
    assert response["Location"] == "https://billing.stripe.test/p/1"
    [params] = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert params["flow_data[subscription_update_confirm][items][0][quantity]"] == "5"
    # Our record changes only when Stripe's webhook says the change was paid for.
    business.refresh_from_db()
    assert business.quantity == 3


def test_replay_applies_missed_events_once(plans, fake_stripe):
    reader = reader_create()
    price = monthly(plans[("en-us", "digital")])
    obj = stripe_subscription(
        sub_id="sub_R", price_id=price.stripe_price_id, user=reader, price_pk=price.pk
    )
    fake_stripe.events = [
        event(type_="customer.subscription.created", obj=obj, created=int(time.time()) - 60)
    ]

    call_command("stripe_replay_events", "--days", "1")
    call_command("stripe_replay_events", "--days", "1")  # again: nothing new

    assert Subscription.objects.get().stripe_subscription_id == "sub_R"
    assert BillingEvent.objects.count() == 1
    [params] = fake_stripe.calls("GET", "/v1/events")[:1]
    assert int(params["created[gte]"]) <= int(time.time()) - 86000


def test_replay_since_a_moment_without_a_zone_reads_it_as_utc(plans, fake_stripe):
    call_command("stripe_replay_events", "--since", "2025-01-01T00:00")

    [params] = fake_stripe.calls("GET", "/v1/events")[:1]
    assert int(params["created[gte]"]) == int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())


def test_replay_without_keys_says_so(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(CommandError, match="not configured"):
        call_command("stripe_replay_events")


def test_staff_end_and_refund_a_paid_subscription(plans, fake_stripe):
    from broadsheet.subscriptions.services.staff import subscription_end_by_staff

    holder, staff = reader_create(), reader_create(is_staff=True)
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "digital")])
    subscription_end_by_staff(
        subscription_id=subscription.pk, actor=staff, refund=True, now=timezone.now()
    )
    subscription.refresh_from_db()
    assert subscription.status == Status.ENDED
    assert fake_stripe.calls("DELETE", f"/v1/subscriptions/{subscription.stripe_subscription_id}")
    [refund] = fake_stripe.calls("POST", "/v1/refunds")
    assert refund["payment_intent"] == "pi_test_1"
