"""Buying and changing a subscription through Stripe: each function sends the reader to a
Stripe page (Checkout or the customer portal); what Stripe answers reaches our records through
billing.py, like a webhook. Calls to Stripe are made outside any transaction."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import audit_record

from .. import rules, selectors, stripe_api
from ..models import BillingCustomer, PlanKind, Price, Source, Subscription
from .errors import CheckoutError, SeatError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutRequest:
    price: Price
    quantity: int
    organisation_name: str


def checkout_validate(*, price: Price, quantity: int, organisation_name: str) -> CheckoutRequest:
    kind = price.plan.kind
    if kind != PlanKind.BUSINESS:
        quantity, organisation_name = 1, ""
    elif rules.quantity_refusal(
        kind=kind,
        new_quantity=quantity,
        seats_taken=0,
        maximum=settings.SUBSCRIPTIONS_BUSINESS_MAX_SEATS,
    ):
        raise CheckoutError("quantity")
    elif not organisation_name.strip():
        raise CheckoutError("organisation")
    if not price.stripe_price_id:
        raise CheckoutError("not_on_sale")
    return CheckoutRequest(price, quantity, organisation_name.strip()[:120])


def checkout_start(
    *,
    user,
    request: CheckoutRequest,
    success_url: str,
    cancel_url: str,
    language: str,
    now: datetime,
) -> str:
    """Open a Stripe Checkout session for this reader; returns the URL to send them to.
    Raises stripe_api.BillingNotConfiguredError when there is no Stripe key."""
    if not stripe_api.billing_configured():
        raise stripe_api.BillingNotConfiguredError
    metadata = {
        "broadsheet_user": str(user.pk),
        "broadsheet_price": str(request.price.pk),
        "broadsheet_organisation": request.organisation_name,
    }
    # The same reader clicking twice within ten minutes gets the same session.
    bucket = int(now.timestamp() // 600)
    idempotency_key = (
        f"checkout-{user.pk}-{request.price.pk}-{request.quantity}-"
        f"{hashlib.sha256(request.organisation_name.encode()).hexdigest()[:8]}-{bucket}"
    )
    session = stripe_api.checkout_session_create(
        stripe_price_id=request.price.stripe_price_id,
        quantity=request.quantity,
        customer_id=selectors.billing_customer_id(user=user),
        email=user.email,
        client_reference_id=str(user.pk),
        metadata=metadata,
        success_url=success_url,
        cancel_url=cancel_url,
        locale=language.split("-")[0],
        idempotency_key=idempotency_key,
    )
    with transaction.atomic():
        audit_record(
            action="checkout.started",
            subject=user,
            actor=user,
            actor_kind=ActorKind.READER,
            target=f"price:{request.price.pk}",
            data={"quantity": request.quantity, "checkout_session": session.get("id", "")},
            now=now,
        )
    return session["url"]


def portal_start(*, user, return_url: str, flow: dict | None = None) -> str:
    customer_id = selectors.billing_customer_id(user=user)
    if not customer_id:
        raise CheckoutError("no_customer")
    return stripe_api.portal_session_create(
        customer_id=customer_id, return_url=return_url, flow=flow
    )


def seats_change_start(*, subscription: Subscription, user, quantity: int, return_url: str) -> str:
    """Send a Business admin to Stripe to confirm (and pay for) a new number of seats; the
    change reaches us as a webhook."""
    refusal = rules.quantity_refusal(
        kind=subscription.plan.kind,
        new_quantity=quantity,
        seats_taken=subscription.seats.count(),
        maximum=settings.SUBSCRIPTIONS_BUSINESS_MAX_SEATS,
    )
    if refusal:
        raise SeatError(refusal)
    if subscription.source != Source.STRIPE or not subscription.stripe_item_id:
        raise CheckoutError("not_stripe")
    flow = {
        "type": "subscription_update_confirm",
        "subscription_update_confirm": {
            "subscription": subscription.stripe_subscription_id,
            "items": [{"id": subscription.stripe_item_id, "quantity": quantity}],
        },
        "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
    }
    return stripe_api.portal_session_create(
        customer_id=subscription.stripe_customer_id, return_url=return_url, flow=flow
    )


def plan_change_start(*, subscription: Subscription, price: Price, return_url: str) -> str:
    """Send the holder to Stripe to confirm a change of plan (e.g. Digital to Premium)."""
    if subscription.source != Source.STRIPE or not subscription.stripe_item_id:
        raise CheckoutError("not_stripe")
    if not price.stripe_price_id or price.plan.locale_id != subscription.plan.locale_id:
        raise CheckoutError("not_on_sale")
    flow = {
        "type": "subscription_update_confirm",
        "subscription_update_confirm": {
            "subscription": subscription.stripe_subscription_id,
            "items": [
                {
                    "id": subscription.stripe_item_id,
                    "price": price.stripe_price_id,
                    "quantity": subscription.quantity,
                }
            ],
        },
        "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
    }
    return stripe_api.portal_session_create(
        customer_id=subscription.stripe_customer_id, return_url=return_url, flow=flow
    )


def cancel_start(*, subscription: Subscription, return_url: str) -> str:
    if subscription.source != Source.STRIPE:
        raise CheckoutError("not_stripe")
    flow = {
        "type": "subscription_cancel",
        "subscription_cancel": {"subscription": subscription.stripe_subscription_id},
        "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
    }
    return stripe_api.portal_session_create(
        customer_id=subscription.stripe_customer_id, return_url=return_url, flow=flow
    )


def billing_customer_remember(*, user, stripe_customer_id: str, now: datetime) -> None:
    if not stripe_customer_id:
        return
    try:
        with transaction.atomic():
            BillingCustomer.objects.get_or_create(
                user=user, defaults={"stripe_customer_id": stripe_customer_id, "created_at": now}
            )
    except IntegrityError:
        logger.warning("Stripe customer already belongs to another reader")
