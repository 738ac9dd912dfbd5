"""Seats: giving one (after an invitation, or to an admin who takes one), removing one;
access starts or ends when the change commits."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import actor_kind_of, audit_record

from .. import lock_objects, rules, selectors
from ..models import Seat, SeatRole
from .emails import removal_contact, seat_removed_email
from .entitlements import entitlements_drop
from .errors import InvitationError, SeatError


def seat_take(*, subscription_id: int, user, now: datetime) -> Seat:
    """A Business admin takes one of the seats for themselves (no invitation needed). Open
    invitations keep their places."""
    with transaction.atomic():
        subscription = lock_objects.subscription_lock(subscription_id=subscription_id)
        if subscription.seats.filter(user=user).exists():
            raise SeatError(InvitationError.ALREADY_MEMBER)
        open_invitations = subscription.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).exclude(email__iexact=user.email)
        refusal = rules.invite_refusal(
            kind=subscription.plan.kind,
            running=selectors.subscription_is_running(subscription=subscription, now=now),
            is_manager=selectors.user_manages(subscription=subscription, user=user),
            quantity=subscription.quantity,
            seats_taken=subscription.seats.count(),
            open_invitations=open_invitations.count(),
        )
        if refusal:
            raise SeatError(refusal)
        seat = seat_give(subscription=subscription, user=user, data={"by": "admin"}, now=now)
        # An invitation to themselves, if there was one, is used up by this.
        subscription.invitations.filter(
            email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=now, accepted_by=user)
    return seat


def seat_give(*, subscription, user, data: dict, now: datetime) -> Seat:
    """A member's seat for this reader, inside the caller's transaction (which holds the
    subscription's lock and checked the rules): recorded, and their entitlement dropped."""
    seat = Seat.objects.create(
        subscription=subscription, user=user, role=SeatRole.MEMBER, created_at=now
    )
    audit_record(
        action="seat.taken",
        subject=user,
        actor=user,
        actor_kind=ActorKind.READER,
        target=f"subscription:{subscription.pk}",
        data={"seat": seat.pk, **data},
        now=now,
    )
    entitlements_drop(user_ids=[user.pk])
    return seat


def seat_remove(*, seat_id: int, actor, now: datetime, staff: bool = False) -> None:
    """Take a seat away (a manager, staff, or its own user leaving); access ends at once."""
    with transaction.atomic():
        found = Seat.objects.filter(pk=seat_id).only("subscription_id").first()
        if found is None:
            return
        subscription = lock_objects.subscription_lock(subscription_id=found.subscription_id)
        seat = Seat.objects.select_for_update().filter(pk=seat_id).first()
        if seat is None:
            return
        leaving = actor is not None and seat.user_id == actor.pk
        if not (staff or leaving or selectors.user_manages(subscription=subscription, user=actor)):
            raise SeatError(rules.Refusal.NOT_MANAGER)
        if seat.role == SeatRole.HOLDER and not staff:
            raise SeatError("holder")
        seat.delete()
        audit_record(
            action="seat.left" if leaving else "seat.removed",
            subject=seat.user,
            actor=actor,
            actor_kind=actor_kind_of(actor, staff=staff),
            target=f"subscription:{subscription.pk}",
            data={"seat": seat_id},
            now=now,
        )
        entitlements_drop(user_ids=[seat.user_id])
        # Someone leaving by themselves knows already; anyone else is told.
        if not leaving:
            seat_removed_email(
                subscription=subscription,
                user=seat.user,
                contact=removal_contact(subscription=subscription, actor=actor, staff=staff),
            )
