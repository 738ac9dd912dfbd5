"""The rules of plans and seats, as plain functions of plain values (tested as tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import PlanKind, Status

# Stripe's subscription statuses, as ours. "canceled" and "incomplete_expired" are final at
# Stripe; "unpaid" (Stripe gave up retrying) keeps only what is left of the grace period.
STRIPE_STATUS = {
    "incomplete": Status.INCOMPLETE,
    "incomplete_expired": Status.ENDED,
    "trialing": Status.TRIALING,
    "active": Status.ACTIVE,
    "past_due": Status.PAST_DUE,
    "unpaid": Status.PAST_DUE,
    "canceled": Status.ENDED,
    "paused": Status.INCOMPLETE,
}
FINAL_STRIPE_STATUSES = {"canceled", "incomplete_expired"}

# Who may be the holder's extra people: a plan's rank decides between two entitlements.
PLAN_RANK: dict[str, int] = {PlanKind.BUSINESS: 3, PlanKind.PREMIUM: 2, PlanKind.DIGITAL: 1}


def status_from_stripe(*, stripe_status: str, cancel_at_period_end: bool, cancel_at) -> str:
    status = STRIPE_STATUS.get(stripe_status, Status.INCOMPLETE)
    if status in (Status.ACTIVE, Status.TRIALING) and (cancel_at_period_end or cancel_at):
        return Status.CANCELED
    return status


def seat_limit(*, kind: str, quantity: int) -> int:
    """How many people a subscription of this plan entitles."""
    if kind == PlanKind.DIGITAL:
        return 1
    if kind == PlanKind.PREMIUM:
        return 2
    return max(quantity, 0)


def holder_takes_seat(*, kind: str) -> bool:
    """Digital and Premium holders read with their plan; a Business buyer (an admin) takes
    a seat only if they want one (services.seat_take)."""
    return kind in (PlanKind.DIGITAL, PlanKind.PREMIUM)


@dataclass(frozen=True)
class Access:
    granted: bool
    # When the answer changes by itself (the end of a period or of a grace), if it will.
    until: datetime | None


def access(
    *,
    status: str,
    now: datetime,
    current_period_end: datetime | None,
    ends_at: datetime | None,
    past_due_since: datetime | None,
    grace: timedelta,
) -> Access:
    """Does a subscription in this state entitle its seats now, and until when?

    An active subscription whose paid period ended more than the grace ago without news from
    Stripe stops entitling: a missed webhook never gives access forever.
    """
    if status in (Status.INCOMPLETE, Status.ENDED):
        return Access(False, None)
    if status == Status.PAST_DUE:
        if past_due_since is None:
            return Access(False, None)
        until = past_due_since + grace
        return Access(now < until, until if now < until else None)
    if status == Status.CANCELED:
        runs_until = ends_at or current_period_end
        if runs_until is None:
            return Access(False, None)
        return Access(now < runs_until, runs_until if now < runs_until else None)
    # trialing or active
    limits = []
    if ends_at is not None:
        limits.append(ends_at)
    if current_period_end is not None:
        limits.append(current_period_end + grace)
    ends = min(limits) if limits else None
    if ends is not None and now >= ends:
        return Access(False, None)
    return Access(True, ends)


class Refusal:
    NOT_MANAGER = "not_manager"
    NO_EXTRA_PEOPLE = "no_extra_people"
    FULL = "full"
    NOT_RUNNING = "not_running"
    BELOW_MEMBERS = "below_members"
    TOO_MANY = "too_many"
    TOO_FEW = "too_few"
    NOT_BUSINESS = "not_business"


def invite_refusal(
    *,
    kind: str,
    running: bool,
    is_manager: bool,
    quantity: int,
    seats_taken: int,
    open_invitations: int,
) -> str | None:
    """Why this invitation may not be sent, if it may not. Open invitations hold a place,
    so that an accepted invitation always finds a free seat unless seats were taken away."""
    if not is_manager:
        return Refusal.NOT_MANAGER
    if kind == PlanKind.DIGITAL:
        return Refusal.NO_EXTRA_PEOPLE
    if not running:
        return Refusal.NOT_RUNNING
    if seats_taken + open_invitations >= seat_limit(kind=kind, quantity=quantity):
        return Refusal.FULL
    return None


def accept_refusal(*, kind: str, running: bool, quantity: int, seats_taken: int) -> str | None:
    """Why an invitation cannot be accepted now (other than expiry, reuse or the wrong
    account, which are the invitation's own)."""
    if not running:
        return Refusal.NOT_RUNNING
    if seats_taken >= seat_limit(kind=kind, quantity=quantity):
        return Refusal.FULL
    return None


def quantity_refusal(*, kind: str, new_quantity: int, seats_taken: int, maximum: int) -> str | None:
    """Why a Business subscription may not be changed to this many seats."""
    if kind != PlanKind.BUSINESS:
        return Refusal.NOT_BUSINESS
    if new_quantity < 1:
        return Refusal.TOO_FEW
    if new_quantity > maximum:
        return Refusal.TOO_MANY
    if new_quantity < seats_taken:
        return Refusal.BELOW_MEMBERS
    return None


def is_manager(*, kind: str, is_holder: bool, is_org_admin: bool) -> bool:
    """Who invites, removes and reassigns people: the Premium holder, a Business admin (and
    the Digital holder, who is told to change to Premium when they try)."""
    if kind in (PlanKind.DIGITAL, PlanKind.PREMIUM):
        return is_holder
    if kind == PlanKind.BUSINESS:
        return is_org_admin
    return False


def seats_over_limit(*, kind: str, quantity: int, seats_in_order: list[int]) -> list[int]:
    """When a subscription shrinks (fewer seats, a smaller plan), the seats that go: the
    newest first, so the holder and the longest-standing people keep theirs."""
    limit = seat_limit(kind=kind, quantity=quantity)
    return seats_in_order[limit:] if len(seats_in_order) > limit else []
