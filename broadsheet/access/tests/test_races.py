"""Races on real stores: many devices of one seat at the same instant (Redis, PostgreSQL).

SQLite's in-memory test database cannot hold concurrent writers, so the database store's races
run on PostgreSQL only (DATABASE_URL=postgres://...)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections

from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.subscriptions.models import Seat, SeatRole, Subscription

from .conftest import subscriber_create

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _at_once(count: int, work: Callable[[int], object]) -> list:
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(number: int) -> None:
        try:
            start.wait()
            results[number] = work(number)
        except Exception as error:  # noqa: BLE001 -- every failure is reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_fifty_devices_reading_at_once_leave_one_holder(store):
    subscriber_create()
    seat_id = Seat.objects.get().pk

    outcomes = _at_once(
        50, lambda n: store.slot_claim(seat_id=seat_id, device=str(n), now=NOW, lease=LEASE)
    )

    held = [n for n, outcome in enumerate(outcomes) if outcome.held]
    assert len(held) == 1
    assert sum(1 for outcome in outcomes if not outcome.held) == 49
    assert store.slot_holder(seat_id=seat_id)[0] == str(held[0])


def test_fifty_takeovers_at_once_leave_one_holder_and_49_notices(store):
    subscriber_create()
    seat_id = Seat.objects.get().pk

    taken = _at_once(
        50, lambda n: store.slot_take_over(seat_id=seat_id, device=str(n), now=NOW, lease=LEASE)
    )
    fences = [outcome.fence for outcome in taken]
    assert len(set(fences)) == 50  # every takeover got a fence of its own

    later = NOW + timedelta(seconds=1)
    beats = _at_once(
        50,
        lambda n: store.slot_heartbeat(
            seat_id=seat_id, device=str(n), fence=fences[n], now=later, lease=LEASE
        ),
    )
    reading = [n for n, beat in enumerate(beats) if beat.held]
    assert len(reading) == 1
    assert sum(1 for beat in beats if not beat.held) == 49
    holder, fence, _seen = store.slot_holder(seat_id=seat_id)
    assert holder == str(reading[0]) and fence == max(fences)


def test_business_seats_each_have_exactly_one_holder(store):
    seats_count = 6
    admin = subscriber_create(kind="business", quantity=seats_count)
    subscription = Subscription.objects.get(holder=admin)
    people = [reader_create() for _ in range(seats_count)]
    seats = [
        Seat.objects.create(
            subscription=subscription, user=person, role=SeatRole.MEMBER, created_at=NOW
        ).pk
        for person in people
    ]
    # Two devices per person, all at once.
    devices = [(seat, f"{seat}-{which}") for seat in seats for which in ("a", "b")]

    outcomes = _at_once(
        len(devices),
        lambda n: store.slot_claim(
            seat_id=devices[n][0], device=devices[n][1], now=NOW, lease=LEASE
        ),
    )

    for seat in seats:
        held = [
            device
            for (owner, device), outcome in zip(devices, outcomes, strict=True)
            if owner == seat and outcome.held
        ]
        assert len(held) == 1
        assert store.slot_holder(seat_id=seat)[0] == held[0]
