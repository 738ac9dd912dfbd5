"""PostgreSQL read replicas: readers' page reads from a replica, everything else from the primary.

A read goes to a replica (settings.DATABASE_REPLICAS, from DATABASE_REPLICA_URLS) only when all
of these hold; otherwise it goes to the primary ("default"):

- it is made while a reader's GET or HEAD is answered (ReplicaReadsMiddleware says so for the
  request); the admin, forms, the task worker, commands and migrations never read a replica;
- this browser wrote nothing recently: any request that writes (or any POST, PUT, PATCH,
  DELETE) leaves a cookie that pins the browser to the primary for DATABASE_REPLICA_PIN_SECONDS,
  so that an editor after publishing and a reader after a purchase read what they just wrote,
  however far a replica lags;
- this request has not written yet (its later reads must see its own writes);
- no transaction is open on the primary (reads inside it must see it, and may lock).

Writes always go to the primary; replicas are never migrated (streaming replicas copy it).
"""

from __future__ import annotations

import functools
import logging
import random
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PIN_COOKIE = "bs_primary"
SAFE_METHODS = ("GET", "HEAD")


@dataclass
class RequestReads:
    """What the router knows of the request being answered in this context."""

    replica_allowed: bool
    wrote: bool = False


_request: ContextVar[RequestReads | None] = ContextVar("broadsheet_request_reads", default=None)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        state = _request.get()
        replicas = settings.DATABASE_REPLICAS
        if not replicas or state is None or not state.replica_allowed or state.wrote:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return random.choice(replicas)  # noqa: S311  (spreading load, not a secret)

    def db_for_write(self, model, **hints) -> str:
        state = _request.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Replicas hold the primary's rows: an object read from one relates to any other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


@functools.cache
def _primary_paths(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def _reader_path(path: str) -> bool:
    patterns = tuple(settings.DATABASE_PRIMARY_PATHS)
    return not patterns or not _primary_paths(patterns).match(path)


class ReplicaReadsMiddleware:
    """Lets the router send this request's reads to a replica, or pins it to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = RequestReads(
            replica_allowed=(
                request.method in SAFE_METHODS
                and PIN_COOKIE not in request.COOKIES
                and _reader_path(request.path_info)
            )
        )
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if settings.DATABASE_REPLICAS and (state.wrote or request.method not in SAFE_METHODS):
            # Renewed by each write: the browser reads the primary until replicas have surely
            # replayed its last one.
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def replicas_wait_for_primary(*, timeout: float) -> bool:
    """Wait until every replica has replayed all the primary has committed so far; False if one
    had not within `timeout` seconds (or could not be asked).

    The page cache's purge waits for this: a page rendered from a replica that had not yet
    replayed a publish would otherwise be stored under the new generation and serve the old
    text for the whole cache lifetime."""
    replicas = settings.DATABASE_REPLICAS
    primary = connections[DEFAULT_DB_ALIAS]
    if not replicas or primary.vendor != "postgresql":
        return True
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    caught_up = True
    for alias in replicas:
        try:
            with connections[alias].cursor() as cursor:
                while True:
                    cursor.execute(
                        "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [target]
                    )
                    if cursor.fetchone()[0]:
                        break
                    if time.monotonic() >= deadline:
                        logger.warning(
                            "replica %s still behind %s after %ss", alias, target, timeout
                        )
                        caught_up = False
                        break
                    time.sleep(0.01)
        except DatabaseError as error:
            logger.warning("replica %s could not say how far it replayed: %s", alias, error)
            caught_up = False
    return caught_up
