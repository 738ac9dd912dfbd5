"""Telling the caching proxies in front (Varnish) to drop a scope's pages."""

from __future__ import annotations

import http.client
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def purge_front_proxies(*, scopes: list[str]) -> int:
    """BAN each scope on each configured proxy; returns how many proxies answered 200."""
    answered = 0
    for proxy in settings.PAGE_CACHE_FRONT_PROXIES:
        parts = urlsplit(proxy)
        for scope in scopes:
            connection = http.client.HTTPConnection(
                parts.hostname or "localhost", parts.port or 80, timeout=5
            )
            try:
                connection.request("BAN", "/", headers={"X-Ban-Scope": scope})
                status = connection.getresponse().status
            except OSError as error:
                logger.warning("front proxy %s did not take the purge: %s", proxy, error)
                continue
            finally:
                connection.close()
            if status == 200:
                answered += 1
            else:
                logger.warning("front proxy %s answered %s to a purge", proxy, status)
    return answered
