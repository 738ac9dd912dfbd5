"""The few facts about a signed-in browser that live in its session."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.http import HttpRequest

DEVICE_ID = "accounts_device"
DEVICE_KEY = "accounts_device_key"
DEVICE_SEEN = "accounts_device_seen"


def session_delete(*, session_key: str) -> None:
    """End a session in whatever store the project uses (database, cache, ...)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.delete(session_key)


def device_id_for_request(request: HttpRequest) -> int | None:
    """The Device of this signed-in browser, without a query (None when signed out)."""
    session = getattr(request, "session", None)
    if session is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    if not request.user.is_authenticated:
        return None
    return session.get(DEVICE_ID)
