"""Serve anonymous readers whole pages from the cache, one cache round trip per request."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from broadsheet.accounts.sessions import signed_in_user

from .holes import (
    HOLES_PREFIX,
    PAGE_HOLES_ATTRIBUTE,
    REGISTRY,
    PlacedHole,
    fill_page,
    has_private_hole,
    page_holes,
)
from .members import (
    MEMBER_CANDIDATE_ATTRIBUTE,
    SHAREABLE_FOR_MEMBERS_ATTRIBUTE,
    STAFF_COOKIE,
    members_copy_end,
)
from .scopes import generation_key, scope_for_path
from .services import page_cache_new_generation

# Headers worth keeping with a cached page; anything else (cookies above all) is dropped.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Link",
    "Vary",
    "X-Edition",
    "X-Robots-Tag",
)
UNCACHED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/healthz",
    "/_access/",
    "/_audience/",
    HOLES_PREFIX,
)


def surrogate_handles_esi(request: HttpRequest) -> bool:
    """A front proxy (Varnish) in front fills the holes itself."""
    return "ESI/1.0" in request.headers.get("Surrogate-Capability", "")


def _is_anonymous_read(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    return not request.path.startswith(UNCACHED_PREFIXES)


def _is_shareable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    return "Cookie" not in response.get("Vary", "")


def _page_key(request: HttpRequest) -> str:
    raw = f"{request.get_host()}|{request.get_full_path()}".encode()
    return "pagecache:page:" + hashlib.blake2b(raw, digest_size=16).hexdigest()


def _lookup(request: HttpRequest, page_key: str) -> tuple[HttpResponse | None, str | None, str]:
    """The page stored under this key if it is of the current generation of its scope, with
    that generation and scope; one cache round trip."""
    scope = scope_for_path(request.path)
    gen_key = generation_key(scope)
    found = cache.get_many([page_key, gen_key])
    generation = found.get(gen_key)
    stored = found.get(page_key)
    if stored is None or generation is None or stored[0] != generation:
        return None, generation, scope
    _generation, status, headers, content, holes = stored
    placed = [
        PlacedHole(hole=REGISTRY[name], params=params, tag=tag)
        for name, params, tag in holes
        if name in REGISTRY
    ]
    if len(placed) != len(holes):  # a hole this code no longer has: render the page afresh
        return None, generation, scope
    setattr(request, PAGE_HOLES_ATTRIBUTE, placed)
    response = HttpResponse(content, status=status)
    for name, value in headers.items():
        response[name] = value
    return response, generation, scope


def _keep(
    request: HttpRequest,
    page_key: str,
    response: HttpResponse,
    *,
    scope: str,
    generation: str | None,
    edition: bool,
) -> None:
    """Store the page under the scope's generation (minting one if the scope has none yet);
    `edition` adds the X-Edition header the front proxy bans by."""
    if generation is None:
        generation = page_cache_new_generation(scope=scope)
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    if edition:
        headers["X-Edition"] = scope
    holes = tuple((placed.hole.name, placed.params, placed.tag) for placed in page_holes(request))
    stored = (generation, response.status_code, headers, response.content, holes)
    cache.set(page_key, stored, settings.PAGE_CACHE_SECONDS)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._serve(request)
        holes = page_holes(request)
        if not holes or response.streaming:
            return response
        if surrogate_handles_esi(request):
            response["Surrogate-Control"] = 'content="ESI/1.0"'
            if has_private_hole(holes):
                # The front proxy caches the page but must not let anyone downstream
                # (browsers, a CDN) keep the page it assembles for one reader.
                response["X-Private-Holes"] = "1"
        else:
            fill_page(request, response, holes)
        return response

    def _serve(self, request: HttpRequest) -> HttpResponse:
        if not _is_anonymous_read(request):
            return self.get_response(request)
        page_key = _page_key(request)
        hit, generation, scope = _lookup(request, page_key)
        if hit is not None:
            self._mark_public(hit)
            hit["X-Page-Cache"] = "hit"
            return hit

        response = self.get_response(request)
        if _is_shareable(response):
            _keep(request, page_key, response, scope=scope, generation=generation, edition=True)
            response["X-Edition"] = scope
            self._mark_public(response)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _mark_public(response: HttpResponse) -> None:
        # Browsers revalidate; shared caches (the front proxy) may keep it until purged.
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SECONDS)


def _member_page_key(request: HttpRequest) -> str:
    return _page_key(request) + ":members"


class MemberPageCacheMiddleware:
    """Serve signed-in readers one cached page shared by all of them, with holes.

    Sits after the session, authentication and device middleware. A page whose view opts in
    (`mark_shareable_for_members`: the newsroom's pages) is rendered from then on as the
    members' copy (`broadsheet.pagecache.members`): every personal part becomes a private ESI
    hole (the article body, the sharing warning) or is left out (the newsletter box's
    prefilled address), "My account" is the same for every member, and `request.user` is a
    `SharedPageReader` that refuses to say who the reader is. The holes are filled per request
    by AnonymousPageCacheMiddleware (or Varnish), with the reader's own request. Staff are
    never served from it (the admin's preview and userbar are theirs), and a page that used a
    CSRF token is never stored (the token is the reader's). A page about one reader (account,
    devices) never opts in, is rendered for them alone and never kept.

    With a front proxy that fills holes (Varnish), a members' copy goes out public with
    s-maxage and its edition's X-Edition, so the proxy keeps it for every signed-in reader and
    bans it with the edition (deploy/varnish/default.vcl hashes it apart from the anonymous
    page). Staff browsers are marked with the `bs_staff` cookie so the proxy passes them on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._is_member_read(request):
            response = self.get_response(request)
        else:
            response = self._serve(request)
        _mark_staff_browser(request, response)
        return response

    def _serve(self, request: HttpRequest) -> HttpResponse:
        page_key = _member_page_key(request)
        hit, generation, scope = _lookup(request, page_key)
        if hit is not None:
            hit["X-Page-Cache"] = "member-hit"
            _share_with_front_proxy(request, hit, scope=scope)
            return hit

        csrf_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        setattr(request, MEMBER_CANDIDATE_ATTRIBUTE, True)
        try:
            response = self.get_response(request)
        finally:
            members_copy_end(request)
        used_csrf = csrf_before or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        opted_in = getattr(request, SHAREABLE_FOR_MEMBERS_ATTRIBUTE, False)
        if opted_in and _is_shareable(response) and not used_csrf:
            _keep(request, page_key, response, scope=scope, generation=generation, edition=False)
            response["X-Page-Cache"] = "member-miss"
            _share_with_front_proxy(request, response, scope=scope)
        return response

    @staticmethod
    def _is_member_read(request: HttpRequest) -> bool:
        if not settings.PAGE_CACHE_MEMBERS or request.method not in ("GET", "HEAD"):
            return False
        if request.path.startswith(UNCACHED_PREFIXES):
            return False
        user = signed_in_user(request)
        if user is None:
            return False
        return not (user.is_staff or user.is_superuser)


def _share_with_front_proxy(request: HttpRequest, response: HttpResponse, *, scope: str) -> None:
    """A front proxy that fills holes may keep the members' copy for every signed-in reader
    (it fills the private holes per reader and sends the page out private to them); without
    one the page is filled here and becomes private, so nothing downstream may keep it."""
    if not surrogate_handles_esi(request):
        return
    patch_cache_control(response, public=True, max_age=0, s_maxage=settings.PAGE_CACHE_SECONDS)
    response["X-Edition"] = scope


def _mark_staff_browser(request: HttpRequest, response: HttpResponse) -> None:
    """Staff are marked when they sign in (a POST) or at their next page, and unmarked when
    they sign out or stop being staff, so that the front proxy sends their pages to Django."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and request.method != "POST":
        return  # an anonymous read: asking for its user would touch the session
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    staff = bool(user is not None and signed_in and (user.is_staff or user.is_superuser))
    marked = STAFF_COOKIE in request.COOKIES
    if staff and not marked:
        response.set_cookie(
            STAFF_COOKIE,
            "1",
            max_age=settings.SESSION_COOKIE_AGE,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )
    elif marked and not staff:
        response.delete_cookie(STAFF_COOKIE, samesite="Lax")
