"""Reads of subscriptions. The one other apps need is `entitlement_for(user)`."""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from . import rules
from .models import (
    BillingEvent,
    Invitation,
    Organisation,
    OrganisationAdmin,
    Plan,
    PlanKind,
    Price,
    Seat,
    Status,
    Subscription,
)

logger = logging.getLogger(__name__)

ENTITLING_STATUSES = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE, Status.CANCELED)
_NO_ENTITLEMENT = "none"


@dataclass(frozen=True)
class Entitlement:
    """Which seat of which subscription lets a reader read now."""

    subscription_id: int
    seat_id: int
    plan_kind: str
    status: str
    seat_limit: int
    # When this answer stops being true by itself (end of period or grace), if it will.
    valid_until: datetime | None


def grace() -> timedelta:
    return timedelta(days=settings.SUBSCRIPTIONS_PAST_DUE_GRACE_DAYS)


def subscription_access(*, subscription: Subscription, now: datetime) -> rules.Access:
    return rules.access(
        status=subscription.status,
        now=now,
        current_period_end=subscription.current_period_end,
        ends_at=subscription.ends_at,
        past_due_since=subscription.past_due_since,
        grace=grace(),
    )


def entitlement_cache_key(user_id: int) -> str:
    return f"subscriptions:entitlement:v1:{user_id}"


def entitlement_compute(*, user_id: int, now: datetime) -> Entitlement | None:
    """The entitlement, from the database: one indexed query (seats by user, joined to their
    subscriptions and plans), reading only the columns the decision needs."""
    rows = (
        Seat.objects.filter(user_id=user_id, subscription__status__in=ENTITLING_STATUSES)
        .order_by("pk")
        .values_list(
            "pk",
            "subscription_id",
            "subscription__status",
            "subscription__quantity",
            "subscription__current_period_end",
            "subscription__ends_at",
            "subscription__past_due_since",
            "subscription__plan__kind",
        )
    )
    best: tuple[tuple, Entitlement] | None = None
    for seat_id, subscription_id, status, quantity, period_end, ends_at, past_due, kind in rows:
        decision = rules.access(
            status=status,
            now=now,
            current_period_end=period_end,
            ends_at=ends_at,
            past_due_since=past_due,
            grace=grace(),
        )
        if not decision.granted:
            continue
        entitlement = Entitlement(
            subscription_id=subscription_id,
            seat_id=seat_id,
            plan_kind=kind,
            status=status,
            seat_limit=rules.seat_limit(kind=kind, quantity=quantity),
            valid_until=decision.until,
        )
        # The richest plan wins; between equals, the seat held longest.
        rank = (-rules.PLAN_RANK.get(kind, 0), seat_id)
        if best is None or rank < best[0]:
            best = (rank, entitlement)
    return best[1] if best else None


def entitlement_for(user, *, now: datetime | None = None) -> Entitlement | None:
    """Which seat of which subscription entitles this reader now, if any.

    Cached per reader (SUBSCRIPTIONS_ENTITLEMENT_CACHE_SECONDS, and never past the moment the
    answer changes by itself); every service that changes a subscription, seat or plan drops
    the cached answer of everyone concerned when its transaction commits.
    """
    if user is None or not user.is_authenticated:
        return None
    return entitlement_for_user_id(user.pk, now=now)


# `cached=NOT_READ`: the caller did not read the cache; entitlement_for_user_id does.
NOT_READ = object()


def entitlement_for_user_id(
    user_id: int, *, now: datetime | None = None, cached: object = NOT_READ
) -> Entitlement | None:
    """entitlement_for, by the reader's id; `cached` is the value of entitlement_cache_key
    when the caller read it already (None if absent), in a round trip shared with other keys."""
    now = now or timezone.now()
    key = entitlement_cache_key(user_id)
    if cached is NOT_READ:
        try:
            cached = cache.get(key)
        except Exception:  # a cache outage falls back to the database
            logger.warning("entitlement cache unreachable; reading the database", exc_info=True)
            return entitlement_compute(user_id=user_id, now=now)
    if cached == _NO_ENTITLEMENT:
        return None
    if cached is not None:
        entitlement = Entitlement(*cached)  # type: ignore[misc]  # the tuple astuple() made
        if entitlement.valid_until is None or now < entitlement.valid_until:
            return entitlement
    computed = entitlement_compute(user_id=user_id, now=now)
    timeout = settings.SUBSCRIPTIONS_ENTITLEMENT_CACHE_SECONDS
    value: str | tuple = _NO_ENTITLEMENT
    if computed is not None:
        value = astuple(computed)
        if computed.valid_until is not None:
            seconds_left = int((computed.valid_until - now).total_seconds()) + 1
            timeout = max(1, min(timeout, seconds_left))
    try:
        cache.set(key, value, timeout)
    except Exception:  # the answer stands; the next read computes it again
        logger.warning("entitlement cache unreachable; not cached", exc_info=True)
    return computed


