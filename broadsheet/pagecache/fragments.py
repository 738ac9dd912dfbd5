"""Edge Side Includes: fill the holes a cached page leaves for fast-changing fragments.

A page marks a fragment with `{% esi_include url %}` (an `<esi:include src=...>` tag). When
Varnish sits in front it announces `Surrogate-Capability: ...="ESI/1.0"` and fills the holes
itself; otherwise AnonymousPageCacheMiddleware does, here. Each fragment is a plain GET view
whose response is cached (shared by every page that includes it) for its own s-maxage.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.core.cache import cache
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_max_age

from .scopes import SITE_SCOPE, scope_for_path

logger = logging.getLogger(__name__)

ESI_TAG = re.compile(rb'<esi:include src="([^"]+)"\s*/>')
DEFAULT_FRAGMENT_SECONDS = 60


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


def fill_fragments(request: HttpRequest, content: bytes) -> bytes:
    sources = [m.decode() for m in dict.fromkeys(ESI_TAG.findall(content))]
    if not sources:
        return content
    keys = {src: _fragment_key(src) for src in sources}
    found = cache.get_many(list(keys.values()))
    bodies = {}
    for src, key in keys.items():
        if key in found:
            bodies[src] = found[key]
            continue
        body, seconds = _render_fragment(request, src)
        cache.set(key, body, seconds)
        bodies[src] = body
    return ESI_TAG.sub(lambda m: bodies.get(m.group(1).decode(), b""), content)
