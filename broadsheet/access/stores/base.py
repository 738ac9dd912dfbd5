"""The interface every slot and meter store keeps (see tests/test_store_contract.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from ..rules import MeterOutcome, SlotOutcome


class StoreUnavailableError(Exception):
    """The store cannot be reached now (Redis down or too slow)."""


class AccessStore(Protocol):
    def slot_claim(
        self, *, seat_id: int, device: str, now: datetime, lease: timedelta
    ) -> SlotOutcome: ...

    def slot_heartbeat(
        self, *, seat_id: int, device: str, fence: int, now: datetime, lease: timedelta
    ) -> SlotOutcome: ...

    def slot_take_over(
        self, *, seat_id: int, device: str, now: datetime, lease: timedelta
    ) -> SlotOutcome: ...

    def slot_release(self, *, seat_id: int, device: str) -> bool: ...

    def slot_holder(self, *, seat_id: int) -> tuple[str, int, datetime | None]: ...

    def meter_count(
        self, *, meter: str, article_id: int, limit: int, period: timedelta, now: datetime
    ) -> MeterOutcome: ...

    def meter_used(self, *, meter: str, period: timedelta, now: datetime) -> int: ...
