"""The reader's side: the counting beacon, and the "Most viewed" rail fragment."""

from __future__ import annotations

import base64

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors, services
from .beacons import beacon_is_valid

# A transparent 1x1 GIF: what an <img> beacon expects back.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
RAIL_WINDOWS = {"24h", "7d"}


@never_cache
@require_safe
def beacon(request: HttpRequest, edition: str, article_id: int, signature: str) -> HttpResponse:
    """Count a view of an article that a page has just shown. Never cached; answers the same
    whether the view counted or not, so that it tells nobody anything about other readers."""
    if edition not in services.editions() or not beacon_is_valid(
        edition=edition, article_id=article_id, signature=signature
    ):
        # A 400, not a 404: a 404 outside the editions is redirected into one by
        # LocaleMiddleware, and this address was made up or mangled, not moved.
        return HttpResponseBadRequest(
            _("This address does not count anything."), content_type="text/plain; charset=utf-8"
        )
    if request.method == "GET":
        services.view_record(
            request=request, article_id=article_id, edition=edition, now=timezone.now()
        )
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def most_viewed(request: HttpRequest) -> HttpResponse:
    """The edition's "Most viewed" rail: a fragment the cached pages include (ESI), shared by
    every reader, fresh within AUDIENCE_RAIL_SECONDS."""
    window = request.GET.get("window", "24h")
    if window not in RAIL_WINDOWS:
        raise Http404(_("There is no such list of the most viewed."))
    edition = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    if edition not in services.editions():
        raise Http404(_("This edition does not exist."))
    items = selectors.most_viewed(
        edition=edition,
        hours=selectors.WINDOWS[window],
        now=timezone.now(),
        limit=settings.AUDIENCE_MOST_VIEWED_SIZE,
    )
    response = render(
        request,
        "audience/most_viewed.html",
        {"items": items, "window": window, "window_label": selectors.WINDOW_LABELS[window]},
    )
    seconds = settings.AUDIENCE_RAIL_SECONDS
    patch_cache_control(response, public=True, max_age=seconds, s_maxage=seconds)
    # The page cache keeps whatever it serves directly for PAGE_CACHE_SECONDS; a fragment must
    # stay fresher, and the page cache never keeps a response that varies by cookie. Varnish
    # drops an anonymous reader's cookies, so there it is one object, kept for s-maxage.
    patch_vary_headers(response, ["Cookie"])
    response["X-Edition"] = edition
    return response
