"""Writes of subscriptions: buying (through Stripe), seats and invitations, staff grants.

Each function is one transaction that takes its locks from lock_objects.py; emails, tasks and
the dropping of cached entitlements happen after it commits. Calls to Stripe are made outside
any transaction; what Stripe answers reaches our records through billing.py, like a webhook.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import audit_record, email_message_enqueue

from . import lock_objects, rules, selectors, stripe_api
from .models import (
    BillingCustomer,
    Invitation,
    Organisation,
    OrganisationAdmin,
    Plan,
    PlanKind,
    Price,
    Seat,
    SeatRole,
    Source,
    Status,
    Subscription,
)

logger = logging.getLogger(__name__)
User = get_user_model()


class SeatError(Exception):
    """A seat or invitation change that the rules refuse; `code` says which rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class InvitationError(SeatError):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    WITHDRAWN = "withdrawn"
    WRONG_ACCOUNT = "wrong_account"
    ALREADY_MEMBER = "already_member"
    # Organisation admins
    NO_ORGANISATION = "no_organisation"
    ALREADY_ADMIN = "already_admin"


class CheckoutError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def entitlements_drop(*, user_ids) -> None:
    """Forget the cached entitlement of these readers once the transaction commits."""
    keys = [selectors.entitlement_cache_key(pk) for pk in sorted({u for u in user_ids if u})]
    if keys:
        transaction.on_commit(lambda: _cache_delete(keys))


def _cache_delete(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except Exception:  # logged; cached answers expire on their own
        logger.exception("could not drop %d cached entitlements", len(keys))


def _people_of(subscription: Subscription) -> set[int]:
    people = set(subscription.seats.values_list("user_id", flat=True))
    if subscription.holder_id:
        people.add(subscription.holder_id)
    return people


def _actor_kind(actor, *, staff: bool) -> str:
    if actor is None:
        return ActorKind.SYSTEM
    return ActorKind.STAFF if staff else ActorKind.READER


# Buying, through Stripe


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


# Seats and invitations


def _seat_user_ids_in_order(subscription: Subscription) -> list[int]:
    seats = lock_objects.seats_lock(subscription=subscription)
    holders = [s for s in seats if s.role == SeatRole.HOLDER]
    members = sorted(
        (s for s in seats if s.role != SeatRole.HOLDER), key=lambda s: (s.created_at, s.pk)
    )
    return [s.pk for s in holders + members]


def _invitation_email(*, invitation_id: int, token: str) -> None:
    from .tasks import invitation_email_send

    transaction.on_commit(
        lambda: invitation_email_send.enqueue(invitation_id=invitation_id, token=token)
    )


def invitation_url(*, token: str, language: str) -> str:
    with translation.override(language):
        path = reverse("subscriptions:invitation", kwargs={"token": token})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


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
        expires_at = now + timedelta(days=settings.SUBSCRIPTIONS_INVITATION_DAYS)
        if same is not None:
            same.token_hash = _token_hash(token)
            same.created_at, same.expires_at = now, expires_at
            same.language, same.invited_by = language, inviter
            same.save(
                update_fields=["token_hash", "created_at", "expires_at", "language", "invited_by"]
            )
            invitation = same
        else:
            invitation = Invitation.objects.create(
                subscription=subscription,
                email=email,
                token_hash=_token_hash(token),
                language=language,
                invited_by=inviter,
                created_at=now,
                expires_at=expires_at,
            )
        audit_record(
            action="invitation.sent",
            subject=subscription.holder,
            actor=inviter,
            actor_kind=_actor_kind(inviter, staff=staff),
            target=f"subscription:{subscription.pk}",
            data={"invitation": invitation.pk, "email": email},
            now=now,
        )
        _invitation_email(invitation_id=invitation.pk, token=token)
    return SentInvitation(invitation, token)


def invitation_accept(*, token: str, user, now: datetime) -> Seat:
    """Take a seat with this invitation, signed in as its addressee. At most the seat limit
    of people ever hold seats, however many accept at once."""
    found = selectors.invitation_by_token_hash(token_hash=_token_hash(token))
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
        seat = Seat.objects.create(
            subscription=subscription, user=user, role=SeatRole.MEMBER, created_at=now
        )
        invitation.accepted_at, invitation.accepted_by = now, user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            action="seat.taken",
            subject=user,
            actor=user,
            actor_kind=ActorKind.READER,
            target=f"subscription:{subscription.pk}",
            data={"seat": seat.pk, "invitation": invitation.pk},
            now=now,
        )
        entitlements_drop(user_ids=[user.pk])
    return seat


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
        seat = Seat.objects.create(
            subscription=subscription, user=user, role=SeatRole.MEMBER, created_at=now
        )
        # An invitation to themselves, if there was one, is used up by this.
        subscription.invitations.filter(
            email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=now, accepted_by=user)
        audit_record(
            action="seat.taken",
            subject=user,
            actor=user,
            actor_kind=ActorKind.READER,
            target=f"subscription:{subscription.pk}",
            data={"seat": seat.pk, "by": "admin"},
            now=now,
        )
        entitlements_drop(user_ids=[user.pk])
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
            actor_kind=_actor_kind(actor, staff=staff),
            target=f"subscription:{subscription.pk}",
            data={"invitation": invitation.pk},
            now=now,
        )


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
            actor_kind=_actor_kind(actor, staff=staff),
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


