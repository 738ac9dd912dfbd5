"""Every error of the API as application/problem+json (RFC 9457), in the edition's language.

Views run inside the edition's language (views.EditionView), so a message is translated when
it is raised; the handler only shapes it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "https://broadsheet.example/problems/"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def problem(
    *, status_code: int, detail: str, kind: str, errors: dict | None = None, headers=None
) -> Response:
    body = {
        "type": TYPE_BASE + kind,
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _flatten(detail) -> dict | str:
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return " ".join(str(_flatten(item)) for item in detail)
    return str(detail)


def exception_handler(exc, context) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("There is nothing at this address."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handler, and the error log
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        return problem(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail=_("Some of what was sent is not valid."),
            kind="invalid",
            errors=errors,
            headers=headers,
        )
    if isinstance(exc, exceptions.Throttled):
        detail = _("Too many requests: try again in a little while.")
    else:
        flat = _flatten(exc.detail)
        if isinstance(flat, dict):
            flat = " ".join(str(value) for value in flat.values())
        detail = flat
    return problem(
        status_code=exc.status_code,
        detail=detail,
        kind=getattr(exc, "default_code", "error"),
        headers=headers,
    )


API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def plain_problem(*, status_code: int, detail: str, kind: str):
    """A problem answered outside DRF (Django's 400 and 404 handlers, for an address no API
    view matched): the same shape, so an app never has to parse an HTML error page."""
    from django.http import JsonResponse

    body = {
        "type": TYPE_BASE + kind,
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": str(detail),
    }
    response = JsonResponse(body, status=status_code, content_type=PROBLEM_TYPE)
    response["Cache-Control"] = "no-store"
    return response
