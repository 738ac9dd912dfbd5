"""Holes: the named parts of a cached page that are filled per request.

A page is cached whole, the same for everyone who asks; what changes faster than the page (the
"Most viewed" rails) or belongs to one reader (an article's body under the paywall, the sharing
warning) is a hole. A hole is a registered callable, named, that returns its HTML from the
request and a few string parameters, without the middleware stack and without resolving a URL:

    @hole("most-viewed", private=False, seconds=60)
    def most_viewed(request, *, lang, window): ...

A template puts one in a page with `hole_tag(request, name, lang=..., window=...)`, which leaves
an `<esi:include src="/_holes/<shared|private>/<name>/?...">` and records the hole on the
request. Both ways of filling it call the same function:
- Varnish in front: it fetches the include's URL; HoleMiddleware (early in MIDDLEWARE) answers
  it by calling the hole directly (`hole_response`).
- No Varnish: AnonymousPageCacheMiddleware fills each hole the page recorded (`fill_page`),
  keeping shared holes in the fragment cache for their `seconds`.
Private holes (under /_holes/private/) are never cached anywhere and get the reader's cookies;
a page that carries one is private to that reader once filled.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

HOLES_PREFIX = "/_holes/"
PRIVATE_PREFIX = HOLES_PREFIX + "private/"
SHARED_PREFIX = HOLES_PREFIX + "shared/"
# The request attribute where a rendering page lists the holes it left.
PAGE_HOLES_ATTRIBUTE = "page_holes"


@dataclass(frozen=True)
class Filled:
    """What a hole answers: its HTML, and headers the page that carries it should have too
    (private holes only: e.g. X-Access, the access decision, for logs and tests)."""

    html: str
    headers: Mapping[str, str] = field(default_factory=dict)
    # Anything else the response that carries the hole must do (set the reader's cookie).
    on_response: Callable[[HttpResponse], None] | None = None


HoleFunction = Callable[..., Filled]


@dataclass(frozen=True)
class Hole:
    name: str
    function: HoleFunction
    private: bool
    # Shared holes: how long a filled hole may be kept (the fragment cache, Varnish); a
    # callable is asked each time (a setting).
    seconds: int | Callable[[], int]
    # The parameters it takes; anything else in a request for it is ignored.
    params: tuple[str, ...]

    def lifetime(self) -> int:
        return self.seconds() if callable(self.seconds) else self.seconds

    def fill(self, request: HttpRequest, params: Mapping[str, str]) -> Filled:
        language = params.get("lang", "")
        if language not in _language_codes():
            raise HoleRequestError("unknown edition language")
        with translation.override(language):
            return self.function(request, **{name: params.get(name, "") for name in self.params})


class HoleRequestError(ValueError):
    """A request for a hole that cannot be answered (unknown name, bad parameters)."""


REGISTRY: dict[str, Hole] = {}


def hole(
    name: str,
    *,
    private: bool,
    params: Iterable[str] = (),
    seconds: int | Callable[[], int] = 0,
):
    """Register a hole. `params` are its keyword arguments besides the request; every hole
    also gets the page's language as `lang` (active while it runs)."""

    def register(function: HoleFunction) -> HoleFunction:
        if name in REGISTRY:
            raise ValueError(f"hole {name!r} is registered twice")
        REGISTRY[name] = Hole(
            name=name,
            function=function,
            private=private,
            seconds=seconds,
            params=tuple(params),
        )
        return function

    return register


@dataclass(frozen=True)
class PlacedHole:
    """One hole as a page carries it: the registered hole, its parameters, and the exact
    include tag left in the page (which Varnish reads, and the page cache splits the page at)."""

    hole: Hole
    params: tuple[tuple[str, str], ...]
    tag: bytes

    @property
    def src(self) -> str:
        prefix = PRIVATE_PREFIX if self.hole.private else SHARED_PREFIX
        return f"{prefix}{self.hole.name}/?{urlencode(self.params)}"


def hole_tag(request: HttpRequest | None, name: str, **params: str) -> SafeString:
    """Leave the named hole in the page being rendered for this request."""
    registered = REGISTRY[name]
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    values = tuple(sorted({"lang": language, **{k: str(v) for k, v in params.items()}}.items()))
    placed = PlacedHole(hole=registered, params=values, tag=b"")
    # Not HTML-escaped: Varnish reads src as it stands, and urlencode leaves nothing in it
    # that could end the attribute (quotes and angle brackets come out %-encoded).
    tag = mark_safe(f'<esi:include src="{placed.src}"/>')  # noqa: S308
    placed = PlacedHole(hole=registered, params=values, tag=tag.encode())
    if request is not None:
        holes = getattr(request, PAGE_HOLES_ATTRIBUTE, None)
        if holes is None:
            holes = []
            setattr(request, PAGE_HOLES_ATTRIBUTE, holes)
        if placed not in holes:
            holes.append(placed)
    return tag


