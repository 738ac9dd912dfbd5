"""GET /metrics for Prometheus: refused without the bearer token of METRICS_TOKEN, absent
(404) when no token is configured. nginx does not pass it to the public either."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from . import metrics
from .collectors import DatabaseStateCollector


def scrape() -> bytes:
    if metrics.MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=metrics.MULTIPROCESS_DIR)
        registry.register(DatabaseStateCollector())
        return generate_latest(registry)
    state = CollectorRegistry()
    state.register(DatabaseStateCollector())
    return generate_latest(metrics.REGISTRY) + generate_latest(state)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        # Plain text, as the 403: its reader is a scraper or an operator, not a reader.
        return HttpResponseNotFound(
            "Metrics are off: set METRICS_TOKEN.\n", content_type="text/plain; charset=utf-8"
        )
    expected = f"Bearer {token}".encode()
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
        return HttpResponse(
            "Metrics need the bearer token of METRICS_TOKEN.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
