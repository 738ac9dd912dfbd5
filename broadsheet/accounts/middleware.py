"""Keep each signed-in browser's Device up to date, and sign out a browser whose device was
signed out from elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import services
from .sessions import signed_in_user


class DeviceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # signed_in_user never touches the session of a request without a session cookie.
        if signed_in_user(request) is not None:
            if not services.device_seen(request=request, now=timezone.now()):
                logout(request)
        return self.get_response(request)
