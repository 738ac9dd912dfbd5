"""The few facts about a signed-in browser that live in its session."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest

DEVICE_ID = "accounts_device"
DEVICE_KEY = "accounts_device_key"
DEVICE_SEEN = "accounts_device_seen"
# Set on a request that an app's device token authenticated (broadsheet.api): the request is
# that device's, whatever cookies it carries, and None means "signed out" even with cookies.
TOKEN_DEVICE = "accounts_token_device"  # noqa: S105 -- a request attribute, not a secret


def session_delete(*, session_key: str) -> None:
    """End a session in whatever store the project uses (database, cache, ...)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.delete(session_key)


def device_id_for_request(request: HttpRequest) -> int | None:
    """The Device of this signed-in browser or app, without a query (None when signed out)."""
    if hasattr(request, TOKEN_DEVICE):
        device = getattr(request, TOKEN_DEVICE)
        return device.pk if device is not None else None
    if signed_in_user(request) is None:
        return None
    return request.session.get(DEVICE_ID)


def signed_in_user(request: HttpRequest):
    """The signed-in user of this request, or None; the one way every app asks.

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
