"""Django's LocaleMiddleware, minus its redirect of non-reader 404s into an edition, plus the
edition's time zone."""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone
from django.utils.translation import get_language_from_path

from broadsheet.newsroom.time_zones import edition_time_zone_activate

# Paths that are not an edition's: a 404 there is that path's own, not a missing language prefix.
NOT_EDITION_PREFIXES = (
    "/admin/",
    "/documents/",
    "/static/",
    "/media/",
    "/_access/",
    "/_audience/",
    "/billing/",
    "/api/",
    "/metrics",
)


# Paths that say their edition themselves (the API's /api/v1/<edition>/...): the reader's
# Accept-Language picks nothing there, so their answers must not vary by it (one cached copy).
EXPLICIT_EDITION_PREFIXES = ("/api/",)


class EditionLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        # The zone is a thread's, like the language: set (or reset) it on every request, so
        # that a page of one edition never inherits the zone of the last request served.
        language = get_language_from_path(request.path_info)
        if language:
            edition_time_zone_activate(language)
        else:
            timezone.deactivate()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path_info.startswith(EXPLICIT_EDITION_PREFIXES):
            return response
        if response.status_code == 404 and request.path_info.startswith(NOT_EDITION_PREFIXES):
            return response
        return super().process_response(request, response)
