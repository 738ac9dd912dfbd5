"""What subscriptions add to a reader's account: their part of the data export, and the
rules for deleting an account that holds or uses a subscription."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from broadsheet.accounts import hooks

from .models import Invitation, Seat, Source, Status, Subscription
from .services.entitlements import entitlements_drop

RENEWING = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@hooks.export_section("subscriptions")
def export(user) -> dict:
    held = Subscription.objects.filter(holder=user).select_related("plan").order_by("pk")
    return {
        "held": [
            {
                "id": s.pk,
                "plan": s.plan.name,
                "kind": s.plan.kind,
                "status": s.status,
                "source": s.source,
                "seats_bought": s.quantity,
                "amount_minor": s.amount_minor,
                "currency": s.currency,
                "interval": s.interval,
                "started_at": _when(s.started_at),
                "current_period_end": _when(s.current_period_end),
                "ends_at": _when(s.ends_at),
                "ended_at": _when(s.ended_at),
            }
            for s in held
        ],
        "seats": [
            {
                "subscription": seat.subscription_id,
                "plan": seat.subscription.plan.name,
                "role": seat.role,
                "since": _when(seat.created_at),
            }
            for seat in Seat.objects.filter(user=user).select_related("subscription__plan")
        ],
        "invitations_received": [
            {
                "subscription": i.subscription_id,
                "sent_at": _when(i.created_at),
                "accepted_at": _when(i.accepted_at),
            }
            for i in Invitation.objects.filter(email__iexact=user.email).order_by("pk")
        ]
        if user.email
        else [],
        "invitations_sent": [
            {
                "subscription": i.subscription_id,
                "email": i.email,
                "sent_at": _when(i.created_at),
                "accepted_at": _when(i.accepted_at),
                "withdrawn_at": _when(i.revoked_at),
            }
            for i in Invitation.objects.filter(invited_by=user).order_by("pk")
        ],
    }


@hooks.deletion_check
def deletion_check(user) -> str | None:
    renewing = Subscription.objects.filter(
        holder=user, source=Source.STRIPE, status__in=RENEWING, cancel_at_period_end=False
    ).exists()
    if renewing:
        return _(
            "You pay for a subscription that renews by itself. Cancel it first (it will run "
            "to the end of the period you paid for), then delete your account."
        )
    return None


@hooks.before_deletion
def before_deletion(user, now: datetime) -> None:
    # A complimentary subscription ends with its holder; a canceled paid one runs out for the
    # other people in it (its holder becomes nobody).
    for subscription in Subscription.objects.filter(holder=user, source=Source.COMP).exclude(
        status=Status.ENDED
    ):
        subscription.status, subscription.ended_at, subscription.updated_at = (
            Status.ENDED,
            now,
            now,
        )
        subscription.save(update_fields=["status", "ended_at", "updated_at"])
        entitlements_drop(user_ids=list(subscription.seats.values_list("user_id", flat=True)))
    Invitation.objects.filter(invited_by=user, accepted_at__isnull=True).update(revoked_at=now)