# Plans


def plan_list_for_sale(*, locale_id: int) -> list[Plan]:
    """The edition's plans on sale, each with `prices_for_sale` (monthly first), a plain list
    that survives the cache's pickling as a prefetch need not."""
    plans = list(
        Plan.objects.filter(locale_id=locale_id, is_active=True)
        .prefetch_related(Prefetch("prices", queryset=Price.objects.order_by("interval")))
        .order_by("sort_order", "pk")
    )
    for plan in plans:
        plan.prices_for_sale = list(plan.prices.all())
    return plans


def price_for_sale(*, price_id: int, locale_id: int) -> Price | None:
    return (
        Price.objects.select_related("plan", "plan__locale")
        .filter(pk=price_id, plan__is_active=True, plan__locale_id=locale_id)
        .first()
    )


# A reader's subscriptions


def subscription_list_for_user(*, user) -> list[Subscription]:
    """Every subscription this reader holds, administers or has a seat in, newest first."""
    return list(
        Subscription.objects.filter(
            Q(holder=user) | Q(seats__user=user) | Q(organisation__admins=user)
        )
        .distinct()
        .select_related("plan", "price", "organisation", "holder")
        .order_by("-created_at", "-pk")
    )


def subscription_for_manager(*, subscription_id: int, user) -> Subscription | None:
    """The subscription if this reader may manage its people (Premium holder, Business
    admin), else None."""
    subscription = (
        Subscription.objects.select_related("plan", "organisation")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or not user_manages(subscription=subscription, user=user):
        return None
    return subscription


def user_manages(*, subscription: Subscription, user) -> bool:
    is_admin = bool(
        subscription.organisation_id
        and OrganisationAdmin.objects.filter(
            organisation_id=subscription.organisation_id, user_id=user.pk
        ).exists()
    )
    return rules.is_manager(
        kind=subscription.plan.kind,
        is_holder=subscription.holder_id == user.pk,
        is_org_admin=is_admin,
    )


def seat_list(*, subscription: Subscription) -> list[Seat]:
    return list(subscription.seats.select_related("user").order_by("created_at", "pk"))


def invitation_list_open(*, subscription: Subscription, now: datetime) -> list[Invitation]:
    return list(
        subscription.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).order_by("created_at", "pk")
    )


def seats_summary(*, subscription: Subscription, now: datetime) -> dict:
    taken = subscription.seats.count()
    open_invitations = subscription.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    limit = rules.seat_limit(kind=subscription.plan.kind, quantity=subscription.quantity)
    return {
        "limit": limit,
        "taken": taken,
        "invited": open_invitations,
        "free": max(limit - taken - open_invitations, 0),
    }


def subscription_is_running(*, subscription: Subscription, now: datetime) -> bool:
    return subscription_access(subscription=subscription, now=now).granted


def invitation_by_token_hash(*, token_hash: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("subscription__plan", "subscription__organisation")
        .filter(token_hash=token_hash)
        .first()
    )


def billing_customer_id(*, user) -> str:
    customer = getattr(user, "billing_customer", None)
    if customer is not None:
        return customer.stripe_customer_id
    held = (
        Subscription.objects.filter(holder=user)
        .exclude(stripe_customer_id="")
        .order_by("-created_at")
        .values_list("stripe_customer_id", flat=True)
        .first()
    )
    return held or ""


# Staff


def billing_event_list(*, user=None, subscription=None, limit: int = 100) -> QuerySet:
    events = BillingEvent.objects.order_by("-stripe_created_at", "-pk")
    if subscription is not None:
        events = events.filter(subscription=subscription)
    elif user is not None:
        events = events.filter(Q(user=user) | Q(subscription__holder=user))
    return events[:limit]


def billing_event_list_todo(*, limit: int = 500) -> QuerySet:
    return BillingEvent.objects.filter(processed_at__isnull=True).order_by(
        "stripe_created_at", "pk"
    )[:limit]


def organisation_list_for_user(*, user) -> list[Organisation]:
    return list(
        Organisation.objects.filter(admins=user).annotate(subscription_count=Count("subscriptions"))
    )


def organisation_admin_list(*, organisation_id: int | None) -> list:
    """The admins of an organisation (users), the longest-standing first."""
    if not organisation_id:
        return []
    User = get_user_model()  # noqa: N806
    return list(
        User.objects.filter(organisationadmin__organisation_id=organisation_id).order_by(
            "organisationadmin__added_at", "pk"
        )
    )


def plan_kind_label(kind: str) -> str:
    return str(PlanKind(kind).label)
