"""Inviting a person to a seat (or to a seat freed for them), accepting and withdrawing
invitations. The seat limit holds
however many accept at once (the subscription's row lock, from lock_objects.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from broadsheet.accounts.services import actor_kind_of, audit_record

from .. import lock_objects, rules, selectors
from ..models import Invitation, Seat
from ..tasks import invitation_email_send
from ..tokens import token_hash
from .errors import InvitationError, SeatError
from .seats import seat_give, seat_remove

User = get_user_model()


def _invitation_email(*, invitation_id: int, token: str) -> None:
    transaction.on_commit(
        lambda: invitation_email_send.enqueue(invitation_id=invitation_id, token=token)
    )


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    token: str


def invitation_send(
    *,
    subscription_id: int,
    inviter,
    email: str,
    language: str,
    now: datetime,
    staff: bool = False,
) -> SentInvitation:
    """Invite this address to a seat; the email goes out on commit. Sending again to an
    address with an open invitation renews it (new link, new expiry)."""
    email = User.objects.normalize_email(email.strip())
    with transaction.atomic():
        subscription = lock_objects.subscription_lock(subscription_id=subscription_id)
        manager = staff or selectors.user_manages(subscription=subscription, user=inviter)
        if subscription.seats.filter(user__email__iexact=email).exists():
            raise SeatError(InvitationError.ALREADY_MEMBER)
        open_invitations = list(lock_objects.open_invitations_lock(subscription=subscription))
        same = next((i for i in open_invitations if i.email.lower() == email.lower()), None)
        counted = [i for i in open_invitations if i.expires_at > now and i is not same]
        refusal = rules.invite_refusal(
            kind=subscription.plan.kind,
            running=selectors.subscription_is_running(subscription=subscription, now=now),
            is_manager=manager,
            quantity=subscription.quantity,
            seats_taken=subscription.seats.count(),
            open_invitations=len(counted),
        )
        if refusal:
            raise SeatError(refusal)
        token = secrets.token_urlsafe(32)
        invitation = _invitation_write(
            renewing=same,
            subscription=subscription,
            email=email,
            token=token,
            inviter=inviter,
            language=language,
            now=now,
        )
        audit_record(
            action="invitation.sent",
            subject=subscription.holder,
            actor=inviter,
            actor_kind=actor_kind_of(inviter, staff=staff),
            target=f"subscription:{subscription.pk}",
            data={"invitation": invitation.pk, "email": email},
            now=now,
        )
        _invitation_email(invitation_id=invitation.pk, token=token)
    return SentInvitation(invitation, token)


def _invitation_write(
    *,
    renewing: Invitation | None,
    subscription,
    email: str,
    token: str,
    inviter,
    language: str,
    now: datetime,
) -> Invitation:
    """A new invitation row, or the open one to this address renewed (its old link dies)."""
    expires_at = now + timedelta(days=settings.SUBSCRIPTIONS_INVITATION_DAYS)
    if renewing is None:
        return Invitation.objects.create(
            subscription=subscription,
            email=email,
            token_hash=token_hash(token),
            language=language,
            invited_by=inviter,
            created_at=now,
            expires_at=expires_at,
        )
    renewing.token_hash = token_hash(token)
    renewing.created_at, renewing.expires_at = now, expires_at
    renewing.language, renewing.invited_by = language, inviter
    renewing.save(
        update_fields=["token_hash", "created_at", "expires_at", "language", "invited_by"]
    )
    return renewing


def invitation_accept(*, token: str, user, now: datetime) -> Seat:
    """Take a seat with this invitation, signed in as its addressee. At most the seat limit
    of people ever hold seats, however many accept at once."""
    found = selectors.invitation_by_token_hash(token_hash=token_hash(token))
    if found is None:
        raise InvitationError(InvitationError.INVALID)
    with transaction.atomic():
        subscription = lock_objects.subscription_lock(subscription_id=found.subscription_id)
        invitation = lock_objects.invitation_lock(invitation_id=found.pk)
        if invitation.revoked_at is not None:
            raise InvitationError(InvitationError.WITHDRAWN)
        if invitation.accepted_at is not None:
            raise InvitationError(InvitationError.USED)
        if invitation.expires_at <= now:
            raise InvitationError(InvitationError.EXPIRED)
        if invitation.email.lower() != (user.email or "").lower():
            raise InvitationError(InvitationError.WRONG_ACCOUNT)
        if subscription.seats.filter(user=user).exists():
            raise InvitationError(InvitationError.ALREADY_MEMBER)
        refusal = rules.accept_refusal(
            kind=subscription.plan.kind,
            running=selectors.subscription_is_running(subscription=subscription, now=now),
            quantity=subscription.quantity,
            seats_taken=subscription.seats.count(),
        )
        if refusal:
            raise SeatError(refusal)
        seat = seat_give(
            subscription=subscription, user=user, data={"invitation": invitation.pk}, now=now
        )
        invitation.accepted_at, invitation.accepted_by = now, user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return seat


def invitation_revoke(*, invitation_id: int, actor, now: datetime, staff: bool = False) -> None:
    with transaction.atomic():
        found = Invitation.objects.filter(pk=invitation_id).only("subscription_id").first()
        if found is None:
            raise InvitationError(InvitationError.INVALID)
        subscription = lock_objects.subscription_lock(subscription_id=found.subscription_id)
        if not staff and not selectors.user_manages(subscription=subscription, user=actor):
            raise SeatError(rules.Refusal.NOT_MANAGER)
        invitation = lock_objects.invitation_lock(invitation_id=invitation_id)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            return
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            action="invitation.withdrawn",
            subject=subscription.holder,
            actor=actor,
            actor_kind=actor_kind_of(actor, staff=staff),
            target=f"subscription:{subscription.pk}",
            data={"invitation": invitation.pk},
            now=now,
        )


def seat_reassign(
    *, seat_id: int, actor, email: str, language: str, now: datetime, staff: bool = False
) -> SentInvitation:
    """Free a seat and invite someone else to it, in one step."""
    with transaction.atomic():
        seat = Seat.objects.filter(pk=seat_id).only("subscription_id").first()
        if seat is None:
            raise SeatError("no_seat")
        subscription_id = seat.subscription_id
        seat_remove(seat_id=seat_id, actor=actor, now=now, staff=staff)
        return invitation_send(
            subscription_id=subscription_id,
            inviter=actor,
            email=email,
            language=language,
            now=now,
            staff=staff,
        )
