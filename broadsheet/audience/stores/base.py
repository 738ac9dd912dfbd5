"""The interface of the live counters, which the database store and the Redis store both
implement and one contract test (tests/test_store_contract.py) checks.

Hours are bucket indexes (hits.hour_index); editions are language codes ("en-us").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ..hits import Hit


class StoreUnavailableError(Exception):
    """The live store cannot be reached now (Redis down or timing out)."""


class StoreIncompleteError(Exception):
    """The live store lost its data (Redis flushed) and has not been restored from history yet:
    its rankings would be wrong, read the history instead."""


@dataclass(frozen=True, slots=True)
class HourCounts:
    article_id: int
    hour: int
    views: int = 0
    paywall_hits: int = 0
    subscriptions: int = 0


@dataclass(frozen=True, slots=True)
class SourceCount:
    article_id: int
    day: date
    source: str
    views: int


class CounterStore(ABC):
    name: str
    # True when the store's counters are the history tables themselves (nothing to persist).
    is_history = False

    @abstractmethod
    def record(self, hit: Hit) -> bool:
        """Count the hit unless the same reader counted for this article and kind within the
        reload window; True when it counted."""

    def record_many(self, hits: Sequence[Hit]) -> int:
        """Count many hits (pipelined or batched where the store can); returns how many
        counted."""
        return sum(self.record(hit) for hit in hits)

    @abstractmethod
    def ranking(
        self, *, edition: str, hours: int, now: datetime, limit: int
    ) -> list[tuple[int, int]]:
        """The edition's most viewed articles over the last `hours` hours (hits.window_hours),
        as (article id, views), most viewed first; articles with no views are left out."""

    @abstractmethod
    def hour_counts(self, *, edition: str, hour: int) -> list[HourCounts]:
        """Every article with a count in this hour of the edition."""

    @abstractmethod
    def day_sources(self, *, edition: str, day: date) -> list[SourceCount]:
        """Every (article, source) with views on this day of the edition."""

    @abstractmethod
    def article_hours(
        self, *, edition: str, article_id: int, hours: Iterable[int]
    ) -> dict[int, HourCounts]:
        """One article's counts in these hours (hours without any are left out)."""

    @abstractmethod
    def article_day_sources(self, *, edition: str, article_id: int, day: date) -> dict[str, int]:
        """One article's views by source on one day."""

    def hours_snapshot(
        self, *, edition: str, hours: Iterable[int], days: Iterable[date]
    ) -> tuple[dict[int, list[HourCounts]], list[SourceCount]] | None:
        """The counts of these hours and the sources of these days, for copying to the
        history; None while the store is not complete (copying it would lose history)."""
        if not self.is_complete(edition=edition):
            return None
        counts = {hour: self.hour_counts(edition=edition, hour=hour) for hour in hours}
        sources = [row for day in days for row in self.day_sources(edition=edition, day=day)]
        return counts, sources

    def is_complete(self, *, edition: str) -> bool:
        """False after the store lost its data, until `restore` has run."""
        return True

    def restore(
        self,
        *,
        edition: str,
        hours: Iterable[HourCounts],
        sources: Iterable[SourceCount],
        now: datetime,
    ) -> bool:
        """Add the history back into a store that lost its data; True when this call did it
        (exactly one concurrent caller does). Stores that are the history do nothing."""
        return False

    def roll(self, *, edition: str, now: datetime) -> None:  # noqa: B027  (optional upkeep)
        """Keep precomputed windows up to date (reads do it too when they find them behind)."""

    @abstractmethod
    def clear(self) -> None:
        """Forget everything (tests and benchmarks)."""
