"""Reads of access: the sharing warning, the other device's name, the staff view's figures."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest

from broadsheet.newsroom import selectors as newsroom_selectors
from broadsheet.subscriptions.selectors import Entitlement

from . import rules
from .models import CountKind, DailyCount, SharingFlag, Takeover
from .services import (
    pending_counts,
    plan_upgraded,
    request_entitlement,
    sharing_flag_cache_key,
)
from .stores import StoreUnavailableError, get_store

FLAG_CACHE_SECONDS = 300
# Publishing drops an article's facts at once (signals.py); this bounds anything else, such as
# a view restriction added in the admin.
ARTICLE_FACTS_SECONDS = 60
_MISSING = "missing"


@dataclass(frozen=True)
class ArticleFacts:
    """What the body fragment needs to know of an article, without loading it."""

    pk: int
    access_level: str
    language: str
    locale_id: int
    url: str
    revision: int


def article_facts_cache_key(article_id: int) -> str:
    return f"access:article:v1:{article_id}"


_UNFETCHED = object()


def article_facts(*, article_id: int, cached=_UNFETCHED) -> ArticleFacts | None:
    """The live, public article's facts, from the cache: every metered or gated reading asks,
    and the lookup (Wagtail's view restrictions included) costs two queries. `cached` is what
    the cache held under article_facts_cache_key, when the caller fetched it already."""
    key = article_facts_cache_key(article_id)
    if cached is _UNFETCHED:
        cached = cache.get(key)
    if cached == _MISSING:
        return None
    if cached is not None:
        return ArticleFacts(*cached)
    article = newsroom_selectors.article_public_live(article_id=article_id)
    if article is None:
        cache.set(key, _MISSING, ARTICLE_FACTS_SECONDS)
        return None
    facts = ArticleFacts(
        pk=article.pk,
        access_level=article.access_level,
        language=article.locale.language_code.lower(),
        locale_id=article.locale_id,
        url=article.url,
        revision=article.live_revision_id or 0,
    )
    cache.set(key, astuple(facts), ARTICLE_FACTS_SECONDS)
    return facts


_NO_FLAG = "none"


@dataclass(frozen=True)
class SharingWarning:
    seat_id: int
    plan_kind: str
    flagged_at: datetime


def sharing_warning_for(*, request: HttpRequest, now: datetime) -> SharingWarning | None:
    """The warning every page shows, on every device of a seat flagged as shared."""
    entitlement = request_entitlement(request, now=now)
    if entitlement is None:
        return None
    return sharing_warning_for_seat(entitlement=entitlement, now=now)


def sharing_warning_for_seat(*, entitlement: Entitlement, now: datetime) -> SharingWarning | None:
    key = sharing_flag_cache_key(entitlement.seat_id)
    cached = cache.get(key)
    if cached is None:
        flag = (
            SharingFlag.objects.filter(seat_id=entitlement.seat_id, ended_at=None)
            .values_list("plan_kind", "flagged_at", "last_takeover_at")
            .first()
        )
        cached = flag if flag is not None else _NO_FLAG
        cache.set(key, cached, FLAG_CACHE_SECONDS)
    if cached == _NO_FLAG:
        return None
    plan_kind, flagged_at, last_takeover_at = cached
    cooling = timedelta(days=settings.ACCESS_SHARING_COOLING_DAYS)
    if rules.sharing_cooled(last_takeover_at=last_takeover_at, now=now, cooling=cooling):
        return None
    if plan_upgraded(plan_kind, entitlement.plan_kind):
        return None
    return SharingWarning(seat_id=entitlement.seat_id, plan_kind=plan_kind, flagged_at=flagged_at)


def slot_holder_for(*, request: HttpRequest, now: datetime) -> str:
    """Which of this reader's devices holds their seat's slot now ("" when none, or unknown)."""
    entitlement = request_entitlement(request, now=now)
    if entitlement is None:
        return ""
    try:
        device, _fence, seen = get_store().slot_holder(seat_id=entitlement.seat_id)
    except StoreUnavailableError:
        return ""
    lease = timedelta(seconds=settings.ACCESS_SLOT_LEASE_SECONDS)
    if not device or seen is None or now >= seen + lease:
        return ""
    return device


# The staff view


def flag_list_open() -> list[SharingFlag]:
    return list(
        SharingFlag.objects.filter(ended_at=None)
        .select_related("seat__user", "seat__subscription__plan")
        .order_by("-last_takeover_at")
    )


def flag_list_recent(*, limit: int = 50) -> list[SharingFlag]:
    return list(
        SharingFlag.objects.exclude(ended_at=None)
        .select_related("seat__user", "ended_by")
        .order_by("-ended_at")[:limit]
    )


def takeover_list_for_seat(*, seat_id: int, limit: int = 100) -> list[Takeover]:
    return list(Takeover.objects.filter(seat_id=seat_id).order_by("-at", "-pk")[:limit])


def takeover_list_recent(*, limit: int = 50) -> list[Takeover]:
    return list(Takeover.objects.select_related("seat__user").order_by("-at", "-pk")[:limit])


def _daily_counts(*, since: datetime) -> dict[tuple, int]:
    """(day, kind) -> count, written and still pending in the cache, since that day."""
    from django.utils import timezone

    counts: dict[tuple, int] = {}
    for kind, day, count in DailyCount.objects.filter(day__gte=since.date()).values_list(
        "kind", "day", "count"
    ):
        counts[(day, kind)] = counts.get((day, kind), 0) + count
    for (day, kind), count in pending_counts(now=timezone.now()).items():
        if day >= since.date():
            counts[(day, kind)] = counts.get((day, kind), 0) + count
    return counts


def counts_by_day(*, since: datetime) -> dict[str, list[tuple]]:
    """Per kind: (day, count) for each day since `since` that had any."""
    series: dict[str, list[tuple]] = {kind: [] for kind in CountKind.values}
    for (day, kind), count in sorted(_daily_counts(since=since).items()):
        series.setdefault(kind, []).append((day, count))
    return series


def count_totals(*, since: datetime) -> dict[str, int]:
    totals = {kind: 0 for kind in CountKind.values}
    for (_day, kind), count in _daily_counts(since=since).items():
        totals[kind] = totals.get(kind, 0) + count
    return totals


def flag_conversions(*, since: datetime) -> dict[str, int]:
    """Flags opened since then, and how many of them ended in an upgrade."""
    flags = SharingFlag.objects.filter(flagged_at__gte=since)
    return {
        "flagged": flags.count(),
        "upgraded": flags.filter(end_reason="upgraded").count(),
    }


def takeovers_by_day(*, since: datetime) -> list[tuple]:
    return list(
        Takeover.objects.filter(at__gte=since)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
        .values_list("day", "n")
    )
