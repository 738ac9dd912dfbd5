"""The reader's holes in cached pages: an article's body, and the sharing warning.

Each is answered per reader by calling it directly (broadsheet.pagecache.holes), with no
middleware and no URL resolving: the reader comes from the request's cookies, the decision from
one store call, and the body from the cache of rendered bodies. Only what a reader rarely meets
(the device notice) is rendered from a template per request; walls are kept rendered a minute.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext

from broadsheet.accounts.sessions import prefetched
from broadsheet.converters import parse_id
from broadsheet.pagecache.holes import Filled, HoleRequestError, hole

from . import services
from .rendering import body_cache_key, body_context, body_html
from .rules import Show
from .selectors import (
    ArticleFacts,
    article_facts,
    article_facts_cache_key,
    sharing_warning_for,
    sharing_warning_for_seat,
)
from .services import Reading

# Walls are the same for every reader who meets them on an article (signed in or not).
WALL_SECONDS = 60


def article_id_parse(raw: str) -> int:
    try:
        return parse_id(raw)
    except ValueError as error:
        raise HoleRequestError("article must be a positive whole number") from error


@hole("article-body", private=True, params=("article",))
def article_body(request: HttpRequest, *, article: str) -> Filled:
    """What this reader may see of the article's body: the body itself, or a wall, the
    paywall or the device notice."""
    article_id = article_id_parse(article)
    # The article's facts and its rendered body in the round trip that reads the session (a
    # signed-in reader's facts and entitlement come in a second one).
    facts_key, body_key = article_facts_cache_key(article_id), body_cache_key(article_id)
    services.reader_prefetch(request, keys=[facts_key, body_key])
    facts = article_facts(article_id=article_id, cached=prefetched(request, facts_key))
    if facts is None:
        return Filled(html="")
    now = timezone.now()
    reading = services.reading_decide(
        request=request,
        article_id=facts.pk,
        level=facts.access_level,
        edition=facts.language,
        now=now,
    )
    show = reading.decision.show
    if show is Show.BODY:
        html = _body(request, facts, reading, cached_body=prefetched(request, body_key))
    elif show is Show.DEVICE_NOTICE:
        html = _rendered(request, facts, reading, now=now)
    else:
        html = _wall(request, facts, reading, now=now)
    # The page leaves its sharing warning to this hole (templatetags.access.body_is_hole).
    html = _sharing_warning_html(reading, now=now) + html
    minted = services.reader_id_minted(request)
    return Filled(
        html=html,
        headers={"X-Access": show.value},
        on_response=(lambda response: services.reader_cookie_set(response, minted))
        if minted
        else None,
    )


def _body(request: HttpRequest, facts: ArticleFacts, reading: Reading, *, cached_body) -> str:
    parts: list[str] = []
    meter = reading.meter
    if meter is not None and meter.available and not meter.already_counted:
        note = ngettext(
            "You have %(remaining)s free article left of %(limit)s.",
            "You have %(remaining)s free articles left of %(limit)s.",
            meter.remaining,
        ) % {"remaining": meter.remaining, "limit": meter.limit}
        parts.append(format_html('<p class="meter-note" role="status">{}</p>', note))
    parts.append(body_html(request=request, article=facts, cached=cached_body))
    slot = reading.slot
    if slot is not None and slot.held:
        parts.append(
            format_html(
                '<span hidden class="access-heartbeat" data-article="{}" data-fence="{}" '
                'data-seconds="{}" data-url="{}" data-csrf="{}"></span>',
                facts.pk,
                slot.fence,
                settings.ACCESS_HEARTBEAT_SECONDS,
                reverse("access:heartbeat"),
                _csrf_token(request),
            )
        )
    return "".join(parts)


def _wall(request: HttpRequest, facts: ArticleFacts, reading: Reading, *, now) -> str:
    signed_in = services.request_reader(request) is not None
    key = (
        f"access:wall:v1:{facts.pk}:{facts.revision}:{get_language()}:"
        f"{reading.decision.show.value}:{int(signed_in)}"
    )
    html = cache.get(key)
    if html is None:
        html = _rendered(request, facts, reading, now=now)
        cache.set(key, html, WALL_SECONDS)
    return html


def _rendered(request: HttpRequest, facts: ArticleFacts, reading: Reading, *, now) -> str:
    context = body_context(request=request, article=facts, reading=reading, now=now)
    if reading.decision.show is Show.DEVICE_NOTICE:
        context["csrf_token"] = _csrf_token(request)
    return render_to_string("access/body.html", context)


def _csrf_token(request: HttpRequest) -> str:
    """The reader's CSRF token for the forms of a hole (heartbeat, "Read here"): read from
    their cookie as CsrfViewMiddleware would, which a hole answered directly skipped."""
    if "CSRF_COOKIE" not in request.META:
        CsrfViewMiddleware(lambda _request: HttpResponse()).process_request(request)
    return get_token(request)


def _sharing_warning_html(reading: Reading, *, now) -> str:
    if reading.entitlement is None:
        return ""
    warning = sharing_warning_for_seat(entitlement=reading.entitlement, now=now)
    if warning is None:
        return ""
    return render_to_string("access/includes/sharing_warning.html", {"warning": warning})


@hole("sharing-warning", private=True)
def sharing_warning(request: HttpRequest) -> Filled:
    """The sharing warning of this reader's seat, if flagged (a hole in members' pages whose
    body is not a hole)."""
    warning = sharing_warning_for(request=request, now=timezone.now())
    if warning is None:
        return Filled(html="")
    return Filled(
        html=render_to_string("access/includes/sharing_warning.html", {"warning": warning})
    )
