"""Times every request and counts the page caches' answers, outermost, so that a page served
from the page cache or a hole is timed as a rendered page is."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import metrics


def view_label(request: HttpRequest, response: HttpResponse) -> str:
    """The URL's name: bounded, unlike paths. Answers given before URL resolution (page-cache
    hits, holes) are named after what gave them."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if response.get("X-Page-Cache", "").endswith("hit"):
        return "pagecache"
    if request.path.startswith("/_holes/"):
        return "hole"
    return "unresolved"


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.REQUEST_SECONDS.labels(
            view=view_label(request, response), status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        page_cache = metrics.PAGE_CACHE_HEADER.get(response.get("X-Page-Cache", ""))
        if page_cache is not None:
            metrics.PAGE_CACHE_REQUESTS.labels(*page_cache).inc()
        return response
