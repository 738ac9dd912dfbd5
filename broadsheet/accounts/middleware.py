"""Keep each signed-in browser's Device up to date, and sign out a browser whose device was
signed out from elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import services


class DeviceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie there is no device, and touching request.user would mark
        # the response "Vary: Cookie" and keep anonymous pages out of the page cache.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            if not services.device_seen(request=request, now=timezone.now()):
                logout(request)
        return self.get_response(request)
