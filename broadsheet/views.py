"""Site-wide views: health, robots.txt, and error pages in the edition's language."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache

from broadsheet.pagecache.scopes import SITE_SCOPE, scope_for_path
from broadsheet.request_guard import UnreadableRequest


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for the load balancer: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception as error:  # noqa: BLE001  (any failure means "not ready")
        return JsonResponse({"status": "error", "detail": type(error).__name__}, status=503)


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /_access/",
        "Disallow: /_audience/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('news_sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def _activate_edition_language(request: HttpRequest) -> None:
    scope = scope_for_path(request.path)
    if scope != SITE_SCOPE:
        translation.activate(scope)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _activate_edition_language(request)
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        # Our own Http404s carry a sentence meant for the reader; Django's own carry internals.
        if not exception.args[0].startswith(("No ", "Resolver404", "{")):
            message = exception.args[0]
    return render(request, "404.html", {"message": message}, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request we cannot read (a body in another charset than UTF-8, a NUL in the address,
    too many fields): said plainly, in the edition's language. Renders without context
    processors or request.POST, whose reading may be what failed."""
    _activate_edition_language(request)
    message = str(exception) if isinstance(exception, UnreadableRequest) else ""
    html = loader.get_template("400.html").render({"message": message})
    return HttpResponse(html, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # No database, no context processors: this must render when everything else is failing.
    _activate_edition_language(request)
    html = loader.get_template("500.html").render({"request_path": request.path})
    return HttpResponse(html, status=500)
