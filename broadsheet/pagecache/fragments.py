"""Edge Side Includes: fill the holes a cached page leaves for fast-changing fragments.

A page marks a fragment with `{% esi_include url %}` (an `<esi:include src=...>` tag). When
Varnish sits in front it announces `Surrogate-Capability: ...="ESI/1.0"` and fills the holes
itself; otherwise AnonymousPageCacheMiddleware does, here. Each fragment is a plain GET view
whose response is cached (shared by every page that includes it) for its own s-maxage.

Private fragments (paths under settings.PAGE_CACHE_PRIVATE_FRAGMENT_PREFIXES: the article body
that access decides per reader) are never cached: their view runs with the reader's own request
(its cookies, and its user when the page was not served from the cache, which only happens for
signed-out readers), and the cookies it sets go out with the page.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_max_age
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .scopes import SITE_SCOPE, scope_for_path

logger = logging.getLogger(__name__)

ESI_TAG = re.compile(rb'<esi:include src="([^"]+)"\s*/>')
DEFAULT_FRAGMENT_SECONDS = 60


def esi_tag(src: str) -> SafeString:
    return format_html('<esi:include src="{}"/>', src)


def is_private_fragment(src: str) -> bool:
    return src.startswith(tuple(settings.PAGE_CACHE_PRIVATE_FRAGMENT_PREFIXES))


def surrogate_handles_esi(request: HttpRequest) -> bool:
    return "ESI/1.0" in request.headers.get("Surrogate-Capability", "")


def _fragment_key(src: str) -> str:
    return "pagecache:fragment:" + hashlib.blake2b(src.encode(), digest_size=16).hexdigest()


def _render_fragment(request: HttpRequest, src: str) -> tuple[bytes, int]:
    """Run the fragment's view as a GET of its own; returns its body and cache seconds."""
    path, _, query = src.partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        logger.warning("ESI fragment %s does not resolve", src)
        return b"", DEFAULT_FRAGMENT_SECONDS
    sub_request = RequestFactory().get(path, data=None, QUERY_STRING=query)
    sub_request.META["HTTP_HOST"] = request.get_host()
    sub_request.META["SERVER_PORT"] = request.META.get("SERVER_PORT", "80")
    if request.is_secure():
        sub_request.META["wsgi.url_scheme"] = "https"
    language = translation.get_language()
    scope = scope_for_path(path)
    if scope != SITE_SCOPE:
        # Middleware does not run for the sub-request: speak the fragment's edition language.
        translation.activate(scope)
        sub_request.LANGUAGE_CODE = scope
    try:
        response = match.func(sub_request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
    finally:
        if language:
            translation.activate(language)
        else:
            translation.deactivate()
    if response.status_code != 200:
        return b"", DEFAULT_FRAGMENT_SECONDS
    return response.content, get_max_age(response) or DEFAULT_FRAGMENT_SECONDS


def _render_private_fragment(request: HttpRequest, src: str) -> HttpResponse | None:
    """Run a private fragment's view with the reader's own request (a GET like the page)."""
    path = src.partition("?")[0]
    try:
        match = resolve(path)
    except Resolver404:
        logger.warning("private ESI fragment %s does not resolve", src)
        return None
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    return response


def fill_fragments(request: HttpRequest, content: bytes) -> tuple[bytes, list[HttpResponse]]:
    """The page with its holes filled, and the responses of its private fragments (whose
    cookies the page must carry, and which make the page private)."""
    sources = [m.decode() for m in dict.fromkeys(ESI_TAG.findall(content))]
    if not sources:
        return content, []
    bodies = {}
    private_responses = []
    for src in sources:
        if is_private_fragment(src):
            response = _render_private_fragment(request, src)
            ok = response is not None and response.status_code == 200
            bodies[src] = response.content if ok else b""
            if response is not None:
                private_responses.append(response)
    keys = {src: _fragment_key(src) for src in sources if src not in bodies}
    found = cache.get_many(list(keys.values())) if keys else {}
    for src, key in keys.items():
        if key in found:
            bodies[src] = found[key]
            continue
        body, seconds = _render_fragment(request, src)
        cache.set(key, body, seconds)
        bodies[src] = body
    filled = ESI_TAG.sub(lambda m: bodies.get(m.group(1).decode(), b""), content)
    return filled, private_responses
