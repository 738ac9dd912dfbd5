"""The access decision: what a reader is shown of an article, and what that records.

Pure functions only: no database, no cache, no clock. The stores (stores/) make the one atomic
call a decision needs (count the article on the meter, or claim the seat's reading slot) and
hand its outcome here; services.py gathers the inputs and carries out what comes back. Every
way an article's body leaves the building asks `decide` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# The access levels an article can have: defined here once (newsroom's AccessLevel choices
# take their values from these and add the labels editors see).
FREE = "free"
METERED = "metered"
SUBSCRIBERS = "subscribers"
LEVELS = (FREE, METERED, SUBSCRIBERS)


def open_to_everyone(level: str) -> bool:
    """Every reader gets the body of an article of this level, with no store asked and
    nothing recorded (free; an unknown level is the strictest, never this)."""
    return level == FREE


class Show(StrEnum):
    BODY = "body"
    REGISTRATION_WALL = "registration_wall"
    PAYWALL = "paywall"
    DEVICE_NOTICE = "device_notice"
    # The meter cannot be read (its store is down): unentitled readers get no metered body.
    METER_UNAVAILABLE = "meter_unavailable"


class Ask(StrEnum):
    """Which store a reading needs before it can be decided."""

    NOTHING = "nothing"
    METER = "meter"
    SLOT = "slot"


@dataclass(frozen=True)
class Reader:
    signed_in: bool
    # The reader holds a seat of a subscription that entitles them now.
    entitled: bool


@dataclass(frozen=True)
class MeterOutcome:
    """What the meter store answered to "count this article for this reader"."""

    available: bool
    allowed: bool = False
    # This article was already on the meter: reading it again counts nothing.
    already_counted: bool = False
    used: int = 0
    limit: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class SlotOutcome:
    """What the slot store answered to "this device reads with the seat now"."""

    available: bool
    held: bool = False
    fence: int = 0
    # When not held: the device holding the slot, and when it was last active.
    holder_device: str = ""
    holder_seen: datetime | None = None
    # The slot changed hands to this device (taken while free, or taken over).
    taken_from: str = ""


METER_UNAVAILABLE = MeterOutcome(available=False)
SLOT_UNAVAILABLE = SlotOutcome(available=False)


@dataclass(frozen=True)
class Decision:
    show: Show
    # Counters the service records (each is one event of this reading).
    record_notice: bool = False
    record_wall: bool = False
    # An entitled reader read although the slot store could not be asked (fail open).
    failed_open: bool = False
    # A meter could not be counted, so the body was withheld (fail closed).
    failed_closed: bool = False

    @property
    def body_allowed(self) -> bool:
        return self.show is Show.BODY


def ask(*, level: str, reader: Reader) -> Ask:
    """Which store to ask before deciding: free articles ask nothing; entitled readers use
    their seat's slot; others the meter (metered) or nothing (subscribers only)."""
    if open_to_everyone(level):
        return Ask.NOTHING
    if reader.entitled:
        return Ask.SLOT
    if level == METERED:
        return Ask.METER
    return Ask.NOTHING


def decide(
    *,
    level: str,
    reader: Reader,
    meter: MeterOutcome | None = None,
    slot: SlotOutcome | None = None,
) -> Decision:
    """What this reader sees of an article of this access level.

    `meter` and `slot` are the outcomes of the store call that `ask` named (None when it named
    none). An unknown level is treated as subscribers only: a typo never opens a body.
    """
    if level not in LEVELS:
        level = SUBSCRIBERS
    if open_to_everyone(level):
        return Decision(Show.BODY)

    if reader.entitled:
        if slot is None or not slot.available:
            # Redis down: a paying reader keeps reading; logged and counted by the service.
            return Decision(Show.BODY, failed_open=True)
        if slot.held:
            return Decision(Show.BODY)
        return Decision(Show.DEVICE_NOTICE, record_notice=True)

    if level == METERED:
        if meter is None or not meter.available:
            return Decision(Show.METER_UNAVAILABLE, failed_closed=True)
        if meter.allowed:
            return Decision(Show.BODY)
        if not reader.signed_in:
            return Decision(Show.REGISTRATION_WALL, record_wall=True)
        return Decision(Show.PAYWALL, record_wall=True)

    return Decision(Show.PAYWALL, record_wall=True)


