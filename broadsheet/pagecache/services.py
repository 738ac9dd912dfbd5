"""Writes of the page cache: storing a rendered page and purging a scope."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache

from .scopes import SITE_SCOPE, generation_key

logger = logging.getLogger(__name__)

# A generation outlives any page stored under it; losing it only costs a cache miss.
GENERATION_TIMEOUT = 30 * 24 * 3600


def page_cache_new_generation(*, scope: str) -> str:
    token = uuid.uuid4().hex
    cache.set(generation_key(scope), token, GENERATION_TIMEOUT)
    return token


def page_cache_purge(*, scopes: list[str]) -> None:
    """Make every cached page of these scopes (and of the site scope) stale, everywhere."""
    from broadsheet.db_routing import replicas_wait_for_primary

    from .tasks import purge_front_proxies

    # Not before the read replicas have the change, or they would render the old page again.
    replicas_wait_for_primary(timeout=settings.DATABASE_REPLICA_PURGE_WAIT_SECONDS)
    all_scopes = sorted(set(scopes) | {SITE_SCOPE})
    for scope in all_scopes:
        page_cache_new_generation(scope=scope)
    logger.info("page cache purged for %s", ",".join(all_scopes))
    purge_front_proxies.enqueue(scopes=all_scopes)
