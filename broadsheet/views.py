"""Site-wide views: health, robots.txt, and error pages in the edition's language (a 503
when the database is unavailable, a 403 when a form fails its CSRF check)."""

from __future__ import annotations

import sys

from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from broadsheet.api.problems import is_api_request, plain_problem
from broadsheet.pagecache.scopes import SITE_SCOPE, scope_for_path
from broadsheet.redis_cache import RedisCache
from broadsheet.request_guard import UnreadableRequest

# What Django raises when it cannot reach the database or the database gives up on a query.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001  (any failure means "not ready")
        return f"unavailable: {type(error).__name__}"
    return "ok"


def _cache_check() -> str:
    backend = caches["default"]
    if isinstance(backend, RedisCache) and not backend.ping():
        return "unavailable"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness for the load balancer and Varnish's probe, with each dependency's state.

    Without the database nothing can be served: 503. Without Redis (the cache, sessions' read
    path, slots and counters) everything is served more slowly: 200, "degraded", so that a
    Redis outage does not take every web node out of the pool at once.
    """
    checks = {"database": _database_check(), "cache": _cache_check()}
    if checks["database"] != "ok":
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    status = "ok" if all(state == "ok" for state in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks})


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


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever a page links: our one icon, an SVG."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def _activate_edition_language(request: HttpRequest) -> None:
    scope = scope_for_path(request.path)
    if scope != SITE_SCOPE:
        translation.activate(scope)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _activate_edition_language(request)
    if is_api_request(request):
        return plain_problem(
            status_code=404, detail=gettext("There is nothing at this address."), kind="not_found"
        )
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
    if is_api_request(request):
        return plain_problem(status_code=400, detail=message or gettext("Bad request"), kind="bad")
    html = loader.get_template("400.html").render({"message": message})
    return HttpResponse(html, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # No database, no context processors: this must render when everything else is failing.
    _activate_edition_language(request)
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        # The database is down or does not answer in time (DB_CONNECT_TIMEOUT,
        # DB_STATEMENT_TIMEOUT_MS), wherever the request met it: a view, a middleware, a
        # template. The reader is told to come back, the load balancer sees a 503.
        html = loader.get_template("503.html").render({})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response
    html = loader.get_template("500.html").render({"request_path": request.path})
    return HttpResponse(html, status=500)


@never_cache
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid CSRF token, most often from a page left
    open across a sign-in or out, or by a browser that refuses cookies. Said in the edition's
    language with what to do; like the other error pages it renders without context
    processors, and nothing of the form was acted on."""
    _activate_edition_language(request)
    context = {
        "no_cookie": reason == REASON_NO_CSRF_COOKIE,
        # A GET of the address the form was sent to shows the form again on this site.
        "form_path": request.path,
    }
    html = loader.get_template("403_csrf.html").render(context)
    return HttpResponse(html, status=403)