# The reading slot of a seat, as a state machine. The database store applies these under a row
# lock; the Redis store runs the same rules in Lua (stores/redis.py). One contract test holds
# both to them.


@dataclass(frozen=True)
class SlotState:
    device: str = ""
    fence: int = 0
    seen: datetime | None = None

    def active(self, *, now: datetime, lease: timedelta) -> bool:
        return bool(self.device) and self.seen is not None and now < self.seen + lease


def next_fence(*, fence: int, now: datetime) -> int:
    """A fence grows on every change of hands, and never restarts, even if the slot's record
    was lost: it is at least the clock in milliseconds."""
    return max(fence + 1, int(now.timestamp() * 1000))


def slot_claim(
    *, state: SlotState, device: str, now: datetime, lease: timedelta
) -> tuple[SlotState, SlotOutcome]:
    """A metered or gated page view: keep the slot, take it if nobody is active, else refuse."""
    if state.device == device:
        new = SlotState(device=device, fence=state.fence, seen=now)
        return new, SlotOutcome(available=True, held=True, fence=new.fence)
    if not state.active(now=now, lease=lease):
        new = SlotState(device=device, fence=next_fence(fence=state.fence, now=now), seen=now)
        return new, SlotOutcome(available=True, held=True, fence=new.fence, taken_from=state.device)
    return state, _refused(state)


def slot_heartbeat(
    *, state: SlotState, device: str, fence: int, now: datetime, lease: timedelta
) -> tuple[SlotState, SlotOutcome]:
    """An open page says it is still being read. Only the holder with the current fence may
    renew; a device that was paused and comes back with an old fence is refused."""
    if state.device == device and state.fence == fence:
        new = SlotState(device=device, fence=fence, seen=now)
        return new, SlotOutcome(available=True, held=True, fence=fence)
    if not state.device or not state.active(now=now, lease=lease):
        # Nobody reads: an open page takes the free slot back silently.
        return slot_claim(state=state, device=device, now=now, lease=lease)
    return state, _refused(state)


def heartbeat_of_holder(outcome: SlotOutcome, *, device: str) -> SlotOutcome:
    """A heartbeat refused for its old fence, from the very device that holds the slot: another
    tab of it moved the fence on ("Read here", or a claim after the lease ran out). It is the
    same reader, not "another device": it reads on, and learns the current fence."""
    if outcome.available and not outcome.held and outcome.holder_device == device:
        return SlotOutcome(available=True, held=True, fence=outcome.fence)
    return outcome


def slot_take_over(
    *, state: SlotState, device: str, now: datetime, lease: timedelta
) -> tuple[SlotState, SlotOutcome]:
    """ "Read here": this device takes the slot whoever holds it; the fence moves on. It is a
    takeover (recorded, counted towards sharing) only if another device was active."""
    new = SlotState(device=device, fence=next_fence(fence=state.fence, now=now), seen=now)
    taken = state.device != device and state.active(now=now, lease=lease)
    taken_from = state.device if taken else ""
    return new, SlotOutcome(available=True, held=True, fence=new.fence, taken_from=taken_from)


def slot_release(*, state: SlotState, device: str) -> tuple[SlotState, bool]:
    """A device that signs out frees the slot at once (if it held it)."""
    if state.device and state.device == device:
        return SlotState(device="", fence=state.fence, seen=None), True
    return state, False


def _refused(state: SlotState) -> SlotOutcome:
    return SlotOutcome(
        available=True,
        held=False,
        fence=state.fence,
        holder_device=state.device,
        holder_seen=state.seen,
    )


# Sharing: a seat whose slot changes hands too often between devices.


def sharing_flagged(*, takeovers_in_window: int, threshold: int) -> bool:
    return takeovers_in_window >= threshold


def sharing_cooled(*, last_takeover_at: datetime, now: datetime, cooling: timedelta) -> bool:
    return now >= last_takeover_at + cooling
