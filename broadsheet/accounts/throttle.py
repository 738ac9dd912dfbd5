"""The sign-in throttle for password forms that are not sign-ins: Wagtail's page privacy
password (`/<edition>/_util/authenticate_with_password/...`) and document collection password
(`/documents/authenticate_with_password/...`).

They check a shared password, not an account, so they never reach the sign-in gate
(backends.py). They get the same policy as every sign-in form, under the same limits of
ACCOUNT_RATE_LIMITS and with allauth's own code: each attempt counts under "login" (per client
address), each attempt counts under "login_failed" (per client address, and per restriction as
the key where a sign-in has the address typed) and is given back when the password was right,
as allauth's adapter does for a sign-in. Over a limit the form answers 429 and checks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from allauth.core.internal import ratelimit
from django.http import HttpRequest, HttpResponse

ALLAUTH_APP = "allauth.account"


def password_form_throttled(
    view: Callable[..., HttpResponse], *, restriction_kwarg: str, scope: str
) -> Callable[..., HttpResponse]:
    """`view`, a Wagtail password form view that redirects when the password was right, with
    every POST counted under the sign-in limits. The key is the restriction (`scope` and the
    URL's `restriction_kwarg`), not the page: a page id in the address is anyone's choice."""

    @wraps(view)
    def throttled(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        if not ratelimit.consume(request, app=ALLAUTH_APP, action="login"):
            return ratelimit.respond_429(request)
        failed = ratelimit.consume(
            request,
            app=ALLAUTH_APP,
            action="login_failed",
            key=f"{scope}:{kwargs[restriction_kwarg]}",
        )
        if not failed:
            return ratelimit.respond_429(request)
        response = view(request, *args, **kwargs)
        if response.status_code == 302:  # the password was right: not a failure after all
            failed.rollback()
        return response

    return throttled
