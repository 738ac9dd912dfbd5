"""Writes of the audience app: counting hits, and the tick that persists, rolls, restores and
prunes. The access and subscriptions apps call `paywall_hit_record` and
`subscription_attribute`; nothing else writes counters."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from broadsheet.accounts.client_ip import client_ip

from . import rules
from .hits import Hit, Kind, Source, day_of, hour_index, hour_start
from .models import ArticleDailySource, ArticleHourlyCount, ReaderMark
from .stores import (
    CounterStore,
    HourCounts,
    SourceCount,
    StoreUnavailableError,
    get_store,
)

logger = logging.getLogger(__name__)

# What a Redis store keeps, and so what a restore gives back and the tick looks at.
LIVE_HOURS = 8 * 24
LIVE_DAYS = 8
# A view can reach the store a little after the tick copied its hour: copy it once more.
LATE_HITS = timedelta(minutes=5)
UPSERT_BATCH = 1000


def editions() -> list[str]:
    return [edition["language"].lower() for edition in settings.BROADSHEET_EDITIONS]


def _dedupe_window() -> timedelta:
    return timedelta(minutes=settings.AUDIENCE_DEDUPE_MINUTES)


# Counting


def reader_is_countable(request: HttpRequest) -> bool:
    """A person looking at the page: not a known bot, not a prefetch or prerender."""
    user_agent = request.headers.get("User-Agent", "")
    extra = tuple(settings.AUDIENCE_EXTRA_BOT_PATTERNS)
    return not rules.is_bot(user_agent, extra_patterns=extra) and not rules.is_speculative(
        request.headers
    )


def _reader_keys(request: HttpRequest, now: datetime) -> tuple[str, str]:
    return rules.reader_keys(
        secret=settings.SECRET_KEY,
        now=now,
        window=_dedupe_window(),
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


def hit_record(*, hit: Hit, store: CounterStore | None = None) -> bool:
    """Count one hit; never raises for a store that is down (the hit is lost, pages go on)."""
    store = store or get_store()
    try:
        return store.record(hit)
    except StoreUnavailableError:
        return False


def view_record(*, request: HttpRequest, article_id: int, edition: str, now: datetime) -> bool:
    """Count a view of the article by the reader who made this (beacon) request.

    `r` in the query is the page's document.referrer as the beacon script saw it (absent when
    the beacon came from a browser without JavaScript); the request's own Referer is the
    article's address, whose campaign markers say whether the reader came from an email.
    """
    if not reader_is_countable(request):
        return False
    host = request.get_host().split(":")[0].lower()
    source = rules.referrer_source(
        referrer=request.GET.get("r"),
        page_url=request.headers.get("Referer", ""),
        own_hosts=frozenset({host}),
    )
    current, previous = _reader_keys(request, now)
    return hit_record(
        hit=Hit(
            article_id=article_id,
            edition=edition,
            at=now,
            reader_key=current,
            previous_reader_key=previous,
            kind=Kind.VIEW,
            source=source,
        )
    )


def paywall_hit_record(
    *, request: HttpRequest, article_id: int, edition: str, now: datetime
) -> bool:
    """The reader met the paywall on this article (for the access app to call when it shows
    the wall). Counted once per reader and article within the reload window."""
    if not reader_is_countable(request):
        return False
    current, previous = _reader_keys(request, now)
    return hit_record(
        hit=Hit(
            article_id=article_id,
            edition=edition,
            at=now,
            reader_key=current,
            previous_reader_key=previous,
            kind=Kind.PAYWALL,
        )
    )


def subscription_attribute(
    *, article_id: int, edition: str, subscription_ref: str, now: datetime
) -> bool:
    """A subscription that started from this article's paywall (for the subscriptions app to
    call when the subscription becomes active, e.g. from the checkout's webhook). Counted once
    per subscription reference within the reload window, so a webhook delivered twice counts
    once."""
    return hit_record(
        hit=Hit(
            article_id=article_id,
            edition=edition,
            at=now,
            reader_key=f"sub-{subscription_ref}"[:64],
            kind=Kind.SUBSCRIBE,
            source=Source.UNKNOWN,
        )
    )


# The tick


def audience_tick(*, now: datetime) -> dict:
    """Run every minute: per edition, restore a store that lost its data, move its windows
    and copy its recent hours to the history; then prune. Safe to run twice at once."""
    store = get_store()
    result: dict = {"store": store.name, "editions": {}}
    for edition in editions():
        try:
            result["editions"][edition] = _edition_tick(store=store, edition=edition, now=now)
        except StoreUnavailableError as error:
            logger.warning("audience tick: %s unavailable for %s: %s", store.name, edition, error)
            result["editions"][edition] = {"error": "store unavailable"}
    result["pruned"] = history_prune(now=now)
    return result


def _edition_tick(*, store: CounterStore, edition: str, now: datetime) -> dict:
    if store.is_history:
        return {"persisted_hours": 0}
    restored = False
    if not store.is_complete(edition=edition):
        restored = store_restore(store=store, edition=edition, now=now)
    store.roll(edition=edition, now=now)
    hours, rows = history_persist(store=store, edition=edition, now=now)
    return {"restored": restored, "persisted_hours": hours, "persisted_rows": rows}


def store_restore(*, store: CounterStore, edition: str, now: datetime) -> bool:
    """Give a store that lost its data (a Redis flush) its recent history back."""
    first_hour = hour_index(now) - LIVE_HOURS
    hours = [
        HourCounts(
            row.article_id, hour_index(row.hour), row.views, row.paywall_hits, row.subscriptions
        )
        for row in ArticleHourlyCount.objects.filter(
            edition=edition, hour__gte=hour_start(first_hour)
        ).iterator(chunk_size=5000)
    ]
    sources = [
        SourceCount(row.article_id, row.day, row.source, row.views)
        for row in ArticleDailySource.objects.filter(
            edition=edition, day__gte=day_of(now) - timedelta(days=LIVE_DAYS)
        ).iterator(chunk_size=5000)
    ]
    restored = store.restore(edition=edition, hours=hours, sources=sources, now=now)
    if restored:
        logger.info(
            "audience counters of %s restored from history: %s hours, %s sources",
            edition,
            len(hours),
            len(sources),
        )
    return restored


def history_persist(*, store: CounterStore, edition: str, now: datetime) -> tuple[int, int]:
    """Copy the store's hours since the last copy (and the current one) to the history.

    The values copied are the store's totals, not increments: copying an hour twice, or from
    two ticks at once, leaves the same rows. Returns (hours looked at, rows written).
    """
    current = hour_index(now)
    latest = ArticleHourlyCount.objects.filter(edition=edition).aggregate(last=Max("hour"))["last"]
    first = current - LIVE_HOURS
    if latest is not None:
        first = max(first, min(hour_index(latest), hour_index(now - LATE_HITS)) - 1)
    latest_day = ArticleDailySource.objects.filter(edition=edition).aggregate(last=Max("day"))[
        "last"
    ]
    today = day_of(now)
    first_day = today - timedelta(days=LIVE_DAYS)
    if latest_day is not None:
        first_day = max(first_day, min(latest_day, day_of(now - LATE_HITS)) - timedelta(days=1))
    hours = range(first, current + 1)
    days = [first_day + timedelta(days=n) for n in range((today - first_day).days + 1)]
    snapshot = store.hours_snapshot(edition=edition, hours=hours, days=days)
    if snapshot is None:
        return 0, 0
    counts, sources = snapshot
    written = _upsert_hours(edition, [row for rows in counts.values() for row in rows])
    written += _upsert_sources(edition, sources)
    return len(hours), written


def _upsert_hours(edition: str, rows: list[HourCounts]) -> int:
    objects = [
        ArticleHourlyCount(
            article_id=row.article_id,
            edition=edition,
            hour=hour_start(row.hour),
            views=row.views,
            paywall_hits=row.paywall_hits,
            subscriptions=row.subscriptions,
        )
        for row in rows
    ]
    return _bulk_upsert(
        ArticleHourlyCount,
        objects,
        unique_fields=["article_id", "hour"],
        update_fields=["edition", "views", "paywall_hits", "subscriptions"],
    )


def _upsert_sources(edition: str, rows: list[SourceCount]) -> int:
    objects = [
        ArticleDailySource(
            article_id=row.article_id,
            edition=edition,
            day=row.day,
            source=row.source,
            views=row.views,
        )
        for row in rows
    ]
    return _bulk_upsert(
        ArticleDailySource,
        objects,
        unique_fields=["article_id", "day", "source"],
        update_fields=["edition", "views"],
    )


def _bulk_upsert(model, objects: list, *, unique_fields: list[str], update_fields: list[str]):
    """Write absolute values: a row copied twice, or by two ticks at once, ends the same."""
    for start in range(0, len(objects), UPSERT_BATCH):
        with transaction.atomic():
            model.objects.bulk_create(
                objects[start : start + UPSERT_BATCH],
                update_conflicts=True,
                unique_fields=unique_fields,
                update_fields=update_fields,
            )
    return len(objects)


def history_prune(*, now: datetime) -> dict:
    """Drop expired reload windows and history older than AUDIENCE_HISTORY_DAYS."""
    pruned = {"marks": ReaderMark.objects.filter(expires_at__lte=now).delete()[0]}
    days = settings.AUDIENCE_HISTORY_DAYS
    if days > 0:
        cutoff = now - timedelta(days=days)
        pruned["hours"] = ArticleHourlyCount.objects.filter(hour__lt=cutoff).delete()[0]
        pruned["sources"] = ArticleDailySource.objects.filter(day__lt=cutoff.date()).delete()[0]
    return pruned
