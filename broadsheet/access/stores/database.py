"""The database store: the embedded default when Redis is not configured.

Each slot operation reads the seat's row under a row lock (select_for_update: a real lock on
PostgreSQL; SQLite serialises writers) and applies the rules of rules.py, so both stores
follow one state machine.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from .. import rules
from ..models import MeterEntry, SlotLease
from ..rules import MeterOutcome, SlotOutcome, SlotState


class DatabaseStore:
    name = "database"

    def clear(self) -> None:
        """Forget every slot and meter (tests and benchmarks)."""
        SlotLease.objects.all().delete()
        MeterEntry.objects.all().delete()

    def _locked_state(self, seat_id: int) -> tuple[SlotLease, SlotState]:
        lease = SlotLease.objects.select_for_update().filter(seat_id=seat_id).first()
        if lease is None:
            try:
                with transaction.atomic():
                    SlotLease.objects.create(seat_id=seat_id)
            except IntegrityError:  # another request created it first
                pass
            lease = SlotLease.objects.select_for_update().get(seat_id=seat_id)
        return lease, SlotState(device=lease.device, fence=lease.fence, seen=lease.seen_at)

    @staticmethod
    def _save(lease: SlotLease, state: SlotState) -> None:
        if (lease.device, lease.fence, lease.seen_at) == (state.device, state.fence, state.seen):
            return
        lease.device, lease.fence, lease.seen_at = state.device, state.fence, state.seen
        lease.save(update_fields=["device", "fence", "seen_at"])

    def slot_claim(
        self, *, seat_id: int, device: str, now: datetime, lease: timedelta
    ) -> SlotOutcome:
        with transaction.atomic():
            row, state = self._locked_state(seat_id)
            new, outcome = rules.slot_claim(state=state, device=device, now=now, lease=lease)
            self._save(row, new)
        return outcome

    def slot_heartbeat(
        self, *, seat_id: int, device: str, fence: int, now: datetime, lease: timedelta
    ) -> SlotOutcome:
        with transaction.atomic():
            row, state = self._locked_state(seat_id)
            new, outcome = rules.slot_heartbeat(
                state=state, device=device, fence=fence, now=now, lease=lease
            )
            self._save(row, new)
        return outcome

    def slot_take_over(
        self, *, seat_id: int, device: str, now: datetime, lease: timedelta
    ) -> SlotOutcome:
        with transaction.atomic():
            row, state = self._locked_state(seat_id)
            new, outcome = rules.slot_take_over(state=state, device=device, now=now, lease=lease)
            self._save(row, new)
        return outcome

    def slot_release(self, *, seat_id: int, device: str) -> bool:
        with transaction.atomic():
            row = SlotLease.objects.select_for_update().filter(seat_id=seat_id).first()
            if row is None:
                return False
            state = SlotState(device=row.device, fence=row.fence, seen=row.seen_at)
            new, released = rules.slot_release(state=state, device=device)
            self._save(row, new)
        return released

    def slot_holder(self, *, seat_id: int) -> tuple[str, int, datetime | None]:
        row = SlotLease.objects.filter(seat_id=seat_id).first()
        if row is None:
            return "", 0, None
        return row.device, row.fence, row.seen_at

    def meter_count(
        self, *, meter: str, article_id: int, limit: int, period: timedelta, now: datetime
    ) -> MeterOutcome:
        since = now - period
        with transaction.atomic():
            entries = MeterEntry.objects.filter(meter=meter)
            entries.filter(counted_at__lte=since).delete()
            if entries.filter(article_id=article_id).exists():
                used = entries.count()
                return MeterOutcome(
                    available=True, allowed=True, already_counted=True, used=used, limit=limit
                )
            used = entries.count()
            if used >= limit:
                return MeterOutcome(available=True, allowed=False, used=used, limit=limit)
            try:
                with transaction.atomic():
                    MeterEntry.objects.create(meter=meter, article_id=article_id, counted_at=now)
            except IntegrityError:  # the same reader's other request counted it just now
                return MeterOutcome(
                    available=True, allowed=True, already_counted=True, used=used, limit=limit
                )
        return MeterOutcome(available=True, allowed=True, used=used + 1, limit=limit)

    def meter_used(self, *, meter: str, period: timedelta, now: datetime) -> int:
        return MeterEntry.objects.filter(meter=meter, counted_at__gt=now - period).count()
