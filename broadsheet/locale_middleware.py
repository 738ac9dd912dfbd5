"""Django's LocaleMiddleware, minus its redirect of non-reader 404s into an edition."""

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware

# Paths that are not an edition's: a 404 there is that path's own, not a missing language prefix.
NOT_EDITION_PREFIXES = (
    "/admin/",
    "/documents/",
    "/static/",
    "/media/",
    "/_access/",
    "/_audience/",
    "/billing/",
    "/metrics",
)


class EditionLocaleMiddleware(LocaleMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code == 404 and request.path_info.startswith(NOT_EDITION_PREFIXES):
            return response
        return super().process_response(request, response)
