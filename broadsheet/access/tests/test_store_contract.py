"""One contract for both stores (the database, and Redis when REDIS_URL is set): the same
operations give the same answers, following rules.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from broadsheet.access import rules
from broadsheet.tests.scaleout import cluster_url_for

from .conftest import STORES, subscriber_create, use_store

pytestmark = pytest.mark.django_db(transaction=False)

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
DAY = timedelta(days=30)


@pytest.fixture
def seat_id(store):
    from broadsheet.subscriptions.models import Seat

    subscriber_create()
    return Seat.objects.get().pk


def test_a_free_slot_is_taken_silently_and_kept(store, seat_id):
    first = store.slot_claim(seat_id=seat_id, device="1", now=T0, lease=LEASE)
    assert first.held and first.fence >= 1
    again = store.slot_claim(
        seat_id=seat_id, device="1", now=T0 + timedelta(minutes=1), lease=LEASE
    )
    assert again.held and again.fence == first.fence
    assert store.slot_holder(seat_id=seat_id)[0] == "1"


def test_another_device_is_refused_while_the_holder_is_active(store, seat_id):
    store.slot_claim(seat_id=seat_id, device="1", now=T0, lease=LEASE)
    refused = store.slot_claim(
        seat_id=seat_id, device="2", now=T0 + timedelta(minutes=4), lease=LEASE
    )
    assert not refused.held
    assert refused.holder_device == "1"
    assert refused.holder_seen == T0
    later = store.slot_claim(seat_id=seat_id, device="2", now=T0 + LEASE, lease=LEASE)
    assert later.held and later.taken_from == "1"


def test_take_over_moves_the_fence_and_old_fences_are_refused(store, seat_id):
    first = store.slot_claim(seat_id=seat_id, device="1", now=T0, lease=LEASE)
    taken = store.slot_take_over(
        seat_id=seat_id, device="2", now=T0 + timedelta(seconds=1), lease=LEASE
    )
    assert taken.held and taken.fence > first.fence and taken.taken_from == "1"
    stale = store.slot_heartbeat(
        seat_id=seat_id, device="1", fence=first.fence, now=T0 + timedelta(seconds=2), lease=LEASE
    )
    assert not stale.held and stale.holder_device == "2"
    beat = store.slot_heartbeat(
        seat_id=seat_id, device="2", fence=taken.fence, now=T0 + timedelta(seconds=3), lease=LEASE
    )
    assert beat.held and beat.fence == taken.fence
    back = store.slot_take_over(
        seat_id=seat_id, device="1", now=T0 + timedelta(seconds=4), lease=LEASE
    )
    assert back.fence > taken.fence and back.taken_from == "2"
    own = store.slot_take_over(
        seat_id=seat_id, device="1", now=T0 + timedelta(seconds=5), lease=LEASE
    )
    assert own.taken_from == ""


def test_read_here_on_a_free_slot_is_no_takeover(store, seat_id):
    store.slot_claim(seat_id=seat_id, device="1", now=T0, lease=LEASE)
    taken = store.slot_take_over(seat_id=seat_id, device="2", now=T0 + LEASE, lease=LEASE)
    assert taken.held and taken.taken_from == ""


def test_release_frees_only_the_holders_slot(store, seat_id):
    store.slot_claim(seat_id=seat_id, device="1", now=T0, lease=LEASE)
    assert not store.slot_release(seat_id=seat_id, device="2")
    assert store.slot_release(seat_id=seat_id, device="1")
    taken = store.slot_claim(
        seat_id=seat_id, device="2", now=T0 + timedelta(seconds=1), lease=LEASE
    )
    assert taken.held and taken.taken_from == ""


def test_meter_counts_each_article_once_up_to_the_limit(store):
    def count(article, at=T0):
        return store.meter_count(meter="rabc", article_id=article, limit=2, period=DAY, now=at)

    one = count(1)
    assert one.allowed and not one.already_counted and one.used == 1 and one.remaining == 1
    assert count(1).already_counted
    assert count(2).used == 2
    refused = count(3)
    assert not refused.allowed and refused.used == 2
    assert count(2).allowed  # already counted: still readable
    assert store.meter_used(meter="rabc", period=DAY, now=T0) == 2
    # A period later the meter is empty again.
    later = count(3, at=T0 + DAY + timedelta(seconds=1))
    assert later.allowed and later.used == 1
    assert store.meter_count(meter="rother", article_id=3, limit=2, period=DAY, now=T0).used == 1


# The stateful test: any sequence of readings, heartbeats, takeovers, waits, sign-outs and
# password changes on one seat, against each store, keeps the invariant that at most one
# device is being served bodies (holds the current fence) at any moment.

DEVICES = ["1", "2", "3"]


def _machine(kind: str):
    class SlotMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            from django.conf import settings as django_settings  # noqa: F401

            self.store = STORE_BY_KIND[kind]
            self.seat = SEAT_BY_KIND[kind]
            self.store.clear()
            self.now = T0
            self.fences: dict[str, int] = {}
            self.served: dict[str, int] = {}  # device -> fence it was last served with
            self.fence_owner: dict[int, str] = {}  # fence -> the device it was issued to
            self.last_fence = 0

        def _note(self, device, outcome):
            if outcome.held:
                # A fence belongs to one device: handing it to a second would let both read.
                assert self.fence_owner.setdefault(outcome.fence, device) == device
                self.fences[device] = outcome.fence
                self.served[device] = outcome.fence
            else:
                self.served.pop(device, None)

        @rule(device=st.sampled_from(DEVICES))
        def read(self, device):
            outcome = self.store.slot_claim(
                seat_id=self.seat, device=device, now=self.now, lease=LEASE
            )
            self._note(device, outcome)

        @rule(device=st.sampled_from(DEVICES))
        def heartbeat(self, device):
            if device not in self.fences:
                return
            outcome = self.store.slot_heartbeat(
                seat_id=self.seat,
                device=device,
                fence=self.fences[device],
                now=self.now,
                lease=LEASE,
            )
            self._note(device, outcome)

        @rule(device=st.sampled_from(DEVICES))
        def take_over(self, device):
            self._note(
                device,
                self.store.slot_take_over(
                    seat_id=self.seat, device=device, now=self.now, lease=LEASE
                ),
            )

        @rule(seconds=st.integers(1, 400))
        def wait(self, seconds):
            self.now += timedelta(seconds=seconds)

        @rule(device=st.sampled_from(DEVICES))
        def sign_out(self, device):
            self.store.slot_release(seat_id=self.seat, device=device)
            self.served.pop(device, None)
            self.fences.pop(device, None)

        @rule(device=st.sampled_from(DEVICES))
        def change_password(self, device):
            # Every other device is signed out; this one keeps reading.
            for other in DEVICES:
                if other != device:
                    self.sign_out(other)

        @rule()
        def upgrade(self):
            # Upgrading changes the seat's plan, not the seat: its slot and holder stay, and
            # the holder must still be the only device served.
            holder, fence, _seen = self.store.slot_holder(seat_id=self.seat)
            if holder:
                outcome = self.store.slot_claim(
                    seat_id=self.seat, device=holder, now=self.now, lease=LEASE
                )
                assert outcome.held and outcome.fence == fence
                self._note(holder, outcome)

        @invariant()
        def one_device_served(self):
            if not hasattr(self, "store"):
                return
            holder, fence, _seen = self.store.slot_holder(seat_id=self.seat)
            # Served bodies under the current fence: nobody, or the holder alone.
            current = sorted(d for d, f in self.served.items() if f == fence)
            assert current in ([], [holder])
            assert fence >= self.last_fence
            self.last_fence = fence

    return SlotMachine


STORE_BY_KIND: dict = {}
SEAT_BY_KIND: dict = {}


@pytest.mark.parametrize("kind", STORES)
def test_at_most_one_device_is_served_at_any_moment(kind, settings_fixture_for_machine, request):
    store = use_store(
        settings_fixture_for_machine, kind, cluster_url=cluster_url_for(request, kind)
    )
    from broadsheet.subscriptions.models import Seat

    subscriber_create()
    STORE_BY_KIND[kind] = store
    SEAT_BY_KIND[kind] = Seat.objects.order_by("-pk").first().pk
    machine = _machine(kind)
    machine.TestCase.settings = settings(
        max_examples=60,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine.TestCase().runTest()


@pytest.fixture
def settings_fixture_for_machine(settings, db):
    return settings


def test_rules_and_store_agree_on_a_refusal(store, seat_id):
    state, _ = rules.slot_claim(state=rules.SlotState(), device="1", now=T0, lease=LEASE)
    store.slot_claim(seat_id=seat_id, device="1", now=T0, lease=LEASE)
    _, expected = rules.slot_claim(state=state, device="2", now=T0, lease=LEASE)
    got = store.slot_claim(seat_id=seat_id, device="2", now=T0, lease=LEASE)
    assert (got.held, got.holder_device, got.fence) == (
        expected.held,
        expected.holder_device,
        expected.fence,
    )
