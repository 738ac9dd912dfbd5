"""Refuse, before anything reads them, requests whose address or cookies hold a NUL.

No slug, token, id or cookie of ours contains one, and PostgreSQL cannot even compare a text
with it (a DataError, so a 500 in whichever view asked first). Turning them away here, once,
is what keeps every view, feed and session lookup from having to know.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

NUL = "\x00"


class UnreadableRequest(BadRequest):
    """A request we refuse to read; its message is for the reader (handler400 shows it)."""


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info:
        return True
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return True
    return any(NUL in name or NUL in value for name, value in request.COOKIES.items())


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            raise UnreadableRequest(
                _("The address or a cookie holds a character that is not allowed.")
            )
        return self.get_response(request)
