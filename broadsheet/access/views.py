"""The reader-facing ends of access besides its holes (holes.py): heartbeats and "Read here".

They live outside the language prefixes (like /_audience/) and are never cached: every answer
is this reader's. Each speaks the language of the article's edition.
"""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from broadsheet.converters import parse_id

from . import services
from .rendering import notice_html
from .selectors import ArticleFacts, article_facts


def _live_article(article_id: int) -> ArticleFacts:
    article = article_facts(article_id=article_id)
    if article is None:
        raise Http404("No such article")
    return article


R = TypeVar("R", bound=HttpResponse)


def _private(response: R) -> R:
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_POST
def heartbeat(request: HttpRequest) -> JsonResponse:
    """An open article page, every ACCESS_HEARTBEAT_SECONDS while visible: still reading?"""
    try:
        article_id = parse_id(request.POST.get("article", ""))
        fence = int(request.POST.get("fence", ""))
    except ValueError:
        return _private(JsonResponse({"error": "article and fence must be numbers"}, status=400))
    article = _live_article(article_id)
    now = timezone.now()
    outcome = services.slot_heartbeat(request=request, fence=fence, now=now)
    if outcome is None:
        return _private(JsonResponse({"state": "none"}))
    if not outcome.available or outcome.held:
        return _private(JsonResponse({"state": "reading", "fence": outcome.fence}))
    with translation.override(article.language):
        html = notice_html(request=request, article=article, slot=outcome, now=now)
    return _private(JsonResponse({"state": "notice", "html": html}))


@require_POST
def take_over(request: HttpRequest) -> HttpResponse:
    """ "Read here": take the seat's slot on this device, then back to the article."""
    try:
        article = _live_article(parse_id(request.POST.get("article", "")))
    except ValueError as error:
        raise Http404("No such article") from error
    services.slot_take_over(request=request, now=timezone.now())
    target = request.POST.get("next") or article.url
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = article.url
    return _private(redirect(target))
