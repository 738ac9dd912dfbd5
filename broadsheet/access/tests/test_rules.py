"""The decision function as an exhaustive table, plus properties of it and of the slot rules."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.access import rules
from broadsheet.access.rules import (
    FREE,
    METERED,
    SUBSCRIBERS,
    Ask,
    MeterOutcome,
    Reader,
    Show,
    SlotOutcome,
    SlotState,
)
from broadsheet.newsroom.models import AccessLevel

ANONYMOUS = Reader(signed_in=False, entitled=False)
REGISTERED = Reader(signed_in=True, entitled=False)
SUBSCRIBER = Reader(signed_in=True, entitled=True)

METER_LEFT = MeterOutcome(available=True, allowed=True, used=2, limit=3)
METER_AGAIN = MeterOutcome(available=True, allowed=True, already_counted=True, used=3, limit=3)
METER_SPENT = MeterOutcome(available=True, allowed=False, used=3, limit=3)
METER_DOWN = rules.METER_UNAVAILABLE
SLOT_HELD = SlotOutcome(available=True, held=True, fence=7)
SLOT_OTHER = SlotOutcome(available=True, held=False, fence=7, holder_device="12")
SLOT_DOWN = rules.SLOT_UNAVAILABLE

# (level, reader, meter, slot) -> (store asked, what is shown)
TABLE = [
    (FREE, ANONYMOUS, None, None, Ask.NOTHING, Show.BODY),
    (FREE, REGISTERED, None, None, Ask.NOTHING, Show.BODY),
    (FREE, SUBSCRIBER, None, None, Ask.NOTHING, Show.BODY),
    (METERED, ANONYMOUS, METER_LEFT, None, Ask.METER, Show.BODY),
    (METERED, ANONYMOUS, METER_AGAIN, None, Ask.METER, Show.BODY),
    (METERED, ANONYMOUS, METER_SPENT, None, Ask.METER, Show.REGISTRATION_WALL),
    (METERED, ANONYMOUS, METER_DOWN, None, Ask.METER, Show.METER_UNAVAILABLE),
    (METERED, REGISTERED, METER_LEFT, None, Ask.METER, Show.BODY),
    (METERED, REGISTERED, METER_AGAIN, None, Ask.METER, Show.BODY),
    (METERED, REGISTERED, METER_SPENT, None, Ask.METER, Show.PAYWALL),
    (METERED, REGISTERED, METER_DOWN, None, Ask.METER, Show.METER_UNAVAILABLE),
    (METERED, SUBSCRIBER, None, SLOT_HELD, Ask.SLOT, Show.BODY),
    (METERED, SUBSCRIBER, None, SLOT_OTHER, Ask.SLOT, Show.DEVICE_NOTICE),
    (METERED, SUBSCRIBER, None, SLOT_DOWN, Ask.SLOT, Show.BODY),
    (SUBSCRIBERS, ANONYMOUS, None, None, Ask.NOTHING, Show.PAYWALL),
    (SUBSCRIBERS, REGISTERED, None, None, Ask.NOTHING, Show.PAYWALL),
    (SUBSCRIBERS, SUBSCRIBER, None, SLOT_HELD, Ask.SLOT, Show.BODY),
    (SUBSCRIBERS, SUBSCRIBER, None, SLOT_OTHER, Ask.SLOT, Show.DEVICE_NOTICE),
    (SUBSCRIBERS, SUBSCRIBER, None, SLOT_DOWN, Ask.SLOT, Show.BODY),
]


@pytest.mark.parametrize(("level", "reader", "meter", "slot", "asked", "shown"), TABLE)
def test_decision_table(level, reader, meter, slot, asked, shown):
    assert rules.ask(level=level, reader=reader) is asked
    decision = rules.decide(level=level, reader=reader, meter=meter, slot=slot)
    assert decision.show is shown


def test_the_table_covers_every_level_and_reader():
    covered = {(row[0], row[1]) for row in TABLE}
    assert covered == set(itertools.product(rules.LEVELS, [ANONYMOUS, REGISTERED, SUBSCRIBER]))


def test_what_gets_recorded():
    assert rules.decide(level=METERED, reader=SUBSCRIBER, slot=SLOT_DOWN).failed_open
    assert rules.decide(level=METERED, reader=ANONYMOUS, meter=METER_DOWN).failed_closed
    assert rules.decide(level=METERED, reader=SUBSCRIBER, slot=SLOT_OTHER).record_notice
    assert rules.decide(level=METERED, reader=ANONYMOUS, meter=METER_SPENT).record_wall
    assert not rules.decide(level=METERED, reader=ANONYMOUS, meter=METER_LEFT).record_wall


def test_an_unknown_level_is_treated_as_subscribers_only():
    decision = rules.decide(level="metred", reader=REGISTERED, meter=METER_LEFT)
    assert decision.show is Show.PAYWALL


readers = st.builds(Reader, signed_in=st.booleans(), entitled=st.booleans()).filter(
    lambda reader: reader.signed_in or not reader.entitled
)
meters = st.one_of(
    st.none(),
    st.builds(
        MeterOutcome,
        available=st.booleans(),
        allowed=st.booleans(),
        already_counted=st.booleans(),
        used=st.integers(0, 20),
        limit=st.integers(0, 20),
    ),
)
slots = st.one_of(
    st.none(),
    st.builds(
        SlotOutcome,
        available=st.booleans(),
        held=st.booleans(),
        fence=st.integers(0, 10**13),
        holder_device=st.text(max_size=4),
    ),
)


@given(level=st.sampled_from(rules.LEVELS), reader=readers, meter=meters, slot=slots)
def test_body_only_when_a_rule_allows_it(level, reader, meter, slot):
    decision = rules.decide(level=level, reader=reader, meter=meter, slot=slot)
    if decision.body_allowed and level != FREE:
        if reader.entitled:
            # Held slot, or the store is down (fail open for paying readers only).
            assert slot is None or slot.held or not slot.available
        else:
            assert level == METERED and meter is not None and meter.available and meter.allowed


@given(level=st.sampled_from(rules.LEVELS), meter=meters, slot=slots)
def test_free_articles_never_touch_the_slot(level, meter, slot):
    asked = rules.ask(level=level, reader=SUBSCRIBER)
    assert (asked is Ask.NOTHING) == (level == FREE)


NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)

operations = st.lists(
    st.tuples(
        st.sampled_from(["claim", "heartbeat", "take_over", "release", "wait"]),
        st.sampled_from(["a", "b", "c"]),
        st.integers(0, 400),  # seconds to wait, or which stale fence to send
    ),
    max_size=40,
)


@given(operations)
def test_slot_rules_never_serve_two_devices_at_once(steps):
    """Whatever happens, the devices told "held" within one lease are one device, and the
    fence never goes back."""
    state, now = SlotState(), NOW
    fences = {}
    last_fence = 0
    for op, device, number in steps:
        if op == "wait":
            now += timedelta(seconds=number)
            continue
        if op == "claim":
            state, outcome = rules.slot_claim(state=state, device=device, now=now, lease=LEASE)
        elif op == "heartbeat":
            fence = fences.get(device, number)
            state, outcome = rules.slot_heartbeat(
                state=state, device=device, fence=fence, now=now, lease=LEASE
            )
        elif op == "take_over":
            state, outcome = rules.slot_take_over(state=state, device=device, now=now, lease=LEASE)
        else:
            state, _released = rules.slot_release(state=state, device=device)
            continue
        if outcome.held:
            fences[device] = outcome.fence
            assert state.device == device
        else:
            assert state.device != device or state.fence != fences.get(device)
        assert state.fence >= last_fence
        last_fence = state.fence


def test_the_levels_an_editor_can_choose_are_the_levels_the_rules_know():
    assert tuple(AccessLevel.values) == rules.LEVELS
    assert [level for level in rules.LEVELS if rules.open_to_everyone(level)] == [rules.FREE]
    assert not rules.open_to_everyone("typo")
