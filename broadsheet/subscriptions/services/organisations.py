"""The admins of a Business subscription's organisation: adding one, and inviting one by a
signed link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import actor_kind_of, audit_record, email_message_enqueue

from .. import rules, selectors
from ..models import Organisation, OrganisationAdmin, PlanKind, Subscription
from .emails import absolute_url, render_email
from .errors import InvitationError, SeatError

User = get_user_model()


def organisation_admin_add(
    *, organisation_id: int, user, actor, now: datetime, staff: bool = False, data=None
) -> bool:
    """Make this reader an admin of the organisation; False if they already were (nothing is
    written then)."""
    with transaction.atomic():
        _admin, created = OrganisationAdmin.objects.get_or_create(
            organisation_id=organisation_id, user=user, defaults={"added_at": now}
        )
        if not created:
            return False
        audit_record(
            action="organisation.admin_added",
            subject=user,
            actor=actor,
            actor_kind=actor_kind_of(actor, staff=staff),
            target=f"organisation:{organisation_id}",
            data=data or {},
            now=now,
        )
    return True


# Inviting organisation admins. An invitation is a signed, expiring link sent to the address,
# whether or not it has an account: the inviter gets the same answer for every address (no
# account enumeration), and nobody becomes an admin without signing in with that address and
# accepting. No row is stored: accepting is idempotent, and the link dies if its inviter is no
# longer an admin of the organisation.

_ADMIN_INVITATION_SALT = "broadsheet.subscriptions.organisation-admin-invitation"


@dataclass(frozen=True)
class AdminInvitation:
    organisation: Organisation
    email: str
    inviter_id: int
    expires_at: datetime


def organisation_admin_invite(
    *, subscription_id: int, inviter, email: str, language: str, now: datetime
) -> str:
    """Email this address a link to become an admin of the subscription's organisation;
    returns the link's token."""
    email = User.objects.normalize_email(email.strip())
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_related("plan", "organisation")
            .filter(pk=subscription_id)
            .first()
        )
        if subscription is None or subscription.organisation is None:
            raise SeatError(InvitationError.NO_ORGANISATION)
        if subscription.plan.kind != PlanKind.BUSINESS:
            raise SeatError(InvitationError.NO_ORGANISATION)
        if not selectors.user_manages(subscription=subscription, user=inviter):
            raise SeatError(rules.Refusal.NOT_MANAGER)
        organisation = subscription.organisation
        # The page lists the admins already: saying so reveals nothing about accounts.
        if organisation.admins.filter(email__iexact=email).exists():
            raise SeatError(InvitationError.ALREADY_ADMIN)
        expires_at = now + timedelta(days=settings.SUBSCRIPTIONS_INVITATION_DAYS)
        token = signing.dumps(
            {
                "o": organisation.pk,
                "e": email,
                "i": inviter.pk,
                "x": int(expires_at.timestamp()),
                "l": language,
            },
            salt=_ADMIN_INVITATION_SALT,
            compress=True,
        )
        audit_record(
            action="organisation.admin_invited",
            subject=subscription.holder,
            actor=inviter,
            actor_kind=ActorKind.READER,
            target=f"organisation:{organisation.pk}",
            data={"email": email, "subscription": subscription.pk},
            now=now,
        )
        message = render_email(
            template="organisation_admin_invitation",
            context={
                "organisation": organisation,
                "inviter": inviter,
                "email": email,
                "expires_at": expires_at,
                "url": absolute_url(
                    "subscriptions:admin_invitation", language=language, token=token
                ),
            },
            language=language,
            to=email,
        )
        email_message_enqueue(message=message)
    return token


def organisation_admin_invitation_read(*, token: str, now: datetime) -> AdminInvitation:
    """What a link says, if it is genuine, unexpired and still backed by its inviter."""
    try:
        payload = signing.loads(token, salt=_ADMIN_INVITATION_SALT)
        organisation_id, email, inviter_id = payload["o"], payload["e"], payload["i"]
        expires_at = datetime.fromtimestamp(int(payload["x"]), tz=UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvitationError(InvitationError.INVALID) from error
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise InvitationError(InvitationError.INVALID)
    if expires_at <= now:
        raise InvitationError(InvitationError.EXPIRED)
    if not OrganisationAdmin.objects.filter(
        organisation_id=organisation_id, user_id=inviter_id
    ).exists():
        raise InvitationError(InvitationError.WITHDRAWN)
    return AdminInvitation(organisation, email, inviter_id, expires_at)


def organisation_admin_accept(*, token: str, user, now: datetime) -> Organisation:
    """Become an admin with this link, signed in with the address it was sent to. Accepting
    again changes nothing."""
    invitation = organisation_admin_invitation_read(token=token, now=now)
    if invitation.email.lower() != (user.email or "").lower():
        raise InvitationError(InvitationError.WRONG_ACCOUNT)
    organisation_admin_add(
        organisation_id=invitation.organisation.pk,
        user=user,
        actor=user,
        now=now,
        data={"invited_by": invitation.inviter_id},
    )
    return invitation.organisation
