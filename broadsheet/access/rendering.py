"""What the body fragment and the notices show, around the decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from broadsheet.accounts.sessions import signed_in_reader
from broadsheet.newsroom import selectors as newsroom_selectors
from broadsheet.subscriptions.models import PlanKind
from broadsheet.subscriptions.selectors import entitlement_for, plan_list_for_sale

from .devices import device_name
from .rules import Show, SlotOutcome
from .selectors import ArticleFacts
from .services import Reading

BODY_CACHE_SECONDS = 3600
PLANS_CACHE_SECONDS = 60


def body_cache_key(article_id: int) -> str:
    return f"access:body:v2:{article_id}"


def body_html(
    *, request: HttpRequest, article: ArticleFacts, cached: tuple[int, str] | None = None
) -> str:
    """The article's rendered body, kept per published revision: every reader allowed to read
    it gets the same HTML, and rendering a StreamField costs more than the rest of the hole.
    `cached` is what the cache held under body_cache_key, when the caller fetched it already."""
    key = body_cache_key(article.pk)
    if cached is None:
        cached = cache.get(key)
    if cached is not None and cached[0] == article.revision:
        return mark_safe(cached[1])  # noqa: S308 -- our own template's output, cached as rendered
    page = newsroom_selectors.article_with_body(article_id=article.pk)
    html = render_to_string("access/includes/inline_body.html", {"page": page}, request=request)
    cache.set(key, (article.revision, html), BODY_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 -- as above


def plans_for_sale(*, locale_id: int) -> list:
    """The edition's plans for the paywall, shown to every reader who meets it: kept a minute."""
    key = f"access:plans:v1:{locale_id}"
    plans = cache.get(key)
    if plans is None:
        plans = plan_list_for_sale(locale_id=locale_id)
        cache.set(key, plans, PLANS_CACHE_SECONDS)
    return plans


def notice_context(
    *, article: ArticleFacts, slot: SlotOutcome, plan_kind: str, now: datetime
) -> dict:
    seen = slot.holder_seen
    return {
        # "active 0 minutes ago" reads oddly: within the last minute is "just now".
        "just_now": seen is None or (now - seen).total_seconds() < 60,
        "article": article,
        "holder_name": device_name(slot.holder_device),
        "holder_seen": slot.holder_seen,
        "plan_kind": plan_kind,
        "premium": plan_kind == PlanKind.PREMIUM,
        "business": plan_kind == PlanKind.BUSINESS,
        "digital": plan_kind == PlanKind.DIGITAL,
    }


T = TypeVar("T")


def _required(value: T | None) -> T:
    """A value the decision guarantees (e.g. the slot of a device notice)."""
    assert value is not None
    return value


def body_context(
    *, request: HttpRequest, article: ArticleFacts, reading: Reading, now: datetime
) -> dict:
    show = reading.decision.show
    context: dict[str, Any] = {
        "article": article,
        "show": show.value,
        "next": article.url,
    }
    if show is Show.BODY:
        context["body_html"] = body_html(request=request, article=article)
        if reading.meter is not None and reading.meter.available:
            context["meter"] = reading.meter
        if reading.slot is not None and reading.slot.held:
            context["heartbeat"] = {
                "fence": reading.slot.fence,
                "seconds": settings.ACCESS_HEARTBEAT_SECONDS,
            }
    elif show is Show.DEVICE_NOTICE:
        context.update(
            notice_context(
                article=article,
                # A device notice is only decided for an entitled reader, after the slot said.
                slot=_required(reading.slot),
                plan_kind=_required(reading.entitlement).plan_kind,
                now=now,
            )
        )
    elif show in (Show.PAYWALL, Show.REGISTRATION_WALL, Show.METER_UNAVAILABLE):
        context["meter"] = reading.meter
        context["signed_in"] = reading.entitlement is not None or bool(signed_in_reader(request))
        context["registered_limit"] = settings.ACCESS_REGISTERED_METER
        if show is Show.PAYWALL:
            context["plans"] = plans_for_sale(locale_id=article.locale_id)
    return context


def notice_html(
    *, request: HttpRequest, article: ArticleFacts, slot: SlotOutcome, now: datetime
) -> str:
    entitlement = entitlement_for(request.user, now=now)
    context = notice_context(
        article=article,
        slot=slot,
        plan_kind=entitlement.plan_kind if entitlement else "",
        now=now,
    )
    context["next"] = article.url
    return render_to_string("access/includes/device_notice.html", context, request=request)
