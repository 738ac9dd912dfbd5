"""The reader's side: the counting beacon (the "Most viewed" rail is a hole: holes.py)."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import services
from .beacons import beacon_is_valid

# A transparent 1x1 GIF: what an <img> beacon expects back.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


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
