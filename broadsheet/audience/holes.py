"""The "Most viewed" rail: a shared hole of the edition's pages, fresher than the page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from broadsheet.pagecache.holes import Filled, HoleRequestError, hole

from . import selectors, services

RAIL_WINDOWS = {"24h", "7d"}


@hole(
    "most-viewed",
    private=False,
    params=("window",),
    seconds=lambda: settings.AUDIENCE_RAIL_SECONDS,
)
def most_viewed(request: HttpRequest, *, window: str) -> Filled:
    """The edition's "Most viewed" rail over `window`, the same for every reader."""
    window = window or "24h"
    if window not in RAIL_WINDOWS:
        raise HoleRequestError("window must be 24h or 7d")
    edition = (get_language() or settings.LANGUAGE_CODE).lower()
    if edition not in services.editions():
        raise HoleRequestError("no such edition")
    items = selectors.most_viewed(
        edition=edition,
        hours=selectors.WINDOWS[window],
        now=timezone.now(),
        limit=settings.AUDIENCE_MOST_VIEWED_SIZE,
    )
    html = render_to_string(
        "audience/most_viewed.html",
        {"items": items, "window": window, "window_label": selectors.WINDOW_LABELS[window]},
    )
    return Filled(html=html)
