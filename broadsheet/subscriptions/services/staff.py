"""Staff grants and endings, and the ending of what ran out by itself."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import audit_record
from broadsheet.newsroom.models import EditionPage

from .. import billing, lock_objects, rules, selectors, stripe_api
from ..models import (
    Organisation,
    OrganisationAdmin,
    Plan,
    PlanKind,
    Seat,
    SeatRole,
    Source,
    Status,
    Subscription,
)
from .entitlements import entitlements_drop, subscription_people
from .errors import SeatError


def subscription_grant_comp(
    *,
    user,
    plan: Plan,
    ends_at: datetime,
    granted_by,
    note: str = "",
    quantity: int = 1,
    organisation_name: str = "",
    now: datetime,
) -> Subscription:
    """A complimentary subscription to this plan until `ends_at`; works without Stripe."""
    if ends_at <= now:
        raise SeatError("ends_in_past")
    if plan.kind != PlanKind.BUSINESS:
        quantity = 1
    with transaction.atomic():
        organisation = None
        if plan.kind == PlanKind.BUSINESS:
            organisation = Organisation.objects.create(
                name=organisation_name or user.email, created_at=now
            )
            OrganisationAdmin.objects.create(organisation=organisation, user=user, added_at=now)
        subscription = Subscription.objects.create(
            plan=plan,
            holder=user,
            organisation=organisation,
            source=Source.COMP,
            status=Status.ACTIVE,
            quantity=max(quantity, 1),
            currency=_currency_of(plan),
            started_at=now,
            ends_at=ends_at,
            granted_by=granted_by,
            note=note[:200],
            created_at=now,
            updated_at=now,
        )
        if rules.holder_takes_seat(kind=plan.kind):
            Seat.objects.create(
                subscription=subscription, user=user, role=SeatRole.HOLDER, created_at=now
            )
        audit_record(
            action="subscription.comp_granted",
            subject=user,
            actor=granted_by,
            actor_kind=ActorKind.STAFF,
            target=f"subscription:{subscription.pk}",
            data={"plan": plan.kind, "ends_at": ends_at.isoformat(), "note": note[:200]},
            now=now,
        )
        entitlements_drop(user_ids=[user.pk])
    return subscription


def _currency_of(plan: Plan) -> str:
    price = plan.prices.order_by("pk").first()
    if price is not None:
        return price.currency
    edition = EditionPage.objects.filter(locale_id=plan.locale_id, depth=2).first()
    return (edition.currency if edition else "USD").upper()


def _end(subscription: Subscription, *, now: datetime) -> None:
    subscription.status = Status.ENDED
    subscription.ended_at = subscription.ended_at or now
    subscription.updated_at = now
    subscription.save(update_fields=["status", "ended_at", "updated_at"])


def subscription_end_by_staff(
    *, subscription_id: int, actor, refund: bool, now: datetime
) -> Subscription:
    """End a subscription now (and refund its last payment if asked). A Stripe subscription
    is canceled at Stripe first; our record follows what Stripe answers."""
    subscription = Subscription.objects.get(pk=subscription_id)
    refund_data = None
    if subscription.source == Source.STRIPE and subscription.stripe_subscription_id:
        if refund:
            refund_data = stripe_api.latest_payment_refund(
                stripe_subscription_id=subscription.stripe_subscription_id,
                idempotency_key=f"refund-{subscription.pk}-{subscription.stripe_state_at}",
            )
        data = stripe_api.subscription_cancel(
            stripe_subscription_id=subscription.stripe_subscription_id
        )
        billing.subscription_apply_stripe_state(data=data, state_at=now, now=now)
    with transaction.atomic():
        subscription = lock_objects.subscription_lock(subscription_id=subscription_id)
        if subscription.status != Status.ENDED:
            _end(subscription, now=now)
        audit_record(
            action="subscription.ended_by_staff",
            subject=subscription.holder,
            actor=actor,
            actor_kind=ActorKind.STAFF,
            target=f"subscription:{subscription.pk}",
            data={
                "refund": (refund_data or {}).get("id", "") if refund else "",
                "refunded_minor": (refund_data or {}).get("amount", 0) if refund else 0,
            },
            now=now,
        )
        entitlements_drop(user_ids=subscription_people(subscription))
    return subscription


def subscriptions_expire(*, now: datetime) -> int:
    """Mark ended what has run out by itself: comps past their end, canceled subscriptions
    past their period. (Access already follows the dates; this keeps the records true.)"""
    due = list(
        Subscription.objects.filter(
            status__in=[Status.ACTIVE, Status.TRIALING, Status.CANCELED],
            source=Source.COMP,
            ends_at__lte=now,
        ).values_list("pk", flat=True)
    ) + list(
        Subscription.objects.filter(status=Status.CANCELED, source=Source.STRIPE)
        .filter(current_period_end__lte=now - selectors.grace())
        .values_list("pk", flat=True)
    )
    ended = 0
    for subscription_id in sorted(set(due)):
        with transaction.atomic():
            subscription = lock_objects.subscription_lock(subscription_id=subscription_id)
            if selectors.subscription_access(subscription=subscription, now=now).granted:
                continue
            if subscription.status == Status.ENDED:
                continue
            _end(subscription, now=now)
            audit_record(
                action="subscription.ended",
                subject=subscription.holder,
                actor_kind=ActorKind.SYSTEM,
                target=f"subscription:{subscription.pk}",
                data={"reason": "ran_out"},
                now=now,
            )
            entitlements_drop(user_ids=subscription_people(subscription))
            ended += 1
    return ended
