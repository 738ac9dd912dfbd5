"""Broadsheet's metrics, in the Prometheus exposition format (docs/operations.md, "Metrics").

Counted in the process that sees the event, in memory: no Redis or database round trip on a
reader's request. Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by the web unit) makes each
worker write its values to a memory-mapped file of that directory, and a scrape of any worker
adds them all up. What is state rather than events (the task queues, newsletter sends under
way) is read from the database at scrape time instead (collectors.py).
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram

# Our own registry: the scrape builds its answer from it (one process) or from the multiprocess
# files (gunicorn), never from prometheus_client's global registry, which others may fill.
REGISTRY = CollectorRegistry(auto_describe=True)
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

REQUEST_SECONDS = Histogram(
    "broadsheet_request_duration_seconds",
    "Time from the first middleware to the response, by view (URL name) and status class.",
    ["view", "status"],
    registry=REGISTRY,
)
PAGE_CACHE_REQUESTS = Counter(
    "broadsheet_page_cache_requests",
    "Reader pages the page cache answered (hit) or rendered and stored (miss), by layer.",
    ["layer", "result"],
    registry=REGISTRY,
)
ACCESS_DECISIONS = Counter(
    "broadsheet_access_decisions",
    "What readers were shown of gated and metered articles, by what was asked and the result.",
    ["asked", "shown", "store"],
    registry=REGISTRY,
)
ACCESS_EVENTS = Counter(
    "broadsheet_access_events",
    "Access events: takeovers of a seat's slot, seats flagged as shared, walls and notices.",
    ["kind"],
    registry=REGISTRY,
)
REDIS_ERRORS = Counter(
    "broadsheet_redis_errors",
    "Calls of the cache that Redis did not answer (down, timed out, refused).",
    ["client"],
    registry=REGISTRY,
)
REQUEST_EXCEPTIONS = Counter(
    "broadsheet_request_exceptions",
    "Requests that met an exception, by kind (database: unreachable or timed out).",
    ["kind"],
    registry=REGISTRY,
)

# X-Page-Cache as the page caches set it (broadsheet/pagecache/middleware.py).
PAGE_CACHE_HEADER = {
    "hit": ("anonymous", "hit"),
    "miss": ("anonymous", "miss"),
    "member-hit": ("members", "hit"),
    "member-miss": ("members", "miss"),
}


def access_decided(*, asked: str, decision) -> None:
    """One reading decided (access/rules.py: decide); `asked` is the store it asked."""
    if decision.failed_open:
        store = "failed_open"
    elif decision.failed_closed:
        store = "failed_closed"
    else:
        store = "ok"
    ACCESS_DECISIONS.labels(asked=str(asked), shown=str(decision.show), store=store).inc()


def access_event(kind: str) -> None:
    """One access event as the access app counts it (access/models.py: CountKind)."""
    ACCESS_EVENTS.labels(kind=kind).inc()


def request_exception(sender, *, request=None, **kwargs) -> None:
    """Django's got_request_exception: counts what a request met, the database above all."""
    import sys

    from django.db import InterfaceError, OperationalError

    error = sys.exc_info()[1]
    kind = "database" if isinstance(error, OperationalError | InterfaceError) else "other"
    REQUEST_EXCEPTIONS.labels(kind=kind).inc()


def redis_error(client: str) -> None:
    REDIS_ERRORS.labels(client=client).inc()
