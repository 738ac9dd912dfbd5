"""The plan and seat rules, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from broadsheet.subscriptions import rules
from broadsheet.subscriptions.models import PlanKind, Status
from broadsheet.subscriptions.rules import Refusal

D, P, B = PlanKind.DIGITAL, PlanKind.PREMIUM, PlanKind.BUSINESS
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)
GRACE = 7 * DAY


@pytest.mark.parametrize(
    ("kind", "quantity", "limit"),
    [(D, 1, 1), (D, 5, 1), (P, 1, 2), (P, 3, 2), (B, 1, 1), (B, 3, 3), (B, 250, 250)],
)
def test_seat_limit(kind, quantity, limit):
    assert rules.seat_limit(kind=kind, quantity=quantity) == limit


@pytest.mark.parametrize(
    ("kind", "running", "manager", "quantity", "taken", "invited", "refusal"),
    [
        (D, True, True, 1, 1, 0, Refusal.NO_EXTRA_PEOPLE),
        (P, True, True, 1, 1, 0, None),  # the holder invites their one person
        (P, True, True, 1, 1, 1, Refusal.FULL),  # ... but only one
        (P, True, True, 1, 2, 0, Refusal.FULL),
        (P, True, False, 1, 1, 0, Refusal.NOT_MANAGER),
        (P, False, True, 1, 1, 0, Refusal.NOT_RUNNING),
        (B, True, True, 3, 0, 0, None),
        (B, True, True, 3, 2, 0, None),
        (B, True, True, 3, 2, 1, Refusal.FULL),  # the fourth invitation for three seats
        (B, True, True, 3, 3, 0, Refusal.FULL),
        (B, True, True, 4, 3, 0, None),  # one seat bought
        (B, True, False, 3, 0, 0, Refusal.NOT_MANAGER),
        (B, False, True, 3, 0, 0, Refusal.NOT_RUNNING),
    ],
)
def test_invite_refusal(kind, running, manager, quantity, taken, invited, refusal):
    assert (
        rules.invite_refusal(
            kind=kind,
            running=running,
            is_manager=manager,
            quantity=quantity,
            seats_taken=taken,
            open_invitations=invited,
        )
        == refusal
    )


@pytest.mark.parametrize(
    ("kind", "running", "quantity", "taken", "refusal"),
    [
        (P, True, 1, 1, None),
        (P, True, 1, 2, Refusal.FULL),
        (B, True, 3, 2, None),
        (B, True, 3, 3, Refusal.FULL),
        (B, True, 2, 3, Refusal.FULL),  # seats were taken away after the invitation
        (B, False, 3, 0, Refusal.NOT_RUNNING),
    ],
)
def test_accept_refusal(kind, running, quantity, taken, refusal):
    assert (
        rules.accept_refusal(kind=kind, running=running, quantity=quantity, seats_taken=taken)
        == refusal
    )


@pytest.mark.parametrize(
    ("kind", "new", "taken", "refusal"),
    [
        (B, 5, 3, None),
        (B, 3, 3, None),
        (B, 2, 3, Refusal.BELOW_MEMBERS),
        (B, 0, 0, Refusal.TOO_FEW),
        (B, 501, 0, Refusal.TOO_MANY),
        (P, 2, 1, Refusal.NOT_BUSINESS),
    ],
)
def test_quantity_refusal(kind, new, taken, refusal):
    assert (
        rules.quantity_refusal(kind=kind, new_quantity=new, seats_taken=taken, maximum=500)
        == refusal
    )


@pytest.mark.parametrize(
    ("kind", "holder", "admin", "manages"),
    [
        (D, True, False, True),
        (D, False, True, False),
        (P, True, False, True),
        (P, False, True, False),
        (B, True, False, False),
        (B, False, True, True),
    ],
)
def test_who_manages_people(kind, holder, admin, manages):
    assert rules.is_manager(kind=kind, is_holder=holder, is_org_admin=admin) is manages


@pytest.mark.parametrize(
    ("kind", "quantity", "seats", "going"),
    [
        (P, 1, [1, 2], []),
        (D, 1, [1, 2], [2]),  # Premium -> Digital: the invited person goes
        (B, 2, [5, 6, 7], [7]),  # the newest seat goes first
        (B, 5, [5, 6, 7], []),
    ],
)
def test_seats_over_limit(kind, quantity, seats, going):
    assert rules.seats_over_limit(kind=kind, quantity=quantity, seats_in_order=seats) == going


@pytest.mark.parametrize(
    ("stripe_status", "at_period_end", "status"),
    [
        ("active", False, Status.ACTIVE),
        ("active", True, Status.CANCELED),
        ("trialing", False, Status.TRIALING),
        ("trialing", True, Status.CANCELED),
        ("past_due", False, Status.PAST_DUE),
        ("unpaid", False, Status.PAST_DUE),
        ("canceled", False, Status.ENDED),
        ("incomplete", False, Status.INCOMPLETE),
        ("incomplete_expired", False, Status.ENDED),
        ("paused", False, Status.INCOMPLETE),
        ("something new", False, Status.INCOMPLETE),
    ],
)
def test_status_from_stripe(stripe_status, at_period_end, status):
    assert (
        rules.status_from_stripe(
            stripe_status=stripe_status, cancel_at_period_end=at_period_end, cancel_at=None
        )
        == status
    )


@pytest.mark.parametrize(
    ("status", "period_end", "ends_at", "past_due_since", "granted", "until"),
    [
        (Status.ACTIVE, NOW + DAY, None, None, True, NOW + DAY + GRACE),
        (Status.TRIALING, NOW + DAY, None, None, True, NOW + DAY + GRACE),
        # A missed renewal webhook: access runs out a grace after the paid period.
        (Status.ACTIVE, NOW - 8 * DAY, None, None, False, None),
        (Status.ACTIVE, NOW - DAY, None, None, True, NOW - DAY + GRACE),
        # A comp: until its end.
        (Status.ACTIVE, None, NOW + DAY, None, True, NOW + DAY),
        (Status.ACTIVE, None, NOW - DAY, None, False, None),
        (Status.PAST_DUE, NOW - DAY, None, NOW - 2 * DAY, True, NOW + 5 * DAY),
        (Status.PAST_DUE, NOW - DAY, None, NOW - 8 * DAY, False, None),
        (Status.PAST_DUE, NOW + DAY, None, None, False, None),
        (Status.CANCELED, NOW + DAY, None, None, True, NOW + DAY),
        (Status.CANCELED, NOW + 9 * DAY, NOW + 2 * DAY, None, True, NOW + 2 * DAY),
        (Status.CANCELED, NOW - DAY, None, None, False, None),
        (Status.ENDED, NOW + DAY, None, None, False, None),
        (Status.INCOMPLETE, NOW + DAY, None, None, False, None),
    ],
)
def test_access(status, period_end, ends_at, past_due_since, granted, until):
    decision = rules.access(
        status=status,
        now=NOW,
        current_period_end=period_end,
        ends_at=ends_at,
        past_due_since=past_due_since,
        grace=GRACE,
    )
    assert decision == rules.Access(granted, until)
