"""Every row lock of the subscriptions app, in one place.

Locks are taken in one order (subscription, then its seats and invitations, each by primary
key) so that two transactions never wait on each other in a circle. On SQLite, where
select_for_update does nothing, the IMMEDIATE transaction mode serialises writers instead.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import BillingEvent, Invitation, Seat, Subscription


def subscription_lock(*, subscription_id: int) -> Subscription:
    """The subscription row, locked until the end of the transaction: every change to its
    seats, invitations or state takes this lock first."""
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .get(pk=subscription_id)
    )


def subscription_lock_by_stripe_id(*, stripe_subscription_id: str) -> Subscription | None:
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(stripe_subscription_id=stripe_subscription_id)
        .first()
    )


def seats_lock(*, subscription: Subscription) -> list[Seat]:
    return list(Seat.objects.select_for_update().filter(subscription=subscription).order_by("pk"))


def invitation_lock(*, invitation_id: int) -> Invitation:
    return Invitation.objects.select_for_update().get(pk=invitation_id)


def open_invitations_lock(*, subscription: Subscription) -> QuerySet[Invitation]:
    return (
        Invitation.objects.select_for_update()
        .filter(subscription=subscription, accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("pk")
    )


def billing_event_lock(*, event_pk: int) -> BillingEvent:
    return BillingEvent.objects.select_for_update().get(pk=event_pk)
