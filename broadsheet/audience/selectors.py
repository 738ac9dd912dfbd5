"""Reads of the audience app: rankings for readers and the newsroom, an article's numbers over
time, and the most read of a period for the newsletter digest.

Rankings come from the live store; when it is down or lost its data (and until the tick
restores it) they come from the history, which is at most a tick behind.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from broadsheet.newsroom import selectors as newsroom_selectors
from broadsheet.newsroom.models import ArticlePage

from .hits import Source, day_of, day_start, hour_index, hour_start, window_hours
from .models import ArticleDailySource, ArticleHourlyCount
from .stores import (
    CounterStore,
    StoreIncompleteError,
    StoreUnavailableError,
    database_store,
    get_store,
)

logger = logging.getLogger(__name__)

# The windows readers and the newsroom see, by the name used in URLs.
WINDOWS = {"now": 2, "24h": 24, "7d": 168}
WINDOW_LABELS = {
    "now": _("Now (this hour and the last)"),
    "24h": _("Last 24 hours"),
    "7d": _("Last 7 days"),
}
# Hours the tick may not have copied yet: read them from the live store too.
RECENT_HOURS = 3
RESTORE_REQUEST_KEY = "audience:restore-requested"


@dataclass(frozen=True)
class RankedArticle:
    article: ArticlePage
    views: int


def _request_restore() -> None:
    """The live store lost its data: ask the tick to restore it now rather than next minute."""
    from .tasks import audience_tick

    try:
        if cache.add(RESTORE_REQUEST_KEY, 1, 60):
            audience_tick.enqueue()
    except Exception:
        # The rails are served from the history meanwhile; the next tick restores anyway.
        logger.exception("could not ask for the audience tick")


def ranking(
    *, edition: str, hours: int, now: datetime, limit: int, store: CounterStore | None = None
) -> list[tuple[int, int]]:
    """(article id, views) of the edition over the last `hours` hours, most viewed first."""
    store = store or get_store()
    try:
        return store.ranking(edition=edition, hours=hours, now=now, limit=limit)
    except StoreIncompleteError:
        _request_restore()
        try:
            return store.ranking(edition=edition, hours=hours, now=now, limit=limit)
        except (StoreIncompleteError, StoreUnavailableError):
            pass
    except StoreUnavailableError:
        pass
    return database_store().ranking(edition=edition, hours=hours, now=now, limit=limit)


def most_viewed(*, edition: str, hours: int, now: datetime, limit: int) -> list[RankedArticle]:
    """The edition's most viewed live articles, for a rail or the dashboard."""
    # Ask for more than shown: some may have been unpublished since they were read.
    ranked = ranking(edition=edition, hours=hours, now=now, limit=limit * 2 + 5)
    if not ranked:
        return []
    by_id = newsroom_selectors.articles_public_live_by_id(
        article_ids=[article_id for article_id, _views in ranked], language_code=edition
    )
    found = [
        RankedArticle(by_id[article_id], views)
        for article_id, views in ranked
        if article_id in by_id
    ]
    return found[:limit]


def article_ids_most_read(
    *, language_code: str, since: datetime, until: datetime, limit: int
) -> list[int]:
    """The period's most read live articles of the edition (ids, most read first), from the
    history; topped up with the period's newest when fewer than `limit` were read (a new
    edition, a quiet week). The newsletter digest composes itself from this."""
    edition = language_code.lower()
    read = list(
        ArticleHourlyCount.objects.filter(
            edition=edition,
            hour__gte=hour_start(hour_index(since)),
            hour__lt=until,
            article_id__in=newsroom_selectors.article_ids_live(),
        )
        .values("article_id")
        .annotate(total=Sum("views"))
        .filter(total__gt=0)
        .order_by("-total", "-article_id")
        .values_list("article_id", flat=True)[:limit]
    )
    if len(read) < limit:
        read.extend(
            newsroom_selectors.article_ids_first_published(
                language_code=edition,
                since=since,
                until=until,
                limit=limit - len(read),
                exclude=read,
            )
        )
    return read


# The dashboard


def article_for_dashboard(*, article_id: int) -> ArticlePage | None:
    return newsroom_selectors.article_summary(article_id=article_id)


def _recent_overlay(
    *, article: ArticlePage, edition: str, now: datetime, store: CounterStore
) -> dict[int, tuple[int, int, int]]:
    """The live store's counts of the hours the tick may not have copied yet."""
    if store.is_history:
        return {}
    current = hour_index(now)
    try:
        live = store.article_hours(
            edition=edition,
            article_id=article.pk,
            hours=range(current - RECENT_HOURS + 1, current + 1),
        )
    except StoreUnavailableError:
        return {}
    return {
        hour: (counts.views, counts.paywall_hits, counts.subscriptions)
        for hour, counts in live.items()
    }


def _hour_rows(
    *, article: ArticlePage, edition: str, since_hour: int, now: datetime
) -> dict[int, tuple[int, int, int]]:
    """(views, paywall hits, subscriptions) per hour from `since_hour` to now."""
    store = get_store()
    rows = ArticleHourlyCount.objects.filter(
        article_id=article.pk, hour__gte=hour_start(since_hour)
    ).values_list("hour", "views", "paywall_hits", "subscriptions")
    counts = {hour_index(hour): (views, paywall, subs) for hour, views, paywall, subs in rows}
    for hour, live in _recent_overlay(
        article=article, edition=edition, now=now, store=store
    ).items():
        stored = counts.get(hour, (0, 0, 0))
        # The live store holds the totals; the history is the same or a little behind.
        counts[hour] = (
            max(stored[0], live[0]),
            max(stored[1], live[1]),
            max(stored[2], live[2]),
        )
    return counts


