"""The values every part of the app passes around: a hit, its kind and source, and hours.

Plain values, no database: the stores, the rules and the services all speak these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

HOUR = timedelta(hours=1)


class Kind(models.TextChoices):
    VIEW = "view", _("View")
    # Recorded by the access app when a reader meets the paywall on an article.
    PAYWALL = "paywall", _("Paywall hit")
    # Recorded by the subscriptions app when a subscription started from an article's paywall.
    SUBSCRIBE = "subscribe", _("Subscription")


class Source(models.TextChoices):
    SEARCH = "search", _("Search")
    SOCIAL = "social", _("Social")
    NEWSLETTER = "newsletter", _("Newsletter and email")
    DIRECT = "direct", _("Direct")
    INTERNAL = "internal", _("Internal")
    OTHER = "other", _("Other sites")
    UNKNOWN = "unknown", _("Unknown")


@dataclass(frozen=True, slots=True)
class Hit:
    """One countable event. `reader_key` says who, for the reload window: a reader key for views
    and paywall hits, a subscription reference for subscriptions. `previous_reader_key` is the
    same reader under yesterday's salt, given during the first window after midnight so that a
    reload across midnight still counts once."""

    article_id: int
    edition: str
    at: datetime
    reader_key: str
    kind: str = Kind.VIEW
    source: str = Source.UNKNOWN
    previous_reader_key: str = ""


def hour_index(at: datetime) -> int:
    """Hours since the epoch: the bucket `at` falls in."""
    return int(at.timestamp()) // 3600


def hour_start(index: int) -> datetime:
    return datetime.fromtimestamp(index * 3600, tz=UTC)


def day_of(at: datetime) -> date:
    return at.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def window_hours(*, now: datetime, hours: int) -> range:
    """The buckets of the last `hours` hours: the current one and the `hours - 1` before it."""
    current = hour_index(now)
    return range(current - hours + 1, current + 1)