def removal_contact(*, subscription: Subscription, actor, staff: bool) -> str:
    """Whom a removed person can ask about it: the manager who removed them, else an admin
    of the organisation (Business) or the holder; empty if nobody (the email says to reply)."""
    if actor is not None and not staff and actor.email:
        return actor.email
    if subscription.organisation_id:
        admin = (
            OrganisationAdmin.objects.filter(organisation_id=subscription.organisation_id)
            .exclude(user__email="")
            .select_related("user")
            .order_by("added_at", "pk")
            .first()
        )
        if admin is not None:
            return admin.user.email
    holder = subscription.holder
    return holder.email if holder is not None else ""


def _render_email(*, template: str, context: dict, language: str, to: str) -> EmailMessage:
    """Subject and body from subscriptions/emails/<template>_{subject,message}.txt, in this
    language (the edition's, whoever clicked: staff may work in another)."""
    with translation.override(language):
        context = {"site_name": settings.WAGTAIL_SITE_NAME, **context}
        subject = render_to_string(f"subscriptions/emails/{template}_subject.txt", context)
        body = render_to_string(f"subscriptions/emails/{template}_message.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])


def _absolute_url(name: str, *, language: str, **kwargs) -> str:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs or None)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def seat_removed_email(*, subscription: Subscription, user, contact: str) -> None:
    """Tell this person, once the transaction commits, that their access through this
    subscription ended, in the language of the subscription's edition."""
    if not user.email:
        return
    language = subscription.plan.locale.language_code
    message = _render_email(
        template="seat_removed",
        context={
            "plan": subscription.plan,
            "organisation": subscription.organisation,
            "contact": contact,
            "plans_url": _absolute_url("subscriptions:plans", language=language),
        },
        language=language,
        to=user.email,
    )
    email_message_enqueue(message=message)


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
            actor_kind=_actor_kind(actor, staff=staff),
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
        message = _render_email(
            template="organisation_admin_invitation",
            context={
                "organisation": organisation,
                "inviter": inviter,
                "email": email,
                "expires_at": expires_at,
                "url": _absolute_url(
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


# Staff


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
    from broadsheet.newsroom.models import EditionPage

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
    from . import billing

    subscription = Subscription.objects.get(pk=subscription_id)
    refund_data = None
    if subscription.source == Source.STRIPE:
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
        entitlements_drop(user_ids=_people_of(subscription))
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
            entitlements_drop(user_ids=_people_of(subscription))
            ended += 1
    return ended


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