def article_hourly_series(
    *, article: ArticlePage, edition: str, now: datetime, hours: int = 48
) -> list[tuple[datetime, int, int, int]]:
    """(hour start, views, paywall hits, subscriptions) for each of the last `hours` hours."""
    buckets = window_hours(now=now, hours=hours)
    counts = _hour_rows(article=article, edition=edition, since_hour=buckets.start, now=now)
    return [(hour_start(hour), *counts.get(hour, (0, 0, 0))) for hour in buckets]


def article_daily_series(
    *, article: ArticlePage, edition: str, now: datetime, days: int = 90
) -> list[tuple[date, int, int, int]]:
    """(day, views, paywall hits, subscriptions) for each of the last `days` days (UTC)."""
    today = day_of(now)
    first = today - timedelta(days=days - 1)
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = (
        ArticleHourlyCount.objects.filter(
            article_id=article.pk,
            hour__gte=day_start(first),
        )
        .annotate(day=TruncDate("hour"))
        .values("day")
        .annotate(views=Sum("views"), paywall=Sum("paywall_hits"), subs=Sum("subscriptions"))
        .values_list("day", "views", "paywall", "subs")
    )
    for day, views, paywall, subs in rows:
        totals[day] = [views, paywall, subs]
    # The last hours from the live store, where it is ahead of the history.
    store = get_store()
    overlay = _recent_overlay(article=article, edition=edition, now=now, store=store)
    if overlay:
        stored = dict(
            (hour_index(hour), (views, paywall, subs))
            for hour, views, paywall, subs in ArticleHourlyCount.objects.filter(
                article_id=article.pk, hour__in=[hour_start(hour) for hour in overlay]
            ).values_list("hour", "views", "paywall_hits", "subscriptions")
        )
        for hour, live in overlay.items():
            before = stored.get(hour, (0, 0, 0))
            day = hour_start(hour).date()
            for slot in range(3):
                totals[day][slot] += max(0, live[slot] - before[slot])
    series = []
    for n in range(days):
        day = first + timedelta(days=n)
        views, paywall, subs = totals.get(day, [0, 0, 0])
        series.append((day, views, paywall, subs))
    return series


def article_sources(
    *, article: ArticlePage, edition: str, now: datetime, days: int = 90
) -> list[tuple[str, str, int, float]]:
    """(source, its label, views, share of the views) over the last `days` days, largest
    first; every source appears, with zero when none came from it."""
    today = day_of(now)
    first = today - timedelta(days=days - 1)
    per_day: dict[tuple[date, str], int] = {
        (day, source): views
        for day, source, views in ArticleDailySource.objects.filter(
            article_id=article.pk, day__gte=first
        ).values_list("day", "source", "views")
    }
    store = get_store()
    if not store.is_history:
        for day in (today - timedelta(days=1), today):
            try:
                live = store.article_day_sources(edition=edition, article_id=article.pk, day=day)
            except StoreUnavailableError:
                break
            for source, views in live.items():
                per_day[(day, source)] = max(per_day.get((day, source), 0), views)
    totals: dict[str, int] = defaultdict(int)
    for (_day, source), views in per_day.items():
        totals[source] += views
    everything = sum(totals.values())
    rows = [
        (
            source.value,
            str(source.label),
            totals.get(source.value, 0),
            (totals.get(source.value, 0) / everything) if everything else 0.0,
        )
        for source in Source
    ]
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def conversions(series: list[tuple]) -> dict:
    """Totals of a series and the share of paywall hits that became subscriptions."""
    views = sum(row[1] for row in series)
    paywall = sum(row[2] for row in series)
    subscriptions = sum(row[3] for row in series)
    return {
        "views": views,
        "paywall_hits": paywall,
        "subscriptions": subscriptions,
        "conversion": (subscriptions / paywall) if paywall else None,
    }


def edition_daily_history(*, edition: str, now: datetime, days: int) -> Iterator[tuple]:
    """(day, article id, headline, views, paywall hits, subscriptions) of every article of the
    edition read in the last `days` days, day by day, for the CSV export."""
    first = day_of(now) - timedelta(days=days - 1)
    rows = (
        ArticleHourlyCount.objects.filter(edition=edition, hour__gte=day_start(first))
        .annotate(day=TruncDate("hour"))
        .values("day", "article_id")
        .annotate(views=Sum("views"), paywall=Sum("paywall_hits"), subs=Sum("subscriptions"))
        .order_by("day", "-views", "article_id")
        .values_list("day", "article_id", "views", "paywall", "subs")
    )
    titles: dict[int, str] = {}
    batch: list[tuple] = []
    for row in rows.iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) == 2000:
            yield from _with_titles(batch, titles)
            batch = []
    yield from _with_titles(batch, titles)


def _with_titles(rows: list[tuple], titles: dict[int, str]) -> Iterator[tuple]:
    missing = {row[1] for row in rows} - titles.keys()
    if missing:
        titles.update(newsroom_selectors.article_titles(article_ids=missing))
    for day, article_id, views, paywall, subs in rows:
        yield day, article_id, titles.get(article_id, ""), views, paywall, subs
