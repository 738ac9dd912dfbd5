"""The few facts about a signed-in browser that live in its session, and the one way to ask who
is signed in.

Glossary
- Signed-in reader (`SignedIn`): who a request's session says is signed in (their id), on
  which device, checked as Django's auth checks it (the session's auth hash against the
  user's current one). It is all the access decision needs; `signed_in_user` gives the whole
  User when a page needs more.
- User facts: what that check needs of the user (the session auth hash, whether they may sign
  in at all), cached per user for USER_FACTS_SECONDS and dropped whenever the user is saved.

A request without a session cookie is never asked for a session: touching it would mark the
response "Vary: Cookie" and keep an anonymous page out of the shared cache. A request that
skipped the middleware (a hole answered by HoleMiddleware) reads its session and the user's
facts from the cache, in the round trips it makes anyway (`signed_in_reader(also=...)`), with
no database query when both are cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache, caches
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

DEVICE_ID = "accounts_device"
DEVICE_KEY = "accounts_device_key"
DEVICE_SEEN = "accounts_device_seen"
# Set on a request that an app's device token authenticated (broadsheet.api): the request is
# that device's, whatever cookies it carries, and None means "signed out" even with cookies.
TOKEN_DEVICE = "accounts_token_device"  # noqa: S105 -- a request attribute, not a secret

USER_FACTS_SECONDS = 300
_SIGNED_IN_ATTRIBUTE = "accounts_signed_in"
# The session engines whose sessions live in the cache, where a hole can read them.
_CACHED_ENGINES = (
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.cache",
)


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    session_key: str
    device_id: int | None


def session_delete(*, session_key: str) -> None:
    """End a session in whatever store the project uses (database, cache, ...)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.delete(session_key)


def user_facts_cache_key(user_id: int) -> str:
    return f"accounts:user-facts:v1:{user_id}"


def user_facts_forget(*, user_id: int) -> None:
    cache.delete(user_facts_cache_key(user_id))


def device_id_for_request(request: HttpRequest) -> int | None:
    """The Device of this signed-in browser or app, without a query (None when signed out)."""
    reader = signed_in_reader(request)
    return reader.device_id if reader is not None else None


def signed_in_reader(
    request: HttpRequest,
    *,
    also: Sequence[str] = (),
    also_for_user: Callable[[int], Iterable[str]] | None = None,
) -> SignedIn | None:
    """Who is signed in on this request, or None; the one way every app asks.

    `also` and `also_for_user(user_id)` name cache keys the caller needs too: they are read in
    the same round trips as the session and the user's facts, and left on the request for
    `prefetched`. Remembered on the request: a second call asks nothing.
    """
    if hasattr(request, TOKEN_DEVICE):
        # An app's request is its device token's, never its cookies'.
        device = getattr(request, TOKEN_DEVICE)
        _prefetch(request, also)
        if device is None:
            return None
        if also_for_user is not None:
            _prefetch(request, also_for_user(device.user_id))
        return SignedIn(user_id=device.user_id, session_key="", device_id=device.pk)
    known = getattr(request, _SIGNED_IN_ATTRIBUTE, None)
    if known is not None:
        _prefetch(request, also)
        if known[0] is not None and also_for_user is not None:
            _prefetch(request, also_for_user(known[0].user_id))
        return known[0]
    reader = None
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        _prefetch(request, also)
    elif getattr(request, "user", None) is None and settings.SESSION_ENGINE in _CACHED_ENGINES:
        reader = _from_cached_session(request, also=also, also_for_user=also_for_user)
    else:
        _prefetch(request, also)
        reader = _from_user(request)
        if reader is not None and also_for_user is not None:
            _prefetch(request, also_for_user(reader.user_id))
    setattr(request, _SIGNED_IN_ATTRIBUTE, (reader,))
    return reader


_PREFETCHED_ATTRIBUTE = "accounts_prefetched"
_ABSENT = object()


def prefetched(request: HttpRequest, key: str, default: Any = None) -> Any:
    """A cache value read for this request by signed_in_reader (default when it was absent
    from the cache or never asked for)."""
    return getattr(request, _PREFETCHED_ATTRIBUTE, {}).get(key, default)


