"""Response headers every page gets, whichever layer answered it (a view or a page cache).

- PrivateWhenSignedInMiddleware: a response to a request with a session is the reader's own
  (`Cache-Control: private`), unless it is the members' shared copy of a page whose view
  marked it the same for every signed-in reader
  (`broadsheet.pagecache.members.mark_shareable_for_members`).
- ContentSecurityPolicyMiddleware: django-csp's, with the Wagtail admin's own, looser policy
  (its editors run inline scripts and styles); readers' pages have no inline script at all,
  so that one policy, without nonces, holds for pages served from the shared page cache too.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

# What broadsheet.pagecache.middleware.MemberPageCacheMiddleware says of a page it kept.
SHARED_BY_MEMBERS = ("member-miss", "member-hit")


def _shared_by_members(response: HttpResponse) -> bool:
    """The members' copy of a page: kept by (or served from) the members' page cache, which
    keeps only what the view marked shareable, rendered without anything of one reader's."""
    return response.get("X-Page-Cache") in SHARED_BY_MEMBERS


class PrivateWhenSignedInMiddleware:
    """Sits outside both page caches, so that it sees every answer to a signed-in browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session_cookie = settings.SESSION_COOKIE_NAME
        if session_cookie not in request.COOKIES and session_cookie not in response.cookies:
            return response
        if session_cookie in request.COOKIES and _shared_by_members(response):
            return response
        cache_control = response.get("Cache-Control", "")
        if "s-maxage" in cache_control:
            # A shared cache's lifetime means nothing on a private answer.
            del response["Cache-Control"]
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        admin_prefix = settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIX
        if not report_only and parts.config is None and request.path_info.startswith(admin_prefix):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts
