"""The reader-facing ends of access: the article body fragment, heartbeats and "Read here".

They live outside the language prefixes (like /_audience/) and are never cached: every answer
is this reader's. Each speaks the language of the article's edition.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from broadsheet.converters import parse_id

from . import services
from .rendering import body_context, notice_html
from .selectors import ArticleFacts, article_facts, sharing_warning_for

# Longer than any meter period: the cookie names the reader, the store decides what it holds.
READER_COOKIE_SECONDS = 400 * 24 * 3600


def _live_article(article_id: int) -> ArticleFacts:
    article = article_facts(article_id=article_id)
    if article is None:
        raise Http404("No such article")
    return article


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response


def _set_reader_cookie(response: HttpResponse, reader_id: str) -> None:
    response.set_cookie(
        settings.ACCESS_READER_COOKIE,
        services.reader_cookie_value(reader_id),
        max_age=READER_COOKIE_SECONDS,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


@require_GET
def article_body(request: HttpRequest, article_id: int) -> HttpResponse:
    """What this reader may see of the article's body: the body itself, or a wall, the
    paywall or the device notice. Fills the hole the cached article page leaves for it."""
    article = _live_article(article_id)
    now = timezone.now()
    with translation.override(article.language):
        reading = services.reading_decide(
            request=request,
            article_id=article.pk,
            level=article.access_level,
            edition=article.language,
            now=now,
        )
        context = body_context(request=request, article=article, reading=reading, now=now)
        html = render_to_string("access/body.html", context, request=request)
    response = _private(HttpResponse(html))
    response["X-Access"] = reading.decision.show.value
    if reading.new_reader_id:
        _set_reader_cookie(response, reading.new_reader_id)
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


@require_GET
def sharing_warning(request: HttpRequest, language: str) -> HttpResponse:
    """The sharing warning of this reader's seat, if flagged (a hole in members' pages)."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404("No such edition")
    warning = sharing_warning_for(request=request, now=timezone.now())
    html = ""
    if warning is not None:
        with translation.override(language):
            html = render_to_string(
                "access/includes/sharing_warning.html", {"warning": warning}, request=request
            )
    return _private(HttpResponse(html))
