"""The only module that talks to Stripe. Every call here is a network call: services make them
outside their transactions, and what Stripe says back reaches our records through the same
code as its webhooks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import stripe
from django.conf import settings


class BillingNotConfiguredError(Exception):
    """No Stripe key is configured: buying is not possible on this site (yet)."""


class BillingError(Exception):
    """Stripe refused or could not be reached; the message is safe to log, not to show."""


def billing_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def _client() -> stripe.StripeClient:
    if not billing_configured():
        raise BillingNotConfiguredError
    if settings.STRIPE_API_BASE:
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=2,
        )
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.StripeError as error:
        raise BillingError(f"{type(error).__name__}: {error.user_message or error}") from error


def checkout_session_create(
    *,
    stripe_price_id: str,
    quantity: int,
    customer_id: str,
    email: str,
    client_reference_id: str,
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    locale: str,
    idempotency_key: str,
) -> dict:
    params: dict = {
        "mode": "subscription",
        "line_items": [{"price": stripe_price_id, "quantity": quantity}],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        # The subscription carries who and what it is for, so its own events can be matched
        # even when they arrive before checkout.session.completed.
        "subscription_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale,
    }
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = email
    session = _call(
        _client().v1.checkout.sessions.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return session.to_dict()


def portal_session_create(*, customer_id: str, return_url: str, flow: dict | None = None) -> str:
    params: dict = {"customer": customer_id, "return_url": return_url}
    if flow:
        params["flow_data"] = flow
    session = _call(_client().v1.billing_portal.sessions.create, params=params)
    return session.url


def subscription_retrieve(*, stripe_subscription_id: str) -> dict:
    return _call(_client().v1.subscriptions.retrieve, stripe_subscription_id).to_dict()


def subscription_cancel(*, stripe_subscription_id: str) -> dict:
    return _call(_client().v1.subscriptions.cancel, stripe_subscription_id).to_dict()


def subscription_cancel_at_period_end(*, stripe_subscription_id: str) -> dict:
    return _call(
        _client().v1.subscriptions.update,
        stripe_subscription_id,
        params={"cancel_at_period_end": True},
    ).to_dict()


def latest_payment_refund(*, stripe_subscription_id: str, idempotency_key: str) -> dict | None:
    """Refund the last paid invoice of a subscription in full; None if nothing was paid."""
    client = _client()
    invoices = _call(
        client.v1.invoices.list,
        params={"subscription": stripe_subscription_id, "status": "paid", "limit": 1},
    )
    if not invoices.data:
        return None
    payments = _call(
        client.v1.invoice_payments.list,
        params={"invoice": invoices.data[0].id, "status": "paid", "limit": 1},
    )
    if not payments.data:
        return None
    payment = payments.data[0].payment
    target = {"payment_intent": payment.payment_intent} if payment.payment_intent else None
    if target is None and getattr(payment, "charge", None):
        target = {"charge": payment.charge}
    if target is None:
        return None
    refund = _call(
        client.v1.refunds.create, params=target, options={"idempotency_key": idempotency_key}
    )
    return refund.to_dict()


def event_iter(*, since: datetime) -> Iterator[dict]:
    """Every event Stripe still has since this moment, oldest first (Stripe keeps 30 days)."""
    page = _call(
        _client().v1.events.list,
        params={"created": {"gte": int(since.timestamp())}, "limit": 100},
    )
    events = [event.to_dict() for event in page.auto_paging_iter()]
    events.sort(key=lambda event: (event.get("created", 0), event.get("id", "")))
    yield from events


def webhook_event_verify(*, payload: bytes, signature: str) -> dict:
    """The event in this webhook body, if its signature is ours and fresh (within
    STRIPE_WEBHOOK_TOLERANCE seconds); raises stripe.SignatureVerificationError, or ValueError
    for a body that is not a JSON object. The signature is checked on the raw bytes before
    anything is parsed."""
    text = payload.decode("utf-8")
    stripe.WebhookSignature.verify_header(
        text,
        signature,
        settings.STRIPE_WEBHOOK_SECRET,
        tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
    )
    event = json.loads(text)
    if not isinstance(event, dict):
        raise ValueError("the body is not a JSON object")
    return event