def _prefetch(request: HttpRequest, keys: Iterable[str], found: dict | None = None) -> None:
    keys = [key for key in keys if key not in getattr(request, _PREFETCHED_ATTRIBUTE, {})]
    if found is None:
        found = cache.get_many(keys) if keys else {}
    store = getattr(request, _PREFETCHED_ATTRIBUTE, None)
    if store is None:
        store = {}
        setattr(request, _PREFETCHED_ATTRIBUTE, store)
    for key in keys:
        store[key] = found.get(key)


def _from_user(request: HttpRequest) -> SignedIn | None:
    user = signed_in_user(request)
    if user is None:
        return None
    session = request.session
    return SignedIn(
        user_id=user.pk, session_key=session.session_key or "", device_id=session.get(DEVICE_ID)
    )


def _from_cached_session(
    request: HttpRequest,
    *,
    also: Sequence[str],
    also_for_user: Callable[[int], Iterable[str]] | None,
) -> SignedIn | None:
    """The session from the cache in one round trip with `also`; the user's facts in a second
    with `also_for_user`. Anything unusual (the session not in the cache, a hash that does not
    match, a user not in the facts cache) goes the way Django's auth goes, with its checks."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(
        request.COOKIES[settings.SESSION_COOKIE_NAME]
    )
    if store.session_key is None or settings.SESSION_CACHE_ALIAS != "default":
        _prefetch(request, also)
        return _from_user(request)
    session_cache_key = store.cache_key
    found = caches["default"].get_many([session_cache_key, *also])
    _prefetch(request, also, found)
    data = found.get(session_cache_key)
    if not isinstance(data, dict):
        # In the database only (the load puts it in the cache), or gone.
        reader = _from_user_caching_facts(request)
        if reader is not None and also_for_user is not None:
            _prefetch(request, also_for_user(reader.user_id))
        return reader
    user_id = _session_user_id(data)
    if user_id is None:
        return None  # a session nobody signed in to (Django's auth would agree)
    user_keys = list(also_for_user(user_id)) if also_for_user is not None else []
    facts_key = user_facts_cache_key(user_id)
    found = cache.get_many([facts_key, *user_keys])
    _prefetch(request, user_keys, found)
    facts = found.get(facts_key)
    if facts is None:
        return _from_user_caching_facts(request)
    auth_hash, may_sign_in = facts
    if not may_sign_in:
        return None
    if not constant_time_compare(data.get(HASH_SESSION_KEY, ""), auth_hash):
        # A changed password, or a key rotated (SECRET_KEY_FALLBACKS): Django's auth decides,
        # and flushes the session if it no longer holds.
        return _from_user(request)
    return SignedIn(user_id=user_id, session_key=store.session_key, device_id=data.get(DEVICE_ID))


def _session_user_id(data: dict) -> int | None:
    if data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def _from_user_caching_facts(request: HttpRequest) -> SignedIn | None:
    """Through Django's auth; a user it accepts has their facts cached for the next request."""
    reader = _from_user(request)
    if reader is not None:
        user = signed_in_user(request)
        assert user is not None  # _from_user found them
        facts = (user.get_session_auth_hash(), True)
        cache.set(user_facts_cache_key(reader.user_id), facts, USER_FACTS_SECONDS)
    return reader


def signed_in_user(request: HttpRequest):
    """The signed-in User of this request, or None, through Django's own checks (the
    session's auth hash included); loads the session and the user once.

    A request without a session cookie is never asked for a session: touching it would mark
    the response "Vary: Cookie" and keep an anonymous page out of the shared cache. A request
    that skipped the middleware (a hole answered by HoleMiddleware) loads its session and
    user here, through Django's own checks (the session's auth hash included), once. A request
    of an app is its device token's, and never its cookies'.
    """
    if hasattr(request, TOKEN_DEVICE):
        device = getattr(request, TOKEN_DEVICE)
        return device.user if device is not None else None
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = getattr(request, "user", None)
    if user is None:
        if not hasattr(request, "session"):
            engine = import_module(settings.SESSION_ENGINE)
            request.session = engine.SessionStore(request.COOKIES[settings.SESSION_COOKIE_NAME])
        user = auth.get_user(request)
        request.user = user
    if not user.is_authenticated:
        return None
    return user