def page_holes(request: HttpRequest) -> list[PlacedHole]:
    return getattr(request, PAGE_HOLES_ATTRIBUTE, None) or []


def has_private_hole(holes: Iterable[PlacedHole]) -> bool:
    return any(placed.hole.private for placed in holes)


def shared_cache_key(placed: PlacedHole) -> str:
    digest = hashlib.blake2b(placed.src.encode(), digest_size=16).hexdigest()
    return "pagecache:hole:" + digest


def fill_page(request: HttpRequest, response: HttpResponse, holes: list[PlacedHole]) -> None:
    """Fill each of the page's holes in the response. Shared holes come from the fragment
    cache (one round trip for all of them), else are filled and kept for their seconds; a
    private hole makes the page this reader's own (never stored downstream)."""
    content = response.content
    shared = [placed for placed in holes if not placed.hole.private]
    keys = {placed: shared_cache_key(placed) for placed in shared}
    found = cache.get_many(list(keys.values())) if keys else {}
    bodies: dict[bytes, bytes] = {}
    private: list[Filled] = []
    for placed in holes:
        if placed.hole.private:
            filled = _fill_or_empty(request, placed)
            private.append(filled)
            bodies[placed.tag] = filled.html.encode()
        elif keys[placed] in found:
            bodies[placed.tag] = found[keys[placed]]
        else:
            body = _fill_or_empty(request, placed).html.encode()
            cache.set(keys[placed], body, placed.hole.lifetime())
            bodies[placed.tag] = body
    for tag, body in bodies.items():
        content = content.replace(tag, body)
    response.content = content
    if response.has_header("Content-Length"):
        # CommonMiddleware measured the page with its holes; measure it filled.
        response["Content-Length"] = str(len(content))
    if private:
        _make_private(response, private)


def _make_private(response: HttpResponse, filled: list[Filled]) -> None:
    for one in filled:
        for name, value in one.headers.items():
            response[name] = value
        if one.on_response is not None:
            one.on_response(response)
    if "Cache-Control" in response:
        del response["Cache-Control"]
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])


def _fill_or_empty(request: HttpRequest, placed: PlacedHole) -> Filled:
    try:
        return placed.hole.fill(request, dict(placed.params))
    except HoleRequestError as error:
        logger.warning("hole %s cannot be filled: %s", placed.src, error)
        return Filled(html="")


def hole_response(request: HttpRequest) -> HttpResponse:
    """Answer a front proxy's request for one hole (/_holes/<shared|private>/<name>/)."""
    path = request.path
    private = path.startswith(PRIVATE_PREFIX)
    prefix = PRIVATE_PREFIX if private else SHARED_PREFIX
    name = path[len(prefix) :].strip("/") if path.startswith(prefix) else ""
    registered = REGISTRY.get(name)
    if registered is None or registered.private != private:
        return _plain(HttpResponse("No such hole.", status=404, content_type="text/plain"))
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse("Holes are read with GET.", status=405, content_type="text/plain")
        response["Allow"] = "GET, HEAD"
        return _plain(response)
    params = {key: request.GET.get(key, "") for key in ("lang", *registered.params)}
    try:
        filled = registered.fill(request, params)
    except HoleRequestError as error:
        return _plain(HttpResponse(f"{error}.", status=400, content_type="text/plain"))
    response = HttpResponse(filled.html)
    for name, value in filled.headers.items():
        response[name] = value
    if filled.on_response is not None:
        filled.on_response(response)
    if private:
        _plain(response)
        patch_cache_control(response, private=True)
    else:
        seconds = registered.lifetime()
        patch_cache_control(response, public=True, max_age=seconds, s_maxage=seconds)
        # Bans by edition reach the rails of that edition too.
        response["X-Edition"] = params["lang"]
    return response


def _plain(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _language_codes() -> frozenset[str]:
    return frozenset(code for code, _name in settings.LANGUAGES)


class HoleMiddleware:
    """Early in MIDDLEWARE (after SecurityMiddleware and the NUL guard): a hole is answered
    before sessions, locale, CSRF, auth and the URL resolver run; what a hole needs of the
    reader it reads from the request's cookies itself (broadsheet.accounts.sessions)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(HOLES_PREFIX):
            return hole_response(request)
        return self.get_response(request)
